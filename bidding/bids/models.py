"""Sealed bids. Only ciphertext and its hashes live here before the opening."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organisation, _enum
from app.db import Base, UTCDateTime
from bidding.models import Lot


class BidStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # the current version of this bidder's bid
    REPLACED = "replaced"  # superseded by a later version
    WITHDRAWN = "withdrawn"  # withdrawn by the bidder before the deadline
    DECRYPTED = "decrypted"  # opened successfully
    REVOKED = "revoked"  # 视为撤销: decryption failed through the bidder's fault
    RETRACTED = "retracted"  # 视为撤回: decryption failed through no fault of the bidder


class Bid(Base):
    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[BidStatus] = mapped_column(_enum(BidStatus, "bid_status"), index=True)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()


CURRENT_STATUSES = (
    BidStatus.SUBMITTED,
    BidStatus.DECRYPTED,
    BidStatus.REVOKED,
    BidStatus.RETRACTED,
)


def bidder_org_ids(lot_id: int) -> set[int]:
    """Organisations holding a live bid on the lot (used by avoidance in expert draws)."""
    from sqlalchemy import select

    from app.extensions import db

    rows = db.session.execute(
        select(Bid.supplier_id)
        .where(Bid.lot_id == lot_id, Bid.status.in_(CURRENT_STATUSES))
        .distinct()
    ).scalars()
    return set(rows)
