"""The service-type catalogue (中介服务类别): an editable tree kept by administrators."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import record
from app.core.errors import NotFound, ValidationError
from app.core.extensions import db
from app.market import actions, policies
from app.market.models import ServiceType

CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


def all_types(active_only: bool = False) -> list[ServiceType]:
    q = select(ServiceType).order_by(ServiceType.sort, ServiceType.code)
    if active_only:
        q = q.where(ServiceType.active.is_(True))
    return list(db.session.execute(q).scalars())


def tree(active_only: bool = False) -> list[tuple[ServiceType, int]]:
    """Every type with its depth, parents before their children."""
    types = all_types(active_only)
    children: dict[str | None, list[ServiceType]] = {}
    for t in types:
        children.setdefault(t.parent_code, []).append(t)
    codes = {t.code for t in types}
    out: list[tuple[ServiceType, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for t in children.get(parent, []):
            out.append((t, depth))
            walk(t.code, depth + 1)

    walk(None, 0)
    # A child whose parent is inactive (filtered out) still shows, at the top.
    for t in types:
        if t.parent_code is not None and t.parent_code not in codes:
            out.append((t, 0))
    return out


def leaf_types(active_only: bool = True) -> list[ServiceType]:
    """Types an agency declares and a need names: those without children."""
    types = all_types(active_only)
    parents = {t.parent_code for t in types}
    return [t for t in types if t.code not in parents]


def type_name(t: ServiceType | None) -> str:
    if t is None:
        return "—"
    if str(get_locale()).startswith("en") and t.name_en:
        return t.name_en
    return t.name


def get_type(code: str) -> ServiceType:
    t = db.session.get(ServiceType, code)
    if t is None or not t.active:
        raise NotFound(_l("服务类别 %(c)s 不存在。", c=code), field="type_code")
    return t


def save_type(actor: Any, data: dict[str, Any]) -> ServiceType:
    """Create or rename a type, move it under a parent, or switch it off."""
    policies.ensure_can_edit_catalogue(actor)
    code = str(data.get("code", "")).strip()
    if not CODE.match(code):
        raise ValidationError(_l("类别编码应为 1–20 位字母、数字、短横或下划线。"), field="code")
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 60:
        raise ValidationError(_l("请填写类别名称（不超过 60 字）。"), field="name")
    parent = (data.get("parent_code") or "").strip() or None
    if parent is not None:
        if parent == code:
            raise ValidationError(_l("类别不能是自己的上级。"), field="parent_code")
        node = db.session.get(ServiceType, parent)
        seen = {code}
        while node is not None:
            if node.code in seen:
                raise ValidationError(_l("上级类别不能是它自己的下级。"), field="parent_code")
            seen.add(node.code)
            node = db.session.get(ServiceType, node.parent_code) if node.parent_code else None
        if db.session.get(ServiceType, parent) is None:
            raise ValidationError(_l("上级类别 %(c)s 不存在。", c=parent), field="parent_code")
    item = db.session.get(ServiceType, code)
    created = item is None
    if item is None:
        item = ServiceType(code=code)
        db.session.add(item)
    item.name = name
    item.name_en = str(data.get("name_en", "") or "").strip()[:120]
    item.parent_code = parent
    item.sort = int(data.get("sort") or 0)
    item.active = bool(data.get("active", True))
    db.session.flush()
    record(
        actions.TYPE_SAVED,
        object_type="market_service_type",
        object_id=code,
        data={"name": name, "parent": parent, "active": item.active, "created": created},
        actor=actor,
    )
    return item
