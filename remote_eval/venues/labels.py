"""Words for the states of bookings and assistance requests (never the raw values)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from remote_eval.venues.models import AssistanceStatus, BookingStatus

BOOKING = {BookingStatus.ACTIVE: _l("已预约"), BookingStatus.RELEASED: _l("已释放")}
ASSISTANCE = {
    AssistanceStatus.PENDING: _l("待答复"),
    AssistanceStatus.ACCEPTED: _l("已接受"),
    AssistanceStatus.DECLINED: _l("已拒绝"),
    AssistanceStatus.EXPIRED: _l("逾期未答复"),
    AssistanceStatus.WITHDRAWN: _l("已撤回"),
}
BADGE = {
    AssistanceStatus.PENDING: "badge-amber",
    AssistanceStatus.ACCEPTED: "badge-green",
    AssistanceStatus.DECLINED: "badge-red",
    AssistanceStatus.EXPIRED: "badge-red",
    AssistanceStatus.WITHDRAWN: "",
    BookingStatus.ACTIVE: "badge-green",
    BookingStatus.RELEASED: "",
}
ACTIONS = {
    "assistance.requested": _l("发出请求"),
    "assistance.accepted": _l("接受并预留工位"),
    "assistance.declined": _l("拒绝"),
    "assistance.expired": _l("逾期未答复"),
    "assistance.withdrawn": _l("撤回"),
}


def status_label(value: Any) -> str:
    for table in (BOOKING, ASSISTANCE):
        for key, label in table.items():
            if key.value == getattr(value, "value", value):
                return str(label)
    return ""


def badge(value: Any) -> str:
    for key, cls in BADGE.items():
        if key.value == getattr(value, "value", value) and type(key) is type(value):
            return cls
    return ""


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, ""))
