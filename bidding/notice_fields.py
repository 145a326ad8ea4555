"""What each kind of announcement's stored fields say, in words: one registry keyed by kind.

An announcement keeps its facts as a JSON object (`Announcement.fields`). Pages never show
those keys: each kind declares its fields here — a label (Chinese msgid, translated when
shown), how the value reads (money, a time, a method…) and, for a list of records such as
the candidates, the columns of its table. A key a kind does not declare is never shown, so
a later stage (the results, the contract) plugs in by calling `register_kind_fields` once.
Keys kept only for the system (ids, hashes) are declared with `label=None`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import formatting
from app.core.i18n import N_
from bidding import categories, methods
from bidding.labels import eval_label, method_label, status_label


def _text(value: Any) -> str:
    return str(value)


def _money(value: Any) -> str:
    try:
        return formatting.money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _datetime(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return formatting.cst(value)
    try:
        return formatting.cst(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)


def _until(value: Any) -> str:
    """The end of a period: 24:00 of its last day, as the law states it."""
    try:
        return formatting.cst_until(value if isinstance(value, dt.datetime) else str(value))
    except ValueError:
        return str(value)


def _date(value: Any) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    if str(get_locale()).startswith("en"):
        return day.isoformat()
    return day.strftime(formatting.CHINESE_DAY)


def _yes_no(value: Any) -> str:
    return _("是") if value else _("否")


def _days(value: Any) -> str:
    return _("%(n)s 日", n=value)


def _category(value: Any) -> str:
    return categories.label(str(value), str(get_locale()))


def _count(value: Any) -> str:
    return _("%(n)s 家", n=value)


def _rank(value: Any) -> str:
    return _("第 %(n)s 名", n=value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "text": _text,
    "money": _money,
    "datetime": _datetime,
    "until": _until,
    "date": _date,
    "yes_no": _yes_no,
    "days": _days,
    "category": _category,
    "method": lambda v: method_label(str(v)),
    "eval_method": lambda v: eval_label(str(v)),
    "status": lambda v: status_label(str(v)),
    "rank": _rank,
    "count": _count,
    "score": _text,
}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str | None  # untranslated msgid; None: kept for the system, never shown
    fmt: str = "text"
    # A list of records (candidates, lots) is shown as a table with these columns.
    columns: tuple[FieldSpec, ...] = ()
    # Shown only when this other field is true (the old deadline only if it moved).
    only_if: str | None = None
    # Other keys the same fact is stored under (a column of records written by different
    # stages: the result stages name a candidate `supplier_name`, earlier notices `supplier`).
    aliases: tuple[str, ...] = ()
    # The label is this word of the method's result (`bidding.methods.ResultWords`: the
    # winner is 中标人 or 成交供应商); `label` is tendering's word.
    word: str | None = None

    def label_for(self, words: methods.ResultWords) -> str:
        msgid = getattr(words, self.word) if self.word else self.label
        return _(msgid) if msgid else ""

    def value_in(self, item: Mapping[str, Any]) -> Any:
        for key in (self.key, *self.aliases):
            if not _is_empty(item.get(key)):
                return item.get(key)
        return None


@dataclass
class FieldRow:
    key: str
    label: str
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    # Text as its author wrote it (requirements, reasons): the notice's language, Chinese.
    written: bool = False

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


_REGISTRY: dict[str, tuple[FieldSpec, ...]] = {}


def register_kind_fields(kind: str, specs: Iterable[FieldSpec]) -> None:
    """Declare (or replace) the fields of one kind of announcement, in display order."""
    specs = tuple(specs)
    for spec in (*specs, *(c for s in specs for c in s.columns)):
        if spec.fmt not in FORMATS:
            raise ValueError(f"unknown field format {spec.fmt!r} for {kind}.{spec.key}")
    _REGISTRY[str(kind)] = specs


def kind_fields(kind: str, method: str | None = None) -> tuple[FieldSpec, ...]:
    """The fields of a kind of announcement as `method` reads them (a method may read a
    kind with an entry of its own: `bidding.methods.notice_field_kind`)."""
    return _REGISTRY.get(methods.notice_field_kind(method, str(kind)), ())


def undeclared_keys(kind: str, fields: Mapping[str, Any], method: str | None = None) -> set[str]:
    """Stored keys the kind does not declare (a test keeps this empty for every kind)."""
    declared = {s.key for s in kind_fields(kind, method)}
    return {k for k in fields if k not in declared}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def field_rows(
    kind: str,
    fields: Mapping[str, Any],
    *,
    omit: Iterable[str] = (),
    method: str | None = None,
) -> list[FieldRow]:
    """The announcement's facts as labelled rows in the reader's language, in the words
    of the lot's procurement `method` (中标 or 成交; tendering's when not given).

    `omit` names keys the page already states elsewhere (its project card), so that each
    fact is stated once.
    """
    skip = set(omit)
    words = methods.words_for(method)
    out: list[FieldRow] = []
    for spec in kind_fields(kind, method):
        value = fields.get(spec.key)
        if spec.label is None or spec.key in skip or _is_empty(value):
            continue
        if spec.only_if is not None and not fields.get(spec.only_if):
            continue
        if spec.columns and isinstance(value, Sequence) and not isinstance(value, str):
            out.append(
                FieldRow(
                    spec.key,
                    spec.label_for(words),
                    headers=[_(c.label) for c in spec.columns if c.label],
                    rows=[_record_cells(spec.columns, item) for item in value],
                )
            )
        else:
            text = FORMATS[spec.fmt](value)
            out.append(FieldRow(spec.key, spec.label_for(words), text, written=spec.fmt == "text"))
    return out


def _record_cells(columns: Sequence[FieldSpec], item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return [str(item)] + [""] * (len(columns) - 1)
    return [
        formatting.MISSING if _is_empty(c.value_in(item)) else FORMATS[c.fmt](c.value_in(item))
        for c in columns
        if c.label
    ]


# The project and its parties: every notice of a project starts with these.
PROJECT = (
    FieldSpec("project_code", N_("项目编号")),
    FieldSpec("trade_id", N_("交易编号")),
    FieldSpec("project_name", N_("项目名称")),
    FieldSpec("lot_id", None),
    FieldSpec("lot_code", N_("标段编号")),
    FieldSpec("lot_name", N_("标段名称")),
)
PARTIES = (
    FieldSpec("purchaser_name", N_("采购人")),
    FieldSpec("purchaser_address", N_("采购人地址")),
    FieldSpec("purchaser_contact", N_("采购人联系人")),
    FieldSpec("purchaser_phone", N_("采购人电话")),
    FieldSpec("agency_name", N_("代理机构")),
    FieldSpec("agency_address", N_("代理机构地址")),
    FieldSpec("agency_contact", N_("代理机构联系人")),
    FieldSpec("agency_phone", N_("代理机构电话")),
)
# Facts the portal's project card and timetable already state for a notice of one lot.
SHOWN_WITH_PROJECT = frozenset(
    {
        "project_code",
        "trade_id",
        "project_name",
        "lot_code",
        "lot_name",
        "purchaser_name",
        "agency_name",
        "method",
        "category_code",
    }
)
SHOWN_WITH_LOT = frozenset(
    {"budget", "ceiling_price", "bid_bond", "doc_start_at", "doc_end_at", "bid_deadline"}
    | {"opening_place"}
)

LOT_COLUMNS = (
    FieldSpec("lot_id", None),
    FieldSpec("lot_code", N_("标段编号")),
    FieldSpec("lot_name", N_("标段名称")),
    FieldSpec("category_code", N_("标段分类"), "category"),
    FieldSpec("budget", N_("预算金额"), "money"),
    FieldSpec("ceiling_price", N_("最高限价"), "money"),
    FieldSpec("floor_price", N_("最低限价"), "money"),
    FieldSpec("bid_bond", N_("投标保证金"), "money"),
    FieldSpec("evaluation_method", N_("评标办法"), "eval_method"),
    FieldSpec("validity_days", N_("投标有效期"), "days"),
    FieldSpec("doc_start_at", None),
    FieldSpec("doc_end_at", None),
    FieldSpec("bid_deadline", N_("投标截止/开标时间"), "datetime"),
    FieldSpec("opening_time", None),
    FieldSpec("opening_place", None),
)
CANDIDATE_COLUMNS = (
    FieldSpec("rank", N_("排名"), "rank"),
    FieldSpec("supplier", N_("供应商"), aliases=("supplier_name",)),
    FieldSpec("price", N_("投标报价"), "money"),
    FieldSpec("score", N_("综合得分"), "score", aliases=("total",)),
)
# Candidates ranked above the winner and the law's reason each was passed over; the
# reason's code stays for the system, its words (`reason_label`) are shown.
PASSED_OVER_COLUMNS = (
    FieldSpec("rank", N_("排名"), "rank"),
    FieldSpec("reason", None),
    FieldSpec("reason_label", N_("理由")),
    FieldSpec("note", N_("说明")),
)
# Bids the committee rejected, as the signed report hands them to the result stages.
REJECTED_COLUMNS = (
    FieldSpec("supplier_name", N_("投标人"), aliases=("supplier",)),
    FieldSpec("reason", N_("否决原因")),
)

REJECTED_COLUMNS = (
    FieldSpec("bid_id", None),
    FieldSpec("supplier_id", None),
    FieldSpec("supplier_name", N_("投标人")),
    FieldSpec("reason", N_("否决理由")),
)

register_kind_fields(
    "intent",
    (
        *PROJECT,
        FieldSpec("method", N_("采购方式"), "method"),
        FieldSpec("category_code", N_("标段分类"), "category"),
        FieldSpec("budget", N_("预算金额"), "money"),
        FieldSpec("requirements", N_("采购需求概况")),
        FieldSpec("expected_month", N_("预计采购时间")),
        FieldSpec("plan_code", N_("采购计划编号")),
        FieldSpec("budget_item_code", N_("预算项目编码")),
        FieldSpec("plan_funding_source", N_("资金来源")),
        FieldSpec("plan_amount", N_("计划金额"), "money"),
        FieldSpec("remarks", N_("备注")),
        *PARTIES,
    ),
)
register_kind_fields(
    "tender",
    (
        *PROJECT,
        FieldSpec("method", N_("采购方式"), "method"),
        FieldSpec("category_code", N_("标段分类"), "category"),
        FieldSpec("funding_source", N_("资金来源")),
        FieldSpec("intent_exemption", N_("未公开采购意向的说明")),
        FieldSpec("budget", N_("预算金额"), "money"),
        FieldSpec("ceiling_price", N_("最高限价"), "money"),
        FieldSpec("lots", N_("标段"), columns=LOT_COLUMNS),
        FieldSpec("requirements", N_("采购需求")),
        FieldSpec("qualifications", N_("投标人资格要求")),
        FieldSpec("doc_obtain_method", N_("招标文件获取方式")),
        FieldSpec("doc_start_at", N_("文件获取开始"), "datetime"),
        FieldSpec("doc_end_at", N_("文件获取截止"), "datetime"),
        FieldSpec("bid_deadline", N_("投标截止/开标时间"), "datetime"),
        FieldSpec("opening_place", N_("开标地点")),
        FieldSpec("bid_submission", N_("投标文件递交方式")),
        FieldSpec("single_source_reason", N_("采用单一来源方式的理由")),
        FieldSpec("supplier_name", N_("拟定的唯一供应商名称")),
        FieldSpec("remarks", N_("其他补充事宜")),
        *PARTIES,
    ),
)
# 单一来源采购公示: published as the lot's tender notice, it says what the publicity is
# about — the proposed supplier, the reason, the experts' opinion, its period and how to
# object — not a tender's documents, deadline and opening, which stay for the system.
register_kind_fields(
    "single_source_publicity",
    (
        *PROJECT,
        FieldSpec("method", N_("采购方式"), "method"),
        FieldSpec("category_code", N_("标段分类"), "category"),
        FieldSpec("funding_source", N_("资金来源")),
        FieldSpec("budget", N_("预算金额"), "money"),
        FieldSpec("ceiling_price", None),
        FieldSpec("lots", None),
        FieldSpec("requirements", N_("拟采购的货物或服务")),
        FieldSpec("supplier_name", N_("拟定的唯一供应商名称")),
        FieldSpec("supplier_address", N_("拟定的唯一供应商地址")),
        FieldSpec("single_source_reason", N_("采用单一来源方式的理由")),
        FieldSpec("expert_opinion", N_("专业人员论证意见")),
        FieldSpec("publicity_start", N_("公示开始"), "datetime"),
        FieldSpec("publicity_end", N_("公示截止"), "until"),
        FieldSpec("objection_how", N_("异议方式")),
        FieldSpec("qualifications", None),
        FieldSpec("doc_obtain_method", None),
        FieldSpec("doc_start_at", None),
        FieldSpec("doc_end_at", None),
        FieldSpec("bid_deadline", None),
        FieldSpec("opening_place", None),
        FieldSpec("bid_submission", None),
        FieldSpec("remarks", N_("其他补充事宜")),
        *PARTIES,
    ),
)
register_kind_fields(
    "clarification",
    (
        FieldSpec("deadline_moved", N_("投标截止时间是否顺延"), "yes_no"),
        FieldSpec("old_deadline", N_("原投标截止时间"), "datetime", only_if="deadline_moved"),
        FieldSpec("new_deadline", N_("投标截止时间"), "datetime"),
        FieldSpec("document_version", N_("招标文件版本")),
        FieldSpec("document_sha256", None),
        # A prequalification notice's correction (资格预审更正公告).
        *PROJECT,
        FieldSpec("prequal_id", None),
        FieldSpec("offer_end_moved", None),
        FieldSpec("application_deadline_moved", None),
        FieldSpec("content", N_("更正内容")),
        FieldSpec(
            "old_offer_end_at",
            N_("原资格预审文件获取截止时间"),
            "datetime",
            only_if="offer_end_moved",
        ),
        FieldSpec("offer_end_at", N_("资格预审文件获取截止时间"), "datetime"),
        FieldSpec(
            "old_application_deadline",
            N_("原资格预审申请截止时间"),
            "datetime",
            only_if="application_deadline_moved",
        ),
        FieldSpec("application_deadline", N_("资格预审申请截止时间"), "datetime"),
        FieldSpec("document_replaced", N_("资格预审文件是否更新"), "yes_no"),
        *PARTIES,
    ),
)
register_kind_fields(
    "candidates",
    (
        *PROJECT,
        FieldSpec("candidates", N_("中标候选人"), columns=CANDIDATE_COLUMNS, word="candidates"),
        FieldSpec("rejected", N_("被否决的投标"), columns=REJECTED_COLUMNS),
        FieldSpec("publicity_start", N_("公示开始"), "date"),
        FieldSpec("publicity_end", N_("公示截止"), "date"),
        FieldSpec("publicity_end_at", N_("公示截止"), "datetime"),
        FieldSpec("answer_days", N_("异议答复期限"), "days"),
        FieldSpec("report_sha256", N_("评标报告 SHA-256")),
        *PARTIES,
    ),
)
register_kind_fields(
    "result",
    (
        *PROJECT,
        FieldSpec("winner", N_("中标人"), word="winner"),
        FieldSpec("winner_supplier_id", None),
        FieldSpec("winner_rank", N_("在候选人中的排名"), "rank"),
        FieldSpec("amount", N_("中标金额"), "money", word="amount"),
        FieldSpec("passed_over", N_("排名在前未中标的候选人"), columns=PASSED_OVER_COLUMNS),
        FieldSpec("challenge_until", N_("质疑期限"), "datetime"),
        FieldSpec("contract_due", N_("合同备案期限"), "datetime"),
        *PARTIES,
    ),
)
register_kind_fields(
    "contract",
    (
        *PROJECT,
        FieldSpec("contract_number", N_("合同编号")),
        FieldSpec("supplier", N_("供应商")),
        FieldSpec("supplier_id", None),
        FieldSpec("amount", N_("合同金额"), "money"),
        FieldSpec("signed_on", N_("合同签订日期"), "date"),
        FieldSpec("amendment_reason", N_("变更原因")),
        FieldSpec("contract_sha256", N_("合同文件 SHA-256")),
        *PARTIES,
    ),
)
register_kind_fields(
    "termination",
    (
        *PROJECT,
        FieldSpec("reason", N_("终止原因")),
        FieldSpec("previous_status", N_("终止前状态"), "status"),
        FieldSpec("prequal_id", None),
        *PARTIES,
    ),
)
# The public notice that the review is over: no count and no name of any applicant, since
# the number of potential bidders stays secret until the opening (招标投标法 第二十二条).
register_kind_fields(
    "prequal_result",
    (
        *PROJECT,
        FieldSpec("prequal_id", None),
        FieldSpec("review_method", N_("资格审查方法")),
        FieldSpec("concluded_at", N_("资格审查结束时间"), "datetime"),
        *PARTIES,
    ),
)
register_kind_fields(
    "failure",
    (
        *PROJECT,
        FieldSpec("stage", None),
        FieldSpec("reason", N_("流标/废标原因")),
        FieldSpec("bid_count", N_("递交投标文件的投标人"), "count"),
        FieldSpec("valid_count", N_("有效投标"), "count"),
        FieldSpec("rejected", N_("被否决的投标"), columns=REJECTED_COLUMNS),
        FieldSpec("failed_at", N_("流标/废标时间"), "datetime"),
        FieldSpec("next_step", N_("后续安排")),
        *PARTIES,
    ),
)
register_kind_fields(
    "prequal",
    (
        *PROJECT,
        FieldSpec("method", N_("采购方式"), "method"),
        FieldSpec("budget", N_("预算金额"), "money"),
        FieldSpec("requirements", N_("申请人资格要求")),
        FieldSpec("consortium_allowed", N_("是否接受联合体申请"), "yes_no"),
        FieldSpec("review_method", N_("资格审查方法")),
        FieldSpec("document_price", N_("资格预审文件售价"), "money"),
        FieldSpec("offer_start_at", N_("资格预审文件获取开始时间"), "datetime"),
        FieldSpec("offer_end_at", N_("资格预审文件获取截止时间"), "datetime"),
        FieldSpec("application_deadline", N_("资格预审申请截止时间"), "datetime"),
        FieldSpec("submission_place", N_("申请文件递交方式")),
        FieldSpec("document_sha256", N_("资格预审文件 SHA-256")),
        FieldSpec("prequal_id", None),
        *PARTIES,
    ),
)
