"""Display names of methods, evaluation methods, lot statuses and announcement kinds.

The tables hold untranslated source strings (N_); the functions translate them for the
current request, so messages, notice bodies and templates all say the same thing.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.i18n import N_
from bidding import methods
from bidding.models import AnnouncementKind, EvalMethod, LotStatus, Method

METHOD_LABELS: dict[str, str] = {
    "open": N_("公开招标"),
    "invited": N_("邀请招标"),
    "negotiation": N_("竞争性谈判"),
    "consultation": N_("竞争性磋商"),
    "inquiry": N_("询价"),
    "single_source": N_("单一来源"),
}
EVAL_LABELS: dict[str, str] = {
    "lowest_price": N_("最低评标价法"),
    "comprehensive": N_("综合评分法"),
    "reasonable_lowest": N_("经评审的合理最低投标价法"),
    "average_base": N_("平均值基准价法"),
}
STATUS_LABELS: dict[str, str] = {
    "draft": N_("登记中"),
    "published": N_("公告中"),
    "suspended": N_("已暂停"),
    "closed": N_("投标已截止"),
    "opened": N_("已开标"),
    "failed": N_("流标"),
    "evaluating": N_("评标中"),
    "evaluated": N_("评标结束"),
    "publicity": N_("候选人公示中"),
    "awarded": N_("已定标"),
    "contracted": N_("合同已备案"),
    "terminated": N_("已终止"),
}
KIND_LABELS: dict[str, str] = {
    "intent": N_("采购意向"),
    "tender": N_("招标公告"),
    "clarification": N_("澄清/更正公告"),
    "candidates": N_("中标候选人公示"),
    "result": N_("中标结果公告"),
    "contract": N_("合同公告"),
    "termination": N_("终止公告"),
    "failure": N_("流标/废标公告"),
    "prequal": N_("资格预审公告"),
    "prequal_result": N_("资格预审结果公告"),
}


PLAN_STATUS_LABELS: dict[str, str] = {
    "submitted": N_("待审核"),
    "approved": N_("已备案"),
    "returned": N_("已退回"),
}


def method_label(method: Method | str) -> str:
    return _(METHOD_LABELS.get(str(method), str(method)))


def eval_label(method: EvalMethod | str) -> str:
    return _(EVAL_LABELS.get(str(method), str(method)))


def status_label(status: LotStatus | str) -> str:
    return _(STATUS_LABELS.get(str(status), str(status)))


def kind_label(kind: AnnouncementKind | str, method: Method | str | None = None) -> str:
    """What a kind of announcement is called; given the lot's method, in its words (a
    result of 询价 is a 成交结果公告)."""
    if method is not None:
        word = methods.kind_word(method, str(kind))
        if word is not None:
            return _(word)
    return _(KIND_LABELS.get(str(kind), str(kind)))


def plan_status_label(status: str) -> str:
    return _(PLAN_STATUS_LABELS.get(str(status), str(status)))


def translated(table: dict[str, str]) -> dict[str, str]:
    """One of the tables above in the current request's language (for pages and filters)."""
    return {code: _(label) for code, label in table.items()}
