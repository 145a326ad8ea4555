"""Centres, organisations, users, API tokens and the holiday calendar."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UTCDateTime, enum_column


class Role(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"  # agency or centre staff (代理机构/交易中心)
    SUPPLIER = "supplier"
    EXPERT = "expert"
    SUPERVISOR = "supervisor"
    PURCHASER = "purchaser"  # a purchaser's own staff (采购人), acting for their organisation
    INTERMEDIARY = "intermediary"  # an intermediary agency in the services market (中介机构)


class OrgKind(enum.StrEnum):
    SUPPLIER = "supplier"
    AGENCY = "agency"  # procurement agency (招标代理机构)
    INTERMEDIARY = "intermediary"  # intermediary of the services market (中介机构)
    PURCHASER = "purchaser"
    CENTRE = "centre"
    AUTHORITY = "authority"


class Centre(Base):
    """A trading centre (交易中心) of one region."""

    __tablename__ = "centre"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 行政区划 code, e.g. 150900
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    region: Mapped[str] = mapped_column(String(60))
    # Centre-level tunables: two_factor_roles, bid_period_min_days_by_method, …
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Holiday(Base):
    """A day the centre's calendar treats differently from the Mon–Fri rule."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("centre_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    is_workday: Mapped[bool] = mapped_column(Boolean, default=False)  # True = 调休 make-up day
    name: Mapped[str] = mapped_column(String(60), default="")


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    region: Mapped[str] = mapped_column(String(60), default="")
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    legal_rep: Mapped[str] = mapped_column(String(60), default="")
    blacklisted_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    blacklist_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    centre: Mapped[Centre | None] = relationship()


class User(UserMixin, Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(160), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Bumped at password change / forced logout: sessions carry it and die when it moves.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    centre: Mapped[Centre | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.is_active_flag)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
