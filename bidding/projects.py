"""Projects and lots: register, add and edit lots, and look them up.

Every function takes ORM objects and the acting user, checks the policy again, raises a
DomainError with a user-facing message, flushes (never commits) and writes its audit
entry in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from bidding import actions, policies
from bidding.forms import LOT_FIELDS, category_field, clean_lot, enum_field, text_field
from bidding.labels import METHOD_LABELS, status_label
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Method, Project
from bidding.plans import plans
from bidding.plans.models import PlanLine

MAX_LOTS = 50


def _next_sequence(centre_code: str, year: int) -> int:
    prefix = f"{centre_code}-{year}-"
    rows = db.session.execute(
        select(Project.trade_id).where(Project.trade_id.like(prefix + "%"))
    ).scalars()
    highest = 0
    for trade_id in rows:
        tail = trade_id.removeprefix(prefix)
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest + 1


def _lot_snapshot(lot: Lot) -> dict[str, Any]:
    return {
        "code": lot.code,
        "name": lot.name,
        "category_code": lot.category_code,
        "budget": str(lot.budget),
        "ceiling_price": str(lot.ceiling_price) if lot.ceiling_price is not None else None,
        "floor_price": str(lot.floor_price) if lot.floor_price is not None else None,
        "bid_bond": str(lot.bid_bond),
        "evaluation_method": lot.evaluation_method.value,
        "committee_size": lot.committee_size,
        "validity_days": lot.validity_days,
        "doc_start_at": lot.doc_start_at.isoformat() if lot.doc_start_at else None,
        "doc_end_at": lot.doc_end_at.isoformat() if lot.doc_end_at else None,
        "bid_deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "opening_place": lot.opening_place,
    }


def create_project(
    user: User,
    *,
    purchaser: Organisation | None,
    name: str,
    method: Method | str,
    category_code: str,
    lots: Sequence[Mapping[str, Any]],
    description: str = "",
    funding_source: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    plan_line: PlanLine | None = None,
) -> Project:
    """Register a project of the staff's agency, in the staff's centre, with its lots;
    with a plan line, its budget is drawn from what the line has left."""
    policies.ensure_can_create_project(user)
    centre = user.centre
    name = text_field(name, _("项目名称"), "", "name", required=True, max_len=200)
    method_value = enum_field(Method, method, _("采购方式"), "", "method", METHOD_LABELS)
    category = category_field(category_code, "", "category_code")
    if purchaser is None:
        raise ValidationError(_("请选择采购人。"), field="purchaser_id")
    if purchaser.kind != OrgKind.PURCHASER:
        raise ValidationError(
            _("“%(name)s”不是采购人单位，请选择一家采购人（采购单位）。", name=purchaser.name),
            field="purchaser_id",
        )
    if purchaser.centre_id is not None and purchaser.centre_id != centre.id:
        raise ValidationError(
            _("采购人“%(name)s”不属于本交易中心。", name=purchaser.name), field="purchaser_id"
        )
    description = text_field(
        description, _("项目概况"), "", "description", required=False, max_len=5000
    )
    funding_source = text_field(
        funding_source, _("资金来源"), "", "funding_source", required=False, max_len=100
    )
    contact_name = text_field(
        contact_name, _("项目联系人"), "", "contact_name", required=False, max_len=60
    )
    contact_phone = text_field(
        contact_phone, _("联系电话"), "", "contact_phone", required=False, max_len=40
    )
    if not lots:
        raise ValidationError(_("项目至少需要一个标段。"), field="lots")
    if len(lots) > MAX_LOTS:
        raise ValidationError(_("一个项目最多 %(n)s 个标段。", n=MAX_LOTS), field="lots")
    cleaned = [
        clean_lot(
            data,
            project_category=category,
            centre_settings=centre.settings,
            index=i if len(lots) > 1 else None,
        )
        for i, data in enumerate(lots)
    ]

    total = sum((values["budget"] for values in cleaned), Decimal("0"))
    if plan_line is not None:
        plans.check_project_line(user, plan_line, purchaser.id, method_value)
        plans.check_project_method(plan_line, method_value, total)
        # First of all writes: a second registration on the same line waits here, on the
        # line's row, not on the centre's numbering lock below.
        plans.reserve(plan_line, total)
    else:
        plans.check_unplanned_method(centre, method_value, total)

    now = clock.now()
    year = clock.cst_date(now).year
    # Two registrations in one centre must not draw the same number: lock the centre row
    # (PostgreSQL; SQLite serialises writers anyway) until this transaction ends.
    db.session.execute(select(Centre.id).where(Centre.id == centre.id).with_for_update())
    seq = _next_sequence(centre.code, year)
    project = Project(
        code=f"{centre.code}{year}{seq:04d}",
        trade_id=f"{centre.code}-{year}-{seq:04d}",
        name=name,
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=user.organisation_id,
        method=method_value,
        category_code=category,
        description=description,
        funding_source=funding_source,
        contact_name=contact_name,
        contact_phone=contact_phone,
        plan_line_id=plan_line.id if plan_line is not None else None,
        created_by_id=user.id,
        created_at=now,
    )
    db.session.add(project)
    db.session.flush()
    if plan_line is not None:
        plans.record_draw(user, plan_line, project, total)
    for i, values in enumerate(cleaned, start=1):
        lot = Lot(project_id=project.id, seq=i, code=f"{project.code}-{i:02d}", **values)
        db.session.add(lot)
    db.session.flush()
    db.session.refresh(project, ["lots"])
    record(
        actions.PROJECT_CREATED,
        project,
        {
            "code": project.code,
            "trade_id": project.trade_id,
            "name": project.name,
            "method": project.method.value,
            "purchaser_id": purchaser.id,
            "plan_line_id": project.plan_line_id,
            "lots": [_lot_snapshot(lot) for lot in project.lots],
        },
        actor=user,
    )
    return project


def _draw_for(user: User, project: Project, amount: Decimal) -> None:
    """A lot added, or a budget changed, moves what the project's plan line has left."""
    if project.plan_line_id is None:
        if amount > 0:
            plans.check_unplanned_method(
                project.centre, project.method, _project_total(project) + amount
            )
        return
    line = db.session.get(PlanLine, project.plan_line_id)
    assert line is not None  # a foreign key
    if amount > 0:
        plans.check_project_method(line, project.method, _project_total(project) + amount)
    plans.draw(user, line, project, amount)


