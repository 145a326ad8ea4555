"""Tables of the intermediary services market (中介超市): the service-type catalogue,
agencies' profiles and qualifications, buyers' needs, bids, draws, awards and ratings."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation
from app.core.db import Base, Money, UTCDateTime, enum_column


class AgencyStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # for a time, after a serious breach
    REMOVED = "removed"  # out of the market (exit mechanism); an appeal may restore it


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the agency is restored
    REJECTED = "rejected"


class NeedMethod(enum.StrEnum):
    AUCTION = "auction"  # 网上竞价
    DIRECT = "direct"  # 直接选取
    RANDOM = "random"  # 随机抽取
    SEALED = "sealed"  # 综合评审: sealed quotes scored by a small committee


class NeedStatus(enum.StrEnum):
    OPEN = "open"  # published; an auction runs in this state until its close
    CLOSED = "closed"  # auction closed, the buyer has not awarded yet
    AWARDED = "awarded"
    CONTRACTED = "contracted"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ServiceType(Base):
    """One node of the editable service-type tree (e.g. 环境影响评价 under 咨询评估)."""

    __tablename__ = "market_service_type"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("market_service_type.code"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AgencyProfile(Base):
    """What an intermediary agency shows in the market; its credit score is derived."""

    __tablename__ = "market_agency"
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    intro: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Lists of small dicts edited as a whole on the profile page.
    staff: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cases: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[AgencyStatus] = mapped_column(
        enum_column(AgencyStatus, "market_agency_status"),
        default=AgencyStatus.ACTIVE,
        server_default="active",
    )
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    credit_score: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    org: Mapped[Organisation] = relationship()
    services: Mapped[list[AgencyService]] = relationship(
        back_populates="agency", cascade="all, delete-orphan"
    )
    qualifications: Mapped[list[Qualification]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="Qualification.id"
    )


class AgencyService(Base):
    """A service type an agency declares; `listed` is false while no valid qualification
    covers it (the scheduler's validity sweep keeps it current)."""

    __tablename__ = "market_agency_service"
    __table_args__ = (UniqueConstraint("org_id", "type_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("market_agency.org_id", ondelete="CASCADE"), index=True
    )
    type_code: Mapped[str] = mapped_column(ForeignKey("market_service_type.code"), index=True)
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    agency: Mapped[AgencyProfile] = relationship(back_populates="services")
    type: Mapped[ServiceType] = relationship()


class Qualification(Base):
    """A qualification certificate (资质) for one service type; level 1 is the highest (甲级)."""

    __tablename__ = "market_qualification"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("market_agency.org_id", ondelete="CASCADE"), index=True
    )
    type_code: Mapped[str] = mapped_column(ForeignKey("market_service_type.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(120))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    cert_sha256: Mapped[str] = mapped_column(String(64))
    cert_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    agency: Mapped[AgencyProfile] = relationship(back_populates="qualifications")
    type: Mapped[ServiceType] = relationship()


class Need(Base):
    """A buyer's service need and everything that follows it: selection, award, contract."""

    __tablename__ = "market_need"
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(ForeignKey("market_service_type.code"), index=True)
    scope: Mapped[str] = mapped_column(Text, default="", server_default="")
    budget: Mapped[Decimal] = mapped_column(Money())
    # The highest acceptable price; an auction's first bid may not exceed it.
    ceiling: Mapped[Decimal | None] = mapped_column(Money())
    required_level: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    service_deadline: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[NeedMethod] = mapped_column(enum_column(NeedMethod, "market_need_method"))
    gov_commissioned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "market_need_status"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Reverse auction (网上竞价): close moves on by soft-close extensions.
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    planned_close_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    step: Mapped[Decimal | None] = mapped_column(Money())
    extend_window_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    extend_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Sealed quotes (综合评审): closes_at is the quote deadline; the light scoring scheme
    # {"price_weight": "30", "items": [{"id", "name", "maximum"}]} (see sealed_scoring.py).
    scoring: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The award, and what follows it.
    winner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    price: Mapped[Decimal | None] = mapped_column(Money())
    award_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    awarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    contract_sha256: Mapped[str | None] = mapped_column(String(64))
    contract_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completion_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_org_id])
    winner: Mapped[Organisation | None] = relationship(foreign_keys=[winner_org_id])
    type: Mapped[ServiceType] = relationship()


class Bid(Base):
    """An accepted bid of a reverse auction; refused bids are audited, never stored here."""

    __tablename__ = "market_bid"
    __table_args__ = (UniqueConstraint("need_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Money())
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SelectionDraw(Base):
    """A random selection (随机抽取): commit–reveal, re-runnable from its record."""

    __tablename__ = "market_draw"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), unique=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    eligible: Mapped[list[list[int]]] = mapped_column(JSON)
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    seed_hash: Mapped[str] = mapped_column(String(64))
    seed_revealed: Mapped[str] = mapped_column(String(64))
    public_value: Mapped[str] = mapped_column(String(64))
    commitment_seq: Mapped[int] = mapped_column(Integer)
    drawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Rating(Base):
    """The buyer's rating of a completed service (1–5 on four counts) and one reply."""

    __tablename__ = "market_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    quality: Mapped[int] = mapped_column(Integer)
    timeliness: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer)
    conduct: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reply: Mapped[str] = mapped_column(Text, default="", server_default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    need: Mapped[Need] = relationship()

    @property
    def average(self) -> float:
        return (self.quality + self.timeliness + self.fee + self.conduct) / 4


class Interest(Base):
    """An agency signing up for a need (报名); the random selection draws among these."""

    __tablename__ = "market_interest"
    __table_args__ = (UniqueConstraint("need_id", "org_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Appeal(Base):
    """An agency's appeal against its suspension or removal, and the supervisor's decision."""

    __tablename__ = "market_appeal"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("market_agency.org_id", ondelete="CASCADE"), index=True
    )
    filed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, "market_appeal_status"), default=AppealStatus.OPEN
    )
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")

    agency: Mapped[AgencyProfile] = relationship()
