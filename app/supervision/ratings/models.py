"""Service ratings (好差评) of a lot's centre and agency by the suppliers that bid on it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation
from app.core.db import Base, UTCDateTime, enum_column
from bidding.models import Lot


class RatingTarget(enum.StrEnum):
    CENTRE = "centre"  # the trading centre's service (场地、平台、见证)
    AGENCY = "agency"  # the agency's service (代理机构)


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"  # 待整改答复
    ANSWERED = "answered"  # 已答复，待监督确认
    CLOSED = "closed"  # 已办结


# The five levels of 政务服务"好差评": 5 非常满意 … 1 非常不满意.
LEVELS = (5, 4, 3, 2, 1)
DEFAULT_LEVEL = 4  # 满意: what the platform records when a supplier leaves it (默认好评)
BAD_LEVELS = (1, 2)  # 不满意, 非常不满意: each opens a follow-up (整改)


class ServiceRating(Base):
    """One supplier's rating of one party's service on one lot, given or defaulted."""

    __tablename__ = "service_rating"
    __table_args__ = (
        UniqueConstraint("lot_id", "supplier_id", "target"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    target: Mapped[RatingTarget] = mapped_column(enum_column(RatingTarget, "rating_target"))
    # The rated party, kept on the row so summaries are one GROUP BY.
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Real name to the platform: who rated (None when the platform recorded the default).
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id])


class RatingFollowUp(Base):
    """The follow-up (整改) a bad rating opens: the rated party answers, a supervisor closes."""

    __tablename__ = "rating_follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("service_rating.id"), unique=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus, "follow_up_status"), index=True
    )
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closing_note: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    rating: Mapped[ServiceRating] = relationship()

    __mapper_args__ = {"version_id_col": version}
