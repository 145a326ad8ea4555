"""Words for people of campaign states, outcomes and list kinds."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

STATUS: dict[str, Any] = {
    "draft": _l("待抽取"),
    "committed": _l("抽取中"),
    "drawn": _l("检查中"),
    "published": _l("结果已公开"),
}
STATUS_BADGE = {
    "draft": "",
    "committed": "badge-amber",
    "drawn": "badge-blue",
    "published": "badge-green",
}
OUTCOME: dict[str, Any] = {
    "ok": _l("未发现问题"),
    "issues": _l("发现问题，责令整改"),
    "serious": _l("发现违法违规线索，移交处理"),
}
OUTCOME_BADGE = {"ok": "badge-green", "issues": "badge-amber", "serious": "badge-red"}
ORG_KIND: dict[str, Any] = {
    "agency": _l("代理机构"),
    "intermediary": _l("中介机构"),
    "supplier": _l("供应商"),
}


def _v(value: Any) -> str:
    return str(getattr(value, "value", value))


def status(value: Any) -> str:
    return str(STATUS.get(_v(value), _v(value)))


def status_badge(value: Any) -> str:
    return STATUS_BADGE.get(_v(value), "")


def outcome(value: Any) -> str:
    return str(OUTCOME.get(_v(value), _v(value)))


def outcome_badge(value: Any) -> str:
    return OUTCOME_BADGE.get(_v(value), "")


def org_kind(value: Any) -> str:
    return str(ORG_KIND.get(_v(value), _v(value)))
