"""Prequalification of a lot (资格预审): its notice and timetable, the applications with
their hashes and receipts, the review committee, every member's verdict, and the outcome
each applicant is told."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column
from bidding.models import Lot


class PrequalStatus(enum.StrEnum):
    OPEN = "open"  # 公告中: documents on offer, applications accepted until the deadline
    REVIEWING = "reviewing"  # 审查中: the committee is seated and gives its verdicts
    CONCLUDED = "concluded"  # 已出结果: pass and fail notices sent
    # 已终止: withdrawn before the review with a public reason (the tender is terminated).
    WITHDRAWN = "withdrawn"


class ReviewMethod(enum.StrEnum):
    PASS_FAIL = "pass_fail"  # 合格制: everyone who meets the requirements passes
    LIMITED = "limited"  # 有限数量制: at most `max_passed` of those who meet them


class Outcome(enum.StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


class MemberKind(enum.StrEnum):
    EXPERT = "expert"  # drawn from the pool (专家)
    PURCHASER = "purchaser"  # the purchaser's representative (招标人代表)


class Prequalification(Base):
    __tablename__ = "prequalification"
    __table_args__ = (
        CheckConstraint("offer_end_at > offer_start_at", name="offer_ordered"),
        CheckConstraint("application_deadline > offer_end_at", name="deadline_after_offer"),
        CheckConstraint("max_passed IS NULL OR max_passed >= 3", name="max_passed_three"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), unique=True)
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))
    status: Mapped[PrequalStatus] = mapped_column(
        enum_column(PrequalStatus, "prequal_status"), default=PrequalStatus.OPEN, index=True
    )
    # What a 资格预审公告 carries beyond the lot's own facts.
    requirements: Mapped[str] = mapped_column(Text)  # 申请人资格要求
    consortium_allowed: Mapped[bool] = mapped_column(Boolean, default=False)  # 联合体
    review_method: Mapped[ReviewMethod] = mapped_column(
        enum_column(ReviewMethod, "prequal_review_method")
    )
    max_passed: Mapped[int | None] = mapped_column(Integer)
    document_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    offer_start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    offer_end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    application_deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    submission_place: Mapped[str] = mapped_column(String(200))  # 递交方式/地点
    # The prequalification documents (资格预审文件) in the content-addressed store.
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_name: Mapped[str] = mapped_column(String(200))
    # The expert draw that seated the committee (kept as a number: the draw is a higher
    # floor's table, and a draw is never deleted).
    committee_draw_id: Mapped[int | None] = mapped_column(Integer, index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    concluded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    lot: Mapped[Lot] = relationship()
    members: Mapped[list[PrequalMember]] = relationship(
        back_populates="prequal", order_by="PrequalMember.id"
    )

    __mapper_args__ = {"version_id_col": version}


class PrequalApplication(Base):
    """One supplier's application (资格预审申请文件): one per supplier, never replaced."""

    __tablename__ = "prequal_application"
    __table_args__ = (UniqueConstraint("prequal_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    prequal_id: Mapped[int] = mapped_column(
        ForeignKey("prequalification.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The signed receipt {"receipt", "signature", "key_id", "alg"} as the supplier got it.
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[Outcome] = mapped_column(
        enum_column(Outcome, "prequal_outcome"), default=Outcome.PENDING
    )
    reasons: Mapped[str] = mapped_column(Text, default="")  # why it failed, as the notice says
    notice_sha256: Mapped[str | None] = mapped_column(String(64))  # the signed PDF notice
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    supplier: Mapped[Organisation] = relationship()
    prequal: Mapped[Prequalification] = relationship()


class PrequalMember(Base):
    __tablename__ = "prequal_member"
    __table_args__ = (UniqueConstraint("prequal_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    prequal_id: Mapped[int] = mapped_column(
        ForeignKey("prequalification.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind, "prequal_member_kind"))
    name: Mapped[str] = mapped_column(String(100))

    prequal: Mapped[Prequalification] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class PrequalVerdict(Base):
    """One member's pass or fail of one application, with the reason for a fail."""

    __tablename__ = "prequal_verdict"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("prequal_application.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("prequal_member.id"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    member: Mapped[PrequalMember] = relationship()
