"""Packages register their menu entries here; base.html shows those the user's role may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    roles: frozenset[str]
    order: int = 50
    # Finer than the role: e.g. only staff of a trading centre, not of an agency.
    when: Callable[[Any], bool] | None = None


_items: list[NavItem] = []

ROLE_LABELS = {
    "admin": _l("管理员"),
    "staff": _l("代理机构/中心"),
    "supplier": _l("供应商"),
    "expert": _l("评标专家"),
    "supervisor": _l("监督人员"),
    "purchaser": _l("采购人"),
    "intermediary": _l("中介机构"),
    "system": _l("系统"),
}


def register_nav(
    endpoint: str,
    label: Any,
    roles: tuple[str, ...] | list[str],
    order: int = 50,
    when: Callable[[Any], bool] | None = None,
) -> None:
    item = NavItem(endpoint, label, frozenset(roles), order, when)
    if item not in _items:
        _items.append(item)


def nav_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    role = current_user.role.value
    out = []
    for item in sorted(_items, key=lambda i: i.order):
        if role in item.roles and (item.when is None or item.when(current_user)):
            try:
                out.append({"url": url_for(item.endpoint), "label": str(item.label)})
            except Exception:  # endpoint of a package not installed
                continue
    return out


def unread_count() -> int:
    from app.core.extensions import db
    from app.core.notify import Notification

    if not current_user.is_authenticated:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
    ).scalar_one()


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def install(app: Any) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, unread_count=unread_count, role_label=role_label
    )
