"""Credit records (诚信记录) of suppliers: good and bad conduct and 失信 bans, as decided by
an authority. Experts' credit records stay in their pool record (`experts.models.CreditEntry`),
which the draw already reads; this package writes and publishes both."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, UTCDateTime, enum_column


class CreditKind(enum.StrEnum):
    GOOD = "good"  # 良好行为记录
    BAD = "bad"  # 不良行为记录
    BLACKLIST = "blacklist"  # 失信（禁止参加，1–3 年）


class CreditRecord(Base):
    """One decision of an authority about a supplier, with its basis and period."""

    __tablename__ = "credit_record"
    __table_args__ = (
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="period_order"),
        # The participation bar looks up the bans of one supplier in force at a moment.
        Index("ix_credit_record_bar", "organisation_id", "kind", "end_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[CreditKind] = mapped_column(enum_column(CreditKind, "credit_kind"), index=True)
    authority: Mapped[str] = mapped_column(String(200))  # 认定/处罚机关
    basis: Mapped[str] = mapped_column(Text, default="")  # 依据（法条、决定书文号）
    result: Mapped[str] = mapped_column(Text)  # 处理结果
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # 信用修复: a ban lifted before its end by the authority's decision, with the reason.
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def in_force(self, at: dt.datetime) -> bool:
        return (
            self.lifted_at is None
            and self.start_at <= at
            and (self.end_at is None or self.end_at > at)
        )
