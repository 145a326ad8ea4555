"""Random inspections (双随机、一公开): the lists a centre's supervisors keep, the campaigns
that draw targets and inspectors from them, and the results published."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, UTCDateTime, enum_column


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"  # 拟定：可修改
    COMMITTED = "committed"  # 已承诺（审计日志），尚未出结果
    DRAWN = "drawn"  # 已抽取，检查中
    PUBLISHED = "published"  # 结果已公开


class Outcome(enum.StrEnum):
    OK = "ok"  # 未发现问题
    ISSUES = "issues"  # 发现问题，责令整改
    SERIOUS = "serious"  # 发现违法违规线索，移交处理


class InspectionItem(Base):
    """One item of the centre's inspection list (抽查事项清单)."""

    __tablename__ = "inspection_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text, default="")  # 抽查依据
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RosterKind(enum.StrEnum):
    TARGET = "target"  # 检查对象（代理机构、供应商）
    INSPECTOR = "inspector"  # 检查人员


class RosterEntry(Base):
    """One entry of the centre's lists (名录库): an organisation to inspect, or a user who
    inspects. Both lists share one id space, so a draw's two pools never share an id (the
    draw never places one id twice)."""

    __tablename__ = "inspection_roster"
    __table_args__ = (
        UniqueConstraint("centre_id", "organisation_id"),
        UniqueConstraint("centre_id", "user_id"),
        CheckConstraint(
            "(kind = 'target' AND organisation_id IS NOT NULL AND user_id IS NULL)"
            " OR (kind = 'inspector' AND user_id IS NOT NULL AND organisation_id IS NULL)",
            name="one_subject",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    kind: Mapped[RosterKind] = mapped_column(
        enum_column(RosterKind, "inspection_roster_kind"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()
    employers: Mapped[list[InspectorEmployer]] = relationship(
        cascade="all, delete-orphan", order_by="InspectorEmployer.id"
    )

    @property
    def name(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        return self.user.display_name if self.user is not None else ""


class InspectorEmployer(Base):
    """A former employer of an inspector: never inspected by them (回避)."""

    __tablename__ = "inspector_employer"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_roster.id", ondelete="CASCADE"), index=True
    )
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class Campaign(Base):
    """One inspection campaign and its verifiable draw (the expert draws' commit–reveal).

    `eligible` is [target ids, inspector ids] as committed; `result` the draw's groups
    ([{"invited", "reserves"}] for targets, then inspectors); `teams` the assignment that
    follows from them: [{"target_id", "inspector_ids"}] in the targets' drawn order.
    """

    __tablename__ = "inspection_campaign"
    __table_args__ = (
        CheckConstraint("target_count >= 1", name="targets_positive"),
        CheckConstraint("team_size >= 1", name="team_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    target_count: Mapped[int] = mapped_column(Integer)
    inspector_count: Mapped[int] = mapped_column(Integer)
    team_size: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, "inspection_campaign_status"),
        default=CampaignStatus.DRAFT,
        index=True,
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    eligible: Mapped[list[list[int]] | None] = mapped_column(JSON)
    pool_hashes: Mapped[list[str] | None] = mapped_column(JSON)
    seed_sealed: Mapped[str | None] = mapped_column(String(128))
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    seed_revealed: Mapped[str | None] = mapped_column(String(64))
    commitment_seq: Mapped[int | None] = mapped_column(Integer)
    public_value: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[list[dict[str, list[int]]] | None] = mapped_column(JSON)
    teams: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    drawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class InspectionResult(Base):
    """The finding of one drawn target on one item of the campaign."""

    __tablename__ = "inspection_result"
    __table_args__ = (UniqueConstraint("campaign_id", "target_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("inspection_campaign.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_roster.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "inspection_outcome"))
    finding: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    item: Mapped[InspectionItem] = relationship()