def _project_total(project: Project) -> Decimal:
    return sum((lot.budget for lot in project.lots), Decimal("0"))


def add_lot(user: User, project: Project, data: Mapping[str, Any]) -> Lot:
    """Add another lot to a project that has not yet been announced."""
    policies.ensure_can_manage_project(user, project)
    if any(lot.status != LotStatus.DRAFT for lot in project.lots):
        raise Conflict(_("项目已有标段发布或终止，不能再增加标段；请另行登记项目。"))
    if len(project.lots) >= MAX_LOTS:
        raise ValidationError(_("一个项目最多 %(n)s 个标段。", n=MAX_LOTS), field="lots")
    values = clean_lot(
        data, project_category=project.category_code, centre_settings=project.centre.settings
    )
    _draw_for(user, project, values["budget"])
    seq = max((lot.seq for lot in project.lots), default=0) + 1
    lot = Lot(project_id=project.id, seq=seq, code=f"{project.code}-{seq:02d}", **values)
    db.session.add(lot)
    db.session.flush()
    db.session.refresh(project, ["lots"])
    record(actions.LOT_CREATED, lot, _lot_snapshot(lot), actor=user)
    return lot


def update_lot(
    user: User, lot: Lot, changes: Mapping[str, Any], expected_version: int | None
) -> Lot:
    """Edit a lot while it is still a draft; `expected_version` guards against lost updates."""
    project = lot.project
    policies.ensure_can_manage_lot(user, lot)
    if expected_version is not None and expected_version != lot.version:
        raise Conflict(
            _(
                "该标段已被他人修改（您编辑的是第 %(mine)s 版，当前为第 %(cur)s 版），请刷新后重试。",
                mine=expected_version,
                cur=lot.version,
            ),
            field="version",
        )
    if lot.status != LotStatus.DRAFT:
        raise Conflict(
            _(
                "标段“%(name)s”当前状态为“%(status)s”，只有登记中的标段可以修改；"
                "已发布的内容请通过更正公告变更。",
                name=lot.name,
                status=status_label(lot.status),
            )
        )
    merged: dict[str, Any] = {key: getattr(lot, key) for key in LOT_FIELDS}
    unknown = set(changes) - set(LOT_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的字段：%(f)s。", f="、".join(sorted(unknown))), field=sorted(unknown)[0]
        )
    merged.update(changes)
    values = clean_lot(
        merged, project_category=project.category_code, centre_settings=project.centre.settings
    )
    _draw_for(user, project, values["budget"] - lot.budget)
    before = _lot_snapshot(lot)
    for key, value in values.items():
        setattr(lot, key, value)
    db.session.flush()
    after = _lot_snapshot(lot)
    diff = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    record(actions.LOT_UPDATED, lot, {"changes": diff, "version": lot.version}, actor=user)
    return lot


