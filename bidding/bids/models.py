"""Sealed bids. Only ciphertext and its hashes live here before the opening."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column
from app.core.extensions import db
from bidding.models import Lot


class BidStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # the current version of this bidder's bid
    REPLACED = "replaced"  # superseded by a later version
    WITHDRAWN = "withdrawn"  # withdrawn by the bidder before the deadline
    DECRYPTED = "decrypted"  # opened successfully
    REVOKED = "revoked"  # 视为撤销: decryption failed through the bidder's fault
    RETRACTED = "retracted"  # 视为撤回: decryption failed through no fault of the bidder


class FilesCheck(enum.StrEnum):
    PENDING = "pending"  # prices read; the files' own hashes not yet computed
    CONFIRMED = "confirmed"  # every file hashes to what the manifest declared
    MISMATCH = "mismatch"  # a file does not (or the stored bid no longer opens)


class Bid(Base):
    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[BidStatus] = mapped_column(enum_column(BidStatus, "bid_status"), index=True)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The signed receipt (回执) exactly as handed to the bidder, and its audit anchor.
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    audit_seq: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Supervision capture (collusion screening): where and from what the bid came.
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    device_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # Filled only by the opening, never before the deadline.
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    price_form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    plaintext_files: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The plaintext files' own SHA-256 (collusion screens) are computed after the prices
    # are read, off the ceremony's critical path (bidding/bids/file_hashes.py): until
    # then `files_check` is "pending" and plaintext_files carries the hashes the bid's
    # authenticated manifest declares; then "confirmed" or "mismatch", at files_checked_at.
    files_check: Mapped[str | None] = mapped_column(String(16))
    files_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()


class BondKind(enum.StrEnum):
    PAID = "paid"  # 已缴纳 (transfer received)
    GUARANTEE = "guarantee"  # 保函 (guarantee letter)


class BondStatus(enum.StrEnum):
    PENDING = "pending"  # letter uploaded, awaiting staff review
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class BidBond(Base):
    """A bidder's bid bond (投标保证金) for one lot; a bid needs an accepted one."""

    __tablename__ = "bid_bond"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[BondKind] = mapped_column(enum_column(BondKind, "bond_kind"))
    status: Mapped[BondStatus] = mapped_column(enum_column(BondStatus, "bond_status"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    reference: Mapped[str] = mapped_column(String(100), default="")  # bank serial / letter no.
    # The paying account: bonds from one account are a collusion signal.
    payer_account: Mapped[str] = mapped_column(String(60), default="")
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    letter_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()


class LotOpeningKey(Base):
    """The lot's opening key pair: public half in clear, private half only wrapped.

    The key-encryption key exists only as k-of-n Shamir shares (LotCustodian rows).
    """

    __tablename__ = "lot_opening_key"
    __table_args__ = (CheckConstraint("k >= 1 AND k <= n", name="threshold_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    public_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the public key DER
    wrapped_private: Mapped[str] = mapped_column(Text)  # JSON from app.core.crypto.custody
    k: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    lot: Mapped[Lot] = relationship()


class LotCustodian(Base):
    """A key custodian named on a lot and the share sealed to their passphrase."""

    __tablename__ = "lot_custodian"
    __table_args__ = (
        UniqueConstraint("lot_id", "user_id"),
        UniqueConstraint("lot_id", "share_index"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    share_index: Mapped[int] = mapped_column(Integer)
    sealed_share: Mapped[str] = mapped_column(Text)  # JSON, opens only with the passphrase
    # After the deadline: the unsealed share re-wrapped under the server key so that an
    # opening split over several requests (or resumed after a crash) can combine it.
    # Wiped once the opening has decrypted every bid.
    presented_share: Mapped[str | None] = mapped_column(Text)
    presented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UploadStatus(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    FAILED = "failed"


class BidUpload(Base):
    """A resumable upload session: bytes land in a temp file, a bid exists only at finish."""

    __tablename__ = "bid_upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[UploadStatus] = mapped_column(
        enum_column(UploadStatus, "upload_status"), index=True
    )
    error: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    device_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))


class LotFreeze(Base):
    """The list of current bid hashes frozen at the deadline (投标文件哈希清单)."""

    __tablename__ = "lot_freeze"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    list_hash: Mapped[str] = mapped_column(String(64))
    bid_count: Mapped[int] = mapped_column(Integer)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    retendered_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))

    lot: Mapped[Lot] = relationship(foreign_keys=[lot_id])


class OpeningStatus(enum.StrEnum):
    SIGNIN = "signin"  # 签到
    DECRYPTING = "decrypting"  # 解密
    READING = "reading"  # 唱标 and confirmations
    SIGNED = "signed"  # record signed by staff
    PUBLISHED = "published"


class Opening(Base):
    """The opening (开标) of one lot: its state, reading order and record."""

    __tablename__ = "opening"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    status: Mapped[OpeningStatus] = mapped_column(
        enum_column(OpeningStatus, "opening_status"), index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Reading order: derived from the frozen list hash and the custodians' presentation,
    # fixed once and stored so that a resumed opening reads in the same order.
    reading_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    order_seed: Mapped[str] = mapped_column(String(64), default="")
    decrypted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    record_pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    record_signature: Mapped[str | None] = mapped_column(Text)  # platform Ed25519, base64
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    lot: Mapped[Lot] = relationship()

    __mapper_args__ = {"version_id_col": version}


class OpeningSignin(Base):
    __tablename__ = "opening_signin"
    __table_args__ = (UniqueConstraint("opening_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_in_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64), default="")

    supplier: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()


class OpeningObjection(Base):
    """An objection raised in the hall (现场异议) and the staff's answer."""

    __tablename__ = "opening_objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    supplier: Mapped[Organisation] = relationship()


CURRENT_STATUSES = (
    BidStatus.SUBMITTED,
    BidStatus.DECRYPTED,
    BidStatus.REVOKED,
    BidStatus.RETRACTED,
)


def bidder_org_ids(lot_id: int) -> set[int]:
    """Organisations holding a live bid on the lot (used by avoidance in expert draws)."""
    rows = db.session.execute(
        select(Bid.supplier_id)
        .where(Bid.lot_id == lot_id, Bid.status.in_(CURRENT_STATUSES))
        .distinct()
    ).scalars()
    return set(rows)


def get_freeze(lot: Lot) -> LotFreeze | None:
    """The lot's frozen bid list, once its deadline has been swept (else None)."""
    return db.session.execute(
        select(LotFreeze).where(LotFreeze.lot_id == lot.id)
    ).scalar_one_or_none()
