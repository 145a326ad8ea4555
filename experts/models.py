"""The expert pool (专家库), its specialties, and the verifiable draws that pick committees."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import json
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Centre, User
from app.core.db import Base, UTCDateTime, enum_column


class ExpertStatus(enum.StrEnum):
    ACTIVE = "active"  # 在库
    SUSPENDED = "suspended"  # 暂停
    RETIRED = "retired"  # 退出/出库


class CreditKind(enum.StrEnum):
    REWARD = "reward"  # 奖励
    PENALTY = "penalty"  # 扣分/处罚
    BAN = "ban"  # 禁评 (with a period)


class RelationKind(enum.StrEnum):
    RELATIVE = "relative"  # 近亲属任职
    SHAREHOLDER = "shareholder"  # 持股/投资
    DIRECTOR = "director"  # 董事/高管/控制
    CONSULTANT = "consultant"  # 顾问/兼职
    OTHER = "other"  # 其他利害关系


class AvoidReason(enum.IntEnum):
    """Avoidance reason codes (回避原因代码)."""

    BIDDER = 1
    PURCHASER = 2
    AUTHORITY = 3
    AGENCY = 4
    OTHER = 9


class DrawStatus(enum.StrEnum):
    PENDING = "pending"  # 已申请，未到抽取时间
    COMMITTED = "committed"  # 已承诺（审计日志已写入承诺），尚未出结果
    DRAWN = "drawn"  # 已抽取
    REVEALED = "revealed"  # 种子已公开，可复核
    CANCELLED = "cancelled"  # 已作废


class InvitationState(enum.StrEnum):
    WAITING = "waiting"  # 候补，尚未通知
    INVITED = "invited"  # 已通知，待答复
    CONFIRMED = "confirmed"  # 已确认参加
    DECLINED = "declined"  # 拒绝
    NO_ANSWER = "no_answer"  # 超时未答复
    REPLACED = "replaced"  # 因事后申报回避被替换
    UNUSED = "unused"  # 抽取结束时未用到的候补


ACTIVE_SEATS = (InvitationState.INVITED, InvitationState.CONFIRMED)


class Specialty(Base):
    """One node of the 4-level evaluation specialty classification (评标专业分类)."""

    __tablename__ = "expert_specialty_code"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # e.g. A08.01.02.03
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("expert_specialty_code.code"), index=True
    )


class Expert(Base):
    __tablename__ = "expert"
    __table_args__ = (
        UniqueConstraint("centre_id", "id_card_hash"),
        # Covers the draw's pool query (no table lookups on SQLite; index-only on
        # PostgreSQL once vacuumed): centre, status, specialty and the avoided employer.
        Index(
            "ix_expert_pool",
            "centre_id",
            "status",
            "main_specialty_code",
            "employer_code",
            postgresql_include=["id"],
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    # Only a keyed hash of the ID card number is kept: enough to refuse duplicates.
    id_card_hash: Mapped[str] = mapped_column(String(64))
    id_card_tail: Mapped[str] = mapped_column(String(4), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(160), default="")
    region: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(60), default="")  # 职称
    main_specialty_code: Mapped[str] = mapped_column(
        ForeignKey("expert_specialty_code.code"), index=True
    )
    employer_code: Mapped[str] = mapped_column(String(18), default="", index=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ExpertStatus] = mapped_column(
        enum_column(ExpertStatus, "expert_status"), default=ExpertStatus.ACTIVE, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    centre: Mapped[Centre] = relationship()
    user: Mapped[User | None] = relationship()
    main_specialty: Mapped[Specialty] = relationship()
    secondary: Mapped[list[ExpertSpecialty]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertSpecialty.specialty_code"
    )
    employments: Mapped[list[Employment]] = relationship(
        cascade="all, delete-orphan", order_by="Employment.start_date"
    )
    relations: Mapped[list[Relation]] = relationship(cascade="all, delete-orphan")
    leaves: Mapped[list[Leave]] = relationship(
        cascade="all, delete-orphan", order_by="Leave.start_at"
    )
    credit_entries: Mapped[list[CreditEntry]] = relationship(
        cascade="all, delete-orphan", order_by="CreditEntry.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class ExpertSpecialty(Base):
    """A secondary specialty of an expert."""

    __tablename__ = "expert_secondary_specialty"
    __table_args__ = (Index("ix_expert_secondary_specialty_member", "specialty_code", "expert_id"),)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("expert.id", ondelete="CASCADE"), primary_key=True
    )
    specialty_code: Mapped[str] = mapped_column(
        ForeignKey("expert_specialty_code.code"), primary_key=True
    )


class Employment(Base):
    """A past employer (history of the last years); the current one lives on Expert."""

    __tablename__ = "expert_employment"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class Relation(Base):
    """A declared relationship to a company (申报的利害关系)."""

    __tablename__ = "expert_relation"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind, "expert_relation_kind"))
    note: Mapped[str] = mapped_column(String(200), default="")
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Leave(Base):
    """A period the expert is unavailable (请假)."""

    __tablename__ = "expert_leave"
    __table_args__ = (CheckConstraint("end_at > start_at", name="period_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")


class CreditEntry(Base):
    """Credit record: rewards, penalties and bans (a ban has a period)."""

    __tablename__ = "expert_credit_entry"
    __table_args__ = (CheckConstraint("end_at IS NULL OR end_at > start_at", name="period_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CreditKind] = mapped_column(
        enum_column(CreditKind, "expert_credit_kind"), index=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")  # the result / 事由
    # The deciding authority and its basis (法条、决定书文号), when an authority decided it.
    authority: Mapped[str] = mapped_column(String(200), default="", server_default="")
    basis: Mapped[str] = mapped_column(Text, default="", server_default="")
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Appraisal(Base):
    """Post-evaluation appraisal (专家考评) of one expert for one lot."""

    __tablename__ = "expert_appraisal"
    __table_args__ = (UniqueConstraint("expert_id", "lot_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Sitting(Base):
    """One evaluation an expert sat on (counted by the per-purchaser frequency cap)."""

    __tablename__ = "expert_sitting"
    __table_args__ = (UniqueConstraint("expert_id", "lot_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class Draw(Base):
    """A draw request and its verifiable draw (专家抽取).

    `groups` is a list of {specialty, count, reserves, centre_id|None, slot}; `slot` is the
    group of the root draw the seats belong to (a supplementary draw fills the root's slots).
    """

    __tablename__ = "expert_draw"
    __table_args__ = (CheckConstraint("purchaser_reps >= 0", name="reps_non_negative"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    root_id: Mapped[int | None] = mapped_column(Integer, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    evaluation_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    earliest_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    venue: Mapped[str] = mapped_column(String(200))
    purchaser_reps: Mapped[int] = mapped_column(Integer, default=0)
    pool_centre_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{credit_code, reason (code), source: manual|auto}]
    avoided: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Experts already drawn by earlier draws of the same family (never drawn twice).
    excluded_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[DrawStatus] = mapped_column(
        enum_column(DrawStatus, "expert_draw_status"), default=DrawStatus.PENDING, index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    # The secret seed, sealed at rest (app.core.crypto.secretbox) from commitment on; only the
    # revealed seed (hex) is ever shown or exported, and only once the result is public.
    seed_sealed: Mapped[str | None] = mapped_column(String(128))
    seed_revealed: Mapped[str | None] = mapped_column(String(64))
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    # The eligible pool per group, fixed at commitment (its SHA-256 is in pool_hashes):
    # one compact text per draw, delta-encoded ids as JSON, loaded only when asked for.
    eligible_deltas: Mapped[str | None] = mapped_column(Text, deferred=True)
    pool_hashes: Mapped[list[str] | None] = mapped_column(JSON)
    commitment_seq: Mapped[int | None] = mapped_column(Integer)
    public_value: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[list[dict[str, list[int]]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    drawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    requested_by: Mapped[User] = relationship()
    parent: Mapped[Draw | None] = relationship(remote_side=[id])
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="draw", order_by=lambda: [Invitation.slot, Invitation.rank]
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def eligible(self) -> list[list[int]] | None:
        text = self.eligible_deltas
        if text is None:
            return None
        # Decoding a large pool costs milliseconds; commit and draw read it back to back.
        cached = self.__dict__.get("_eligible_cache")
        if cached is None or cached[0] != text:
            cached = (text, [list(itertools.accumulate(d)) for d in json.loads(text)])
            self.__dict__["_eligible_cache"] = cached
        return [list(p) for p in cached[1]]

    @eligible.setter
    def eligible(self, pools: list[list[int]] | None) -> None:
        if pools is None:
            self.eligible_deltas = None
            return
        copies = [list(p) for p in pools]
        text = json.dumps(
            [[b - a for a, b in zip([0, *p], p, strict=False)] for p in copies],
            separators=(",", ":"),
        )
        self.eligible_deltas = text
        self.__dict__["_eligible_cache"] = (text, copies)


class Invitation(Base):
    """A drawn expert's seat or reserve place, and their answer."""

    __tablename__ = "expert_invitation"
    __table_args__ = (UniqueConstraint("draw_id", "expert_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    root_id: Mapped[int] = mapped_column(Integer, index=True)
    slot: Mapped[int] = mapped_column(Integer)  # group index of the root draw
    rank: Mapped[int] = mapped_column(Integer)  # order within the group of this draw
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState, "expert_invitation_state"), index=True
    )
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answer_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    draw: Mapped[Draw] = relationship(back_populates="invitations")
    expert: Mapped[Expert] = relationship()

    __mapper_args__ = {"version_id_col": version}
