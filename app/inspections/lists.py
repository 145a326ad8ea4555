"""Use cases of the centre's lists: inspection items, targets and inspectors with their
former employers. Each change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code as credit_codes
from app.core.auth.models import Organisation, OrgKind, User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.inspections import actions, policies
from app.inspections.models import InspectionItem, InspectorEmployer, RosterEntry, RosterKind

TARGET_KINDS = (OrgKind.AGENCY, OrgKind.INTERMEDIARY, OrgKind.SUPPLIER)


def add_item(actor: User, name: str, basis: str = "") -> InspectionItem:
    policies.ensure_can_manage_inspections(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_l("请填写抽查事项名称。"), field="name")
    item = InspectionItem(
        centre_id=actor.centre_id,
        name=name[:200],
        basis=(basis or "").strip(),
        active=True,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(actions.ITEM_ADDED, item, {"name": item.name}, actor=actor)
    return item


def _on_list(centre_id: int, **subject: int) -> bool:
    stmt = select(RosterEntry.id).where(RosterEntry.centre_id == centre_id)
    for column, value in subject.items():
        stmt = stmt.where(getattr(RosterEntry, column) == value)
    return db.session.execute(stmt).first() is not None


def add_target(actor: User, org: Organisation) -> RosterEntry:
    policies.ensure_can_manage_inspections(actor)
    if org.kind not in TARGET_KINDS:
        raise ValidationError(_l("检查对象须为代理机构或供应商。"), field="organisation_id")
    if _on_list(actor.centre_id, organisation_id=org.id):
        raise Conflict(_l("%(n)s 已在检查对象名录中。", n=org.name))
    entry = RosterEntry(
        centre_id=actor.centre_id,
        kind=RosterKind.TARGET,
        organisation_id=org.id,
        active=True,
        created_at=clock.now(),
    )
    db.session.add(entry)
    db.session.flush()
    record(
        actions.TARGET_ADDED,
        entry,
        {"organisation_id": org.id, "credit_code": org.credit_code},
        actor=actor,
    )
    return entry


def add_inspector(
    actor: User, user: User, employers: list[dict[str, Any]] | None = None
) -> RosterEntry:
    policies.ensure_can_manage_inspections(actor)
    if not user.is_active:
        raise ValidationError(_l("该账号已停用，不能列入检查人员名录。"), field="user_id")
    if _on_list(actor.centre_id, user_id=user.id):
        raise Conflict(_l("%(n)s 已在检查人员名录中。", n=user.display_name))
    entry = RosterEntry(
        centre_id=actor.centre_id,
        kind=RosterKind.INSPECTOR,
        user_id=user.id,
        active=True,
        created_at=clock.now(),
    )
    db.session.add(entry)
    db.session.flush()
    record(actions.INSPECTOR_ADDED, entry, {"user_id": user.id}, actor=actor)
    for e in employers or []:
        add_employer(actor, entry, **e)
    return entry


def _day(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(_l("日期格式无效，应为 YYYY-MM-DD。"), field=field) from exc


def add_employer(
    actor: User,
    inspector: RosterEntry,
    credit_code: str,
    name: str = "",
    start_date: Any = None,
    end_date: Any = None,
) -> InspectorEmployer:
    """A former employer of an inspector: the draw never sends them to inspect it."""
    policies.ensure_can_manage_inspections(actor)
    if inspector.kind != RosterKind.INSPECTOR or inspector.centre_id != actor.centre_id:
        raise ValidationError(
            _l("只能为本中心名录中的检查人员登记原工作单位。"), field="inspector_id"
        )
    code = credit_codes.require_valid(credit_code)
    start, end = _day(start_date, "start_date"), _day(end_date, "end_date")
    if start and end and end < start:
        raise ValidationError(_l("结束日期不能早于开始日期。"), field="end_date")
    item = InspectorEmployer(
        inspector_id=inspector.id,
        credit_code=code,
        name=(name or "").strip()[:200],
        start_date=start,
        end_date=end,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.EMPLOYER_ADDED,
        inspector,
        {"credit_code": code, "name": item.name},
        actor=actor,
    )
    return item
