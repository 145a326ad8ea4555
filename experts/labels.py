"""Chinese labels and badge colours for draw states, invitation states and draw-log entries."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from experts.specialties import SEED

DRAW_STATUS: dict[str, tuple[Any, str]] = {
    "pending": (_l("待抽取"), "badge-amber"),
    "committed": (_l("已承诺，待完成"), "badge-amber"),
    "drawn": (_l("已抽取"), "badge-green"),
    "revealed": (_l("种子已公开"), "badge-blue"),
    "cancelled": (_l("已作废"), "badge-red"),
}

INVITATION_STATE: dict[str, tuple[Any, str]] = {
    "waiting": (_l("候补待命"), "badge-blue"),
    "invited": (_l("待答复"), "badge-amber"),
    "confirmed": (_l("已确认参加"), "badge-green"),
    "declined": (_l("已拒绝"), "badge-red"),
    "no_answer": (_l("超时未答复"), "badge-red"),
    "replaced": (_l("已回避替换"), "badge-red"),
    "unused": (_l("未启用"), "badge-blue"),
}

EXPERT_STATUS: dict[str, tuple[Any, str]] = {
    "active": (_l("在库"), "badge-green"),
    "suspended": (_l("暂停"), "badge-amber"),
    "retired": (_l("已出库"), "badge-red"),
}
RELATION_KIND: dict[str, Any] = {
    "relative": _l("近亲属任职"),
    "shareholder": _l("持股/投资"),
    "director": _l("董事/高管/控制"),
    "consultant": _l("顾问/兼职"),
    "other": _l("其他利害关系"),
}
CREDIT_KIND: dict[str, Any] = {
    "reward": _l("奖励"),
    "penalty": _l("扣分/处罚"),
    "ban": _l("禁评"),
}

LOG_ACTION: dict[str, Any] = {
    "experts.draw_requested": _l("登记抽取申请"),
    "experts.draw_committed": _l("写入抽取承诺（专家池哈希、种子哈希）"),
    "experts.draw_drawn": _l("完成抽取排序"),
    "experts.draw_supplement_requested": _l("发起补抽"),
    "experts.draw_cancelled": _l("作废抽取"),
    "experts.draw_revealed": _l("公开抽取种子"),
    "experts.invited": _l("通知专家"),
    "experts.invitation_answered": _l("专家答复"),
    "experts.conflict_declared": _l("专家申报回避"),
    "experts.invitation_expired": _l("答复超时，转候补"),
    "experts.draw_short": _l("补抽专家不足"),
    "experts.signed_in": _l("专家签到"),
}


def _value(state: Any) -> str:
    return str(getattr(state, "value", state))


def draw_status(state: Any) -> str:
    return str(DRAW_STATUS.get(_value(state), (_value(state), ""))[0])


def draw_badge(state: Any) -> str:
    return DRAW_STATUS.get(_value(state), ("", "badge-blue"))[1]


def invitation_state(state: Any) -> str:
    return str(INVITATION_STATE.get(_value(state), (_value(state), ""))[0])


def invitation_badge(state: Any) -> str:
    return INVITATION_STATE.get(_value(state), ("", "badge-blue"))[1]


def log_action(action: str) -> str:
    label = LOG_ACTION.get(action)
    return str(label) if label is not None else action


def log_detail(entry: Any) -> str:
    """A short reading of a draw-log entry's data (answers, seats, reasons)."""
    import json

    from flask_babel import gettext as _

    try:
        data = json.loads(entry.data or "{}")
    except ValueError:
        return ""
    action = entry.action
    if action == "experts.invitation_answered":
        if data.get("join"):
            return _("参加")
        return _("拒绝：%(r)s", r=data.get("reason", ""))
    if action == "experts.invited":
        return _(
            "第 %(g)s 组第 %(r)s 位", g=int(data.get("slot", 0)) + 1, r=int(data.get("rank", 0)) + 1
        )
    if action in ("experts.conflict_declared", "experts.draw_cancelled"):
        return str(data.get("reason", ""))
    if action == "experts.draw_committed":
        sizes = data.get("pool_sizes") or []
        return _("可抽专家 %(n)s 人", n=" + ".join(str(n) for n in sizes))
    if action == "experts.draw_short":
        return str(data.get("message", ""))
    return ""


def status(state: Any) -> str:
    return str(EXPERT_STATUS.get(_value(state), (_value(state), ""))[0])


def status_badge(state: Any) -> str:
    return EXPERT_STATUS.get(_value(state), ("", "badge-blue"))[1]


def relation_kind(kind: Any) -> str:
    return str(RELATION_KIND.get(_value(kind), _value(kind)))


def credit_kind(kind: Any) -> str:
    return str(CREDIT_KIND.get(_value(kind), _value(kind)))


def specialty(code: Any) -> str:
    """A specialty code as its name (codes are for the draw, names for people)."""
    return _SPECIALTY_NAMES.get(str(code or ""), str(code or ""))


_SPECIALTY_NAMES: dict[str, str] = dict(SEED)


FILTERS = {
    "specialty": specialty,
    "status": status,
    "status_badge": status_badge,
    "relation_kind": relation_kind,
    "credit_kind": credit_kind,
    "draw_status": draw_status,
    "draw_badge": draw_badge,
    "invitation_state": invitation_state,
    "invitation_badge": invitation_badge,
    "draw_log_action": log_action,
    "draw_log_detail": log_detail,
}
