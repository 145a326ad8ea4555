"""Tables of sealed quotes (综合评审): the need's opening key, the sealed quotes and what
opening them revealed, the small committee and its members' score sheets."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column


class QuoteStatus(enum.StrEnum):
    SEALED = "sealed"  # ciphertext only, until the opening
    OPENED = "opened"
    INVALID = "invalid"  # the container did not open (its reason is kept)


class NeedOpeningKey(Base):
    """A sealed-quote need's RSA opening key; the private half only wrapped, its one share
    sealed to a passphrase derived from the server secret, released by the opening."""

    __tablename__ = "market_opening_key"
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    key_sha256: Mapped[str] = mapped_column(String(64))
    encrypted_private: Mapped[str] = mapped_column(Text)
    sealed_share: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Quote(Base):
    """One agency's sealed quote for a need: one per agency, never replaced."""

    __tablename__ = "market_quote"
    __table_args__ = (UniqueConstraint("need_id", "org_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[QuoteStatus] = mapped_column(
        enum_column(QuoteStatus, "market_quote_status"), default=QuoteStatus.SEALED
    )
    # What the opening revealed: the price form's total and the proposal's files
    # [{"name", "sha256", "size", "content_type"}] kept in the content store.
    price: Mapped[Decimal | None] = mapped_column(Money())
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    invalid_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    org: Mapped[Organisation] = relationship()


class ReviewMember(Base):
    """A member of a need's review committee (the buyer's representatives)."""

    __tablename__ = "market_review_member"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    seat: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class QuoteScore(Base):
    """One member's points for one quote: item id → points (strings, exact)."""

    __tablename__ = "market_quote_score"
    __table_args__ = (UniqueConstraint("quote_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("market_quote.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("market_review_member.id"), index=True)
    points: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
