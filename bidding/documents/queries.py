"""Look-ups of a lot's document versions and of who downloaded them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import Organisation
from app.core.errors import NotFound
from app.core.extensions import db
from bidding.documents.models import DocumentDownload, TenderDocument
from bidding.models import Lot


def documents_of(lot: Lot) -> list[TenderDocument]:
    """All versions, newest first."""
    return list(
        db.session.execute(
            select(TenderDocument)
            .where(TenderDocument.lot_id == lot.id)
            .order_by(TenderDocument.version.desc())
        ).scalars()
    )


def current_document(lot: Lot) -> TenderDocument | None:
    return db.session.execute(
        select(TenderDocument)
        .where(TenderDocument.lot_id == lot.id)
        .order_by(TenderDocument.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def document_version(lot: Lot, version: int) -> TenderDocument:
    doc = db.session.execute(
        select(TenderDocument).where(
            TenderDocument.lot_id == lot.id, TenderDocument.version == version
        )
    ).scalar_one_or_none()
    if doc is None:
        raise NotFound(_l("该版本的招标文件不存在。"))
    return doc


def has_downloaded(lot: Lot, org: Organisation) -> bool:
    return (
        db.session.execute(
            select(DocumentDownload.id)
            .where(DocumentDownload.lot_id == lot.id, DocumentDownload.supplier_id == org.id)
            .limit(1)
        ).first()
        is not None
    )