def projects_visible_to(user: User) -> Select[tuple[Project]]:
    """Staff see their agency's projects; supervisors and admins their centre's."""
    policies.ensure_can_list_projects(user)
    stmt = select(Project).order_by(Project.id.desc())
    if user.role == Role.STAFF:
        return stmt.where(Project.agency_id == (user.organisation_id or -1))
    if user.role == Role.ADMIN and user.centre_id is None:
        return stmt
    return stmt.where(Project.centre_id == (user.centre_id or -1))


def purchasers_for(centre_id: int | None, name_contains: str = "") -> list[Organisation]:
    """The purchasers a project of this centre may name: its own and those of no centre
    (what the project form offers, and the API's purchaser lookup), optionally by name."""
    stmt = select(Organisation).where(
        Organisation.kind == OrgKind.PURCHASER,
        or_(Organisation.centre_id == centre_id, Organisation.centre_id.is_(None)),
    )
    if name_contains.strip():
        stmt = stmt.where(Organisation.name.contains(name_contains.strip(), autoescape=True))
    return list(db.session.execute(stmt.order_by(Organisation.name)).scalars())


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound(_("项目不存在。"))
    return project


def get_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(_("标段不存在。"))
    return lot


def announcements_of(project: Project) -> list[Announcement]:
    return list(
        db.session.execute(
            select(Announcement)
            .where(Announcement.project_id == project.id)
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        ).scalars()
    )


def latest_announcement(
    project: Project, kind: AnnouncementKind, lot: Lot | None
) -> Announcement | None:
    """The newest announcement of this kind for the lot (or for the whole project: lot None)."""
    stmt = (
        select(Announcement)
        .where(Announcement.project_id == project.id, Announcement.kind == kind)
        .order_by(Announcement.id.desc())
        .limit(1)
    )
    stmt = stmt.where(
        Announcement.lot_id == lot.id if lot is not None else Announcement.lot_id.is_(None)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def lock_lot(lot: Lot) -> None:
    """Serialise version numbering and status changes of one lot (a no-op on SQLite)."""
    db.session.execute(select(Lot.id).where(Lot.id == lot.id).with_for_update())


def get_lot_to_manage(user: User, lot_id: int) -> Lot:
    """The lot, for staff of the project's own agency only."""
    lot = get_lot(lot_id)
    policies.ensure_can_manage_lot(user, lot)
    return lot
