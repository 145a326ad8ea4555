"""Plan lines (采购计划): what a purchaser may spend, and how much of it projects have used."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Centre, Organisation, User
from app.core.db import Base, Money, UTCDateTime, enum_column
from bidding.models import Lot, Method


class PlanStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 待审核: with the finance office
    APPROVED = "approved"  # 已备案: projects may draw on it
    RETURNED = "returned"  # 已退回: the purchaser corrects and files again


class PlanLine(Base):
    """One filed line of a purchaser's procurement plan.

    `used` is what projects have drawn; it only moves by a conditional UPDATE
    (`bidding.plans.plans.draw`), and the check constraint is the last word if anything
    ever tried to spend more than the line holds.
    """

    __tablename__ = "plan_line"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("used >= 0 AND used <= amount", name="used_within_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # 计划编号
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # 采购项目名称
    budget_item_code: Mapped[str] = mapped_column(String(40))  # 预算项目编码
    funding_source: Mapped[str] = mapped_column(String(100))  # 资金来源
    amount: Mapped[Decimal] = mapped_column(Money())  # 计划金额
    used: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), server_default="0")
    category_code: Mapped[str] = mapped_column(String(12))  # 品目
    method: Mapped[Method] = mapped_column(enum_column(Method, "procurement_method"))
    # Why a method other than open tendering, when the amount is at or above the threshold.
    method_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    expected_month: Mapped[str] = mapped_column(String(7))  # 预计采购时间, YYYY-MM
    status: Mapped[PlanStatus] = mapped_column(
        enum_column(PlanStatus, "plan_status"), index=True, default=PlanStatus.SUBMITTED
    )
    return_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    centre: Mapped[Centre] = relationship()
    purchaser: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.used


class ReturnCause(enum.StrEnum):
    TERMINATED = "terminated"  # 终止: the lot will not be procured
    FAILED = "failed"  # 流标/废标 closed without a re-tender


class PlanReturn(Base):
    """A lot's budget given back to its project's plan line (one row per lot at most).

    The unique lot is the database's guard against giving one budget back twice; the
    amount returned moves `PlanLine.used` down by the same conditional UPDATE that draws.
    """

    __tablename__ = "plan_line_return"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_line_id: Mapped[int] = mapped_column(ForeignKey("plan_line.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    cause: Mapped[ReturnCause] = mapped_column(enum_column(ReturnCause, "plan_return_cause"))
    returned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    returned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    plan_line: Mapped[PlanLine] = relationship()
    lot: Mapped[Lot] = relationship()
