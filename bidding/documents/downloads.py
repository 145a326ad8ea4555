"""Suppliers' downloads of the tender documents, the downloaders' list and messages to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, DomainError, Forbidden, NotFound, TooEarly, TooLate
from app.core.extensions import db
from app.core.notify import notify
from bidding import actions, participation
from bidding.documents.files import check_intact
from bidding.documents.models import DocumentDownload, TenderDocument
from bidding.documents.policies import ensure_can_list_downloaders, ensure_supplier_org
from bidding.documents.queries import current_document, has_downloaded
from bidding.invitations.invitations import may_respond
from bidding.invitations.invitations import refusal as invitation_refusal
from bidding.models import Lot, LotStatus


def download_refusal(lot: Lot, user: User) -> DomainError | None:
    """Why this supplier may not download now, or None when it may."""
    try:
        org = ensure_supplier_org(user, activity="download", lot=lot)
    except DomainError as exc:
        return exc
    if not may_respond(lot, org):
        return participation.audit_refusal(
            Forbidden(invitation_refusal(lot)), org, [], "download", lot.id, not_invited=True
        )
    if lot.status != LotStatus.PUBLISHED:
        if lot.status == LotStatus.SUSPENDED:
            return Conflict(_l("该标段因异议暂停，暂停期间不提供招标文件下载。"))
        return Conflict(_l("该标段当前不在招标文件发售期内。"))
    if current_document(lot) is None:
        return NotFound(_l("该标段尚未上传招标文件。"))
    now = clock.now()
    start, end = lot.doc_start_at, lot.doc_end_at
    if start is not None and end is not None and start <= now <= end:
        return None
    # A supplier who already holds the documents keeps receiving new versions until the deadline.
    if has_downloaded(lot, org) and lot.bid_deadline is not None and now < lot.bid_deadline:
        return None
    if start is not None and now < start:
        return TooEarly(_l("招标文件获取期自 %(t)s（北京时间）开始。", t=formatting.cst(start)))
    if end is not None:
        return TooLate(_l("招标文件获取期已于 %(t)s（北京时间）结束。", t=formatting.cst(end)))
    return Conflict(_l("该标段未设定招标文件获取期。"))


def download_document(
    lot: Lot, user: User, *, ip: str = "", user_agent: str = ""
) -> TenderDocument:
    """Record a supplier's download of the current version; the caller streams the bytes."""
    refusal = download_refusal(lot, user)
    if refusal is not None:
        raise refusal
    org = ensure_supplier_org(user)
    doc = current_document(lot)
    assert doc is not None
    check_intact(doc)
    dl = DocumentDownload(
        lot_id=lot.id,
        document_id=doc.id,
        supplier_id=org.id,
        user_id=user.id,
        at=clock.now(),
        ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:300],
    )
    db.session.add(dl)
    db.session.flush()
    record(actions.TENDER_DOCUMENT_DOWNLOADED, dl, {"lot_id": lot.id, "version": doc.version})
    return doc


def list_downloaders(lot: Lot, user: User) -> list[DocumentDownload]:
    """Who downloaded: secret from everyone until the bid deadline has passed."""
    ensure_can_list_downloaders(user, lot)
    return list(
        db.session.execute(
            select(DocumentDownload)
            .where(DocumentDownload.lot_id == lot.id)
            .order_by(DocumentDownload.at, DocumentDownload.id)
        ).scalars()
    )


def downloader_users(lot: Lot) -> list[User]:
    ids = select(DocumentDownload.user_id).where(DocumentDownload.lot_id == lot.id).distinct()
    return list(
        db.session.execute(select(User).where(User.id.in_(ids)).order_by(User.id)).scalars()
    )


def notify_downloaders(lot: Lot, title: str, body: str, link: str) -> int:
    """Inbox message now and e-mail after commit to every user who downloaded the documents."""
    users = [u for u in downloader_users(lot) if u.is_active]
    for user in users:
        notify(user, "lot_documents", title, body, link)
    return len(users)


def supplier_lot_link(lot: Lot) -> str:
    return f"/supplier/lots/{lot.id}"


def supplier_lots(user: User) -> list[Lot]:
    """Lots whose documents the user's organisation downloaded (我的投标项目)."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        raise Forbidden(_l("只有供应商用户可以查看投标项目。"))
    ids = (
        select(DocumentDownload.lot_id)
        .where(DocumentDownload.supplier_id == user.organisation_id)
        .distinct()
    )
    return list(
        db.session.execute(
            select(Lot).where(Lot.id.in_(ids)).order_by(Lot.bid_deadline.desc(), Lot.id.desc())
        ).scalars()
    )
