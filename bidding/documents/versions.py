"""Versions of a lot's tender documents: upload by the agency, and reading any version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from bidding import actions
from bidding.documents.files import StagedFile, check_intact
from bidding.documents.forms import TEXT_MAX
from bidding.documents.models import TenderDocument
from bidding.documents.policies import OPEN_STATUSES, can_inspect_lot, can_upload_directly
from bidding.documents.queries import current_document, document_version
from bidding.models import Announcement, Lot, Project
from bidding.policies import ensure_can_manage_lot, is_agency_staff
from bidding.projects import lock_lot


def add_version(
    lot: Lot, user: User, staged: StagedFile, note: str, announcement: Announcement | None
) -> TenderDocument:
    """The next version number, recorded with the clarification that issued it (if any)."""
    lock_lot(lot)
    last = db.session.execute(
        select(func.max(TenderDocument.version)).where(TenderDocument.lot_id == lot.id)
    ).scalar()
    doc = TenderDocument(
        lot_id=lot.id,
        version=(last or 0) + 1,
        filename=staged.filename,
        sha256=staged.sha256,
        size=staged.size,
        uploaded_by_id=user.id,
        uploaded_at=clock.now(),
        announcement_id=announcement.id if announcement else None,
        note=note,
    )
    db.session.add(doc)
    db.session.flush()
    record(
        actions.TENDER_DOCUMENT_UPLOADED,
        doc,
        {
            "lot_id": lot.id,
            "version": doc.version,
            "filename": doc.filename,
            "sha256": doc.sha256,
            "size": doc.size,
            "announcement_id": doc.announcement_id,
        },
    )
    return doc


def upload_document(lot: Lot, user: User, staged: StagedFile, note: str = "") -> TenderDocument:
    """A new version of the tender documents."""
    ensure_can_manage_lot(user, lot)
    note = (note or "").strip()[:TEXT_MAX]
    if can_upload_directly(lot):
        return add_version(lot, user, staged, note, None)
    if lot.status in OPEN_STATUSES and current_document(lot) is not None:
        raise Conflict(
            _l("该标段已发布招标文件，新版本须通过“澄清/更正”发布，以便通知所有已下载的供应商。")
        )
    raise Conflict(_l("标段当前状态不允许上传招标文件。"))


def staff_fetch(lot: Lot, user: User, version: int) -> TenderDocument:
    """Staff and supervisors read any version; this is not a supplier download."""
    if not can_inspect_lot(user, lot):
        raise Forbidden(_l("您无权下载该标段的招标文件。"))
    doc = document_version(lot, version)
    check_intact(doc)
    return doc


def managed_lots(user: User) -> list[Lot]:
    """Lots whose documents the staff member may manage (those of their agency's projects)."""
    if not is_agency_staff(user):
        raise Forbidden(_l("只有代理机构的工作人员可以管理招标文件。"))
    return list(
        db.session.execute(
            select(Lot)
            .join(Project)
            .where(Project.agency_id == user.organisation_id)
            .order_by(Lot.id.desc())
            .limit(500)
        ).scalars()
    )
