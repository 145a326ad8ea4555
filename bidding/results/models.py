"""What the result stages keep: the lot's result, filings against it, notices and contracts."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column
from bidding.models import Lot


class LotResult(Base):
    """The input of the result stages (the signed report) and where the lot is in them."""

    __tablename__ = "lot_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    # Where the report came from ("eval_report:<id>") and what the members signed.
    source: Mapped[str] = mapped_column(String(60))
    report_sha256: Mapped[str] = mapped_column(String(64))
    report_pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    report_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Deadlines already reported late to the supervisors ("publicity", "contract"): once each.
    flagged: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{rank, bid_id, supplier_id, supplier_name, price, total, price_score, technical,
    #   commercial}] and [{bid_id, supplier_id, supplier_name, reason}], as the report has them
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    publish_by: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    publicity_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))
    publicity_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    publicity_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The award
    awarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    winner_rank: Mapped[int | None] = mapped_column(Integer)
    winner_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    award_price: Mapped[Decimal | None] = mapped_column(Money())
    # [{rank, reason, note}] for every candidate ranked above the winner
    passed_over: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))
    contract_due: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    lot: Mapped[Lot] = relationship()
    winner: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class FilingKind(enum.StrEnum):
    OBJECTION = "objection"  # 异议 to the result, during the candidate publicity
    CHALLENGE = "challenge"  # 质疑, government procurement, after the result
    COMPLAINT = "complaint"  # 投诉 to the supervisors, after an answer


class FilingStatus(enum.StrEnum):
    PENDING = "pending"  # 待答复
    ANSWERED = "answered"  # 已答复


class ResultFiling(Base):
    """An objection, challenge or complaint about a lot's result, and its answer."""

    __tablename__ = "result_filing"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    kind: Mapped[FilingKind] = mapped_column(enum_column(FilingKind, "filing_kind"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # A complaint names the answered objection or challenge it follows.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("result_filing.id"))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[FilingStatus] = mapped_column(
        enum_column(FilingStatus, "filing_status"), index=True, default=FilingStatus.PENDING
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    late_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __mapper_args__ = {"version_id_col": version}


class NoticeKind(enum.StrEnum):
    AWARD = "award"  # 中标通知书, to the winner
    RESULT = "result"  # 中标结果通知书, to every other bidder


class ResultNotice(Base):
    """A notice to one bidder: a PDF and the platform's signature over its description."""

    __tablename__ = "result_notice"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # signed: includes the PDF's SHA-256
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
    key_id: Mapped[str] = mapped_column(String(16))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    supplier: Mapped[Organisation] = relationship()


class Contract(Base):
    """A filed contract (合同备案); an amendment is a new row pointing at the one it changes."""

    __tablename__ = "lot_contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("lot_contract.id"))
    number: Mapped[str] = mapped_column(String(60))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    price: Mapped[Decimal] = mapped_column(Money())
    signed_on: Mapped[dt.date] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")  # amendments only
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))

    supplier: Mapped[Organisation] = relationship()


class PriceNegotiation(Base):
    """单一来源: the price negotiated with the one supplier, and the minutes of the talks.

    Its record is the result's input in place of an evaluation report (one per lot).
    """

    __tablename__ = "price_negotiation"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    quoted_price: Mapped[Decimal | None] = mapped_column(Money())  # the response's own price
    price: Mapped[Decimal] = mapped_column(Money())
    minutes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    supplier: Mapped[Organisation] = relationship()
    recorded_by: Mapped[User] = relationship()
