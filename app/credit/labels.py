"""Words for people of credit record kinds (never the stored value on a page)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

KIND_LABELS: dict[str, Any] = {
    "good": _l("良好行为"),
    "bad": _l("不良行为"),
    "blacklist": _l("失信（禁止参加）"),
    # experts' own record kinds
    "reward": _l("良好行为"),
    "penalty": _l("不良行为"),
    "ban": _l("失信（禁止参加）"),
}
KIND_BADGES = {
    "good": "badge-green",
    "bad": "badge-amber",
    "blacklist": "badge-red",
    "reward": "badge-green",
    "penalty": "badge-amber",
    "ban": "badge-red",
}


def _value(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


def kind_label(kind: Any) -> str:
    return str(KIND_LABELS.get(_value(kind), _value(kind)))


def kind_badge(kind: Any) -> str:
    return KIND_BADGES.get(_value(kind), "")
