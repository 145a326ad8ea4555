"""The negotiation (竞争性谈判 / 竞争性磋商) held by the evaluation room's committee.

Rounds are numbered per session; the last one is the final quote (最后报价). A quote is
stored sealed (`sealed`, the platform's secret box bound to its round and supplier) with
the SHA-256 of what was sealed as its receipt; `price` stays empty until the group closes
the round, so no page, API or query can read a quote early. Amendments, drops and the
conversation with each supplier are rows too: the record of every round.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, Money, UTCDateTime


class NegotiationRound(Base):
    __tablename__ = "negotiation_round"
    __table_args__ = (UniqueConstraint("session_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class NegotiationQuote(Base):
    __tablename__ = "negotiation_quote"
    # One quote per supplier and round: a second one meets this constraint even in a race.
    __table_args__ = (UniqueConstraint("round_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("negotiation_round.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    sealed: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    price: Mapped[Decimal | None] = mapped_column(Money())  # filled when the round closes


class NegotiationAmendment(Base):
    """A written change to the requirements between rounds, sent to every remaining supplier."""

    __tablename__ = "negotiation_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    after_round: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NegotiationDrop(Base):
    """A supplier the group ended the negotiation with, and why."""

    __tablename__ = "negotiation_drop"
    __table_args__ = (UniqueConstraint("session_id", "bid_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    after_round: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    dropped_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    dropped_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NegotiationMessage(Base):
    """One line of the group's conversation with one supplier (nobody else reads it)."""

    __tablename__ = "negotiation_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    from_group: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
