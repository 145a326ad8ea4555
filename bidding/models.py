"""Projects, lots and announcements: the spine of a procurement."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    inspect,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.auth.models import Centre, Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column

if TYPE_CHECKING:
    from bidding.plans.models import PlanLine


class Method(enum.StrEnum):
    """Procurement methods (采购方式)."""

    OPEN = "open"  # 公开招标
    INVITED = "invited"  # 邀请招标
    NEGOTIATION = "negotiation"  # 竞争性谈判
    CONSULTATION = "consultation"  # 竞争性磋商
    INQUIRY = "inquiry"  # 询价
    SINGLE_SOURCE = "single_source"  # 单一来源


class EvalMethod(enum.StrEnum):
    LOWEST_PRICE = "lowest_price"  # 最低评标价法
    COMPREHENSIVE = "comprehensive"  # 综合评分法
    REASONABLE_LOWEST = "reasonable_lowest"  # 经评审的合理最低投标价法
    AVERAGE_BASE = "average_base"  # 平均值基准价法


class LotStatus(enum.StrEnum):
    DRAFT = "draft"  # 登记中
    PUBLISHED = "published"  # 公告中 / 投标中
    SUSPENDED = "suspended"  # 暂停 (an objection awaits an answer)
    CLOSED = "closed"  # 投标截止, bids frozen
    OPENED = "opened"  # 已开标
    FAILED = "failed"  # 流标
    EVALUATING = "evaluating"  # 评标中
    EVALUATED = "evaluated"  # 评标结束: the signed report awaits its candidate publicity
    PUBLICITY = "publicity"  # 中标候选人公示中 (objections to the result may be filed)
    AWARDED = "awarded"  # 已定标: award notice issued, contract awaited
    CONTRACTED = "contracted"  # 合同已备案
    TERMINATED = "terminated"  # 已终止


class AnnouncementKind(enum.StrEnum):
    INTENT = "intent"  # 采购意向
    TENDER = "tender"  # 招标公告/采购公告
    CLARIFICATION = "clarification"  # 澄清/更正公告
    CANDIDATES = "candidates"  # 中标候选人公示
    RESULT = "result"  # 中标结果公告
    CONTRACT = "contract"  # 合同公告
    TERMINATION = "termination"  # 终止公告
    FAILURE = "failure"  # 流标/废标公告
    PREQUALIFICATION = "prequal"  # 资格预审公告
    PREQUAL_RESULT = "prequal_result"  # 资格预审结果公告


class Project(Base):
    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # 项目编号
    trade_id: Mapped[str] = mapped_column(String(40), unique=True)  # unified trade id (交易编号)
    name: Mapped[str] = mapped_column(String(200))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    method: Mapped[Method] = mapped_column(enum_column(Method, "procurement_method"))
    category_code: Mapped[str] = mapped_column(String(12), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    funding_source: Mapped[str] = mapped_column(String(100), default="")
    # The procurement plan line it draws on (采购计划); none for tenders outside a plan.
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("plan_line.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    centre: Mapped[Centre] = relationship()
    purchaser: Mapped[Organisation] = relationship(foreign_keys=[purchaser_id])
    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id])
    created_by: Mapped[User] = relationship()
    lots: Mapped[list[Lot]] = relationship(back_populates="project", order_by="Lot.seq")
    plan_line: Mapped[PlanLine | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Lot(Base):
    """A lot / section (标段/包): what suppliers bid on and a committee evaluates."""

    __tablename__ = "lot"
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint(
            "ceiling_price IS NULL OR (ceiling_price >= 0 AND ceiling_price <= budget)",
            name="ceiling_within_budget",
        ),
        # The floor (最低限价) is optional and below the ceiling (or the budget without one).
        CheckConstraint(
            "floor_price IS NULL OR (floor_price >= 0 AND floor_price <= budget"
            " AND (ceiling_price IS NULL OR floor_price < ceiling_price))",
            name="floor_below_ceiling",
        ),
        CheckConstraint("bid_bond >= 0", name="bond_non_negative"),
        CheckConstraint("committee_size >= 3 AND committee_size % 2 = 1", name="committee_odd"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the project
    code: Mapped[str] = mapped_column(String(50), unique=True)  # 标段编号
    name: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(String(12), index=True)
    budget: Mapped[Decimal] = mapped_column(Money())
    ceiling_price: Mapped[Decimal | None] = mapped_column(Money())
    floor_price: Mapped[Decimal | None] = mapped_column(Money())
    bid_bond: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    evaluation_method: Mapped[EvalMethod] = mapped_column(
        enum_column(EvalMethod, "evaluation_method")
    )
    committee_size: Mapped[int] = mapped_column(Integer, default=5)
    validity_days: Mapped[int] = mapped_column(Integer, default=90)
    status: Mapped[LotStatus] = mapped_column(
        enum_column(LotStatus, "lot_status"), index=True, default=LotStatus.DRAFT
    )
    # Timetable (UTC). The deadline is also the opening time.
    doc_start_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    doc_end_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    bid_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    opening_place: Mapped[str] = mapped_column(String(200), default="")
    # Extra price-form fields the lot defines beyond total price / duration / quality.
    price_form_fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    max_bid_bytes: Mapped[int] = mapped_column(Integer, default=200 * 1024 * 1024)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship(back_populates="lots")

    __mapper_args__ = {"version_id_col": version}


class Announcement(Base):
    """A public notice. Published ones are never deleted; a correction supersedes."""

    __tablename__ = "announcement"
    # The public list filters on one column and sorts newest first: each pair serves
    # both the filter and the order (and the count, as a covering index).
    __table_args__ = (
        Index("ix_announcement_kind_published", "kind", "published_at"),
        Index("ix_announcement_centre_published", "centre_id", "published_at"),
        Index("ix_announcement_method_published", "method", "published_at"),
        Index("ix_announcement_category_published", "category_code", "published_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(
        ForeignKey("lot.id"), index=True
    )  # None = whole project
    kind: Mapped[AnnouncementKind] = mapped_column(
        enum_column(AnnouncementKind, "announcement_kind"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Structured notice fields (DOMAIN.md §3) kept as data so the portal and OCDS can use them.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Denormalised for the portal's filters (a notice never changes once published).
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    method: Mapped[Method] = mapped_column(enum_column(Method, "procurement_method"), index=True)
    category_code: Mapped[str] = mapped_column(String(12), index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship()
    lot: Mapped[Lot | None] = relationship()
    centre: Mapped[Centre] = relationship()


class IntentExemption(Base):
    """A plan-line project whose procurement notice goes out without the 30-day intent:
    urgent for reasons the purchaser could not foresee (因预算单位不可预见的原因急需开展的
    采购项目). The agency's reason is the notice's 未公开采购意向的说明; one per project,
    never changed once recorded (the audit log keeps who stated it, and when)."""

    __tablename__ = "intent_exemption"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    recorded_by: Mapped[User] = relationship()


class PublicationCounter(Base):
    """One row, bumped in the transaction that publishes an announcement (or moves a
    published one's time), so that "anything new on the public list?" is one primary-key
    read instead of a count over every announcement (app/portal/listcache.py)."""

    __tablename__ = "publication_counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def _publishes(session: Session) -> bool:
    for obj in session.new:
        if isinstance(obj, Announcement) and obj.published_at is not None:
            return True
    for obj in session.dirty:
        if isinstance(obj, Announcement) and inspect(obj).attrs.published_at.history.has_changes():
            return True
    return any(isinstance(obj, Announcement) for obj in session.deleted)


@event.listens_for(Session, "after_flush")
def _count_publications(session: Session, _context: Any) -> None:
    if not _publishes(session):
        return
    conn = session.connection()
    bumped = conn.execute(
        update(PublicationCounter)
        .where(PublicationCounter.id == 1)
        .values(value=PublicationCounter.value + 1)
    )
    if bumped.rowcount == 0:  # a database made by create_all (the migration adds the row)
        conn.execute(insert(PublicationCounter).values(id=1, value=1))


# The plan line a project draws on is mapped beside these tables (imported last: it names
# the procurement methods above).
from bidding.plans import models as _plan_models  # noqa: E402, F401
