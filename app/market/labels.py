"""Words for the market's states, methods and qualification levels (never raw values on a page)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.market.models import AgencyStatus, AppealStatus, NeedMethod, NeedStatus

METHOD_LABELS: dict[NeedMethod, Any] = {
    NeedMethod.AUCTION: _l("网上竞价"),
    NeedMethod.DIRECT: _l("直接选取"),
    NeedMethod.RANDOM: _l("随机抽取"),
    NeedMethod.SEALED: _l("综合评审"),
}
STATUS_LABELS: dict[NeedStatus, Any] = {
    NeedStatus.OPEN: _l("公开征集中"),
    NeedStatus.CLOSED: _l("竞价结束待确认"),  # sealed quotes: see CLOSED_SEALED
    NeedStatus.AWARDED: _l("已成交"),
    NeedStatus.CONTRACTED: _l("合同已上传"),
    NeedStatus.COMPLETED: _l("服务已完成"),
    NeedStatus.CANCELLED: _l("已终止"),
}
AGENCY_STATUS_LABELS: dict[AgencyStatus, Any] = {
    AgencyStatus.ACTIVE: _l("正常"),
    AgencyStatus.SUSPENDED: _l("已暂停"),
    AgencyStatus.REMOVED: _l("已清退"),
}
APPEAL_STATUS_LABELS: dict[AppealStatus, Any] = {
    AppealStatus.OPEN: _l("待处理"),
    AppealStatus.UPHELD: _l("申诉成立，已恢复"),
    AppealStatus.REJECTED: _l("申诉不成立"),
}
# Level 1 is the highest; a need asking for level n accepts 1..n.
LEVEL_LABELS: dict[int, Any] = {1: _l("甲级"), 2: _l("乙级"), 3: _l("丙级及以上（不限）")}
QUAL_LEVEL_LABELS: dict[int, Any] = {1: _l("甲级"), 2: _l("乙级"), 3: _l("丙级")}
SCORE_LABELS: dict[str, Any] = {
    "quality": _l("服务质量"),
    "timeliness": _l("服务时效"),
    "fee": _l("收费合理"),
    "conduct": _l("执业规范"),
}


def method_label(method: NeedMethod) -> str:
    return str(METHOD_LABELS[method])


# A sealed-quote need is CLOSED from the opening of its quotes until the award.
CLOSED_SEALED = _l("报价已开启，评审中")


def status_label(status: NeedStatus, method: NeedMethod | None = None) -> str:
    if status == NeedStatus.CLOSED and method == NeedMethod.SEALED:
        return str(CLOSED_SEALED)
    return str(STATUS_LABELS[status])


def level_label(level: int) -> str:
    return str(LEVEL_LABELS.get(level, level))


def qual_level_label(level: int) -> str:
    return str(QUAL_LEVEL_LABELS.get(level, level))


def agency_status_label(status: AgencyStatus) -> str:
    return str(AGENCY_STATUS_LABELS[status])


def appeal_status_label(status: AppealStatus) -> str:
    return str(APPEAL_STATUS_LABELS[status])
