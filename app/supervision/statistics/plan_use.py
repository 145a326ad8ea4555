"""Plan use (采购计划执行): per centre — whose supervisors are the finance office — what
purchasers filed, what was approved, what projects drew on it and what came back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from app.core.auth.models import Centre
from app.core.extensions import db
from bidding.plans.models import PlanLine, PlanReturn, PlanStatus

from .period import Period

Row = dict[str, Any]
ZERO = Decimal("0.00")


def plan_use(period: Period, centre_id: int | None) -> list[Row]:
    """Lines filed (last submitted) in the period, one row per centre. `used` is what
    projects hold now, after any budget given back; `returned` is what came back."""
    approved = PlanLine.status == PlanStatus.APPROVED
    in_period = (PlanLine.submitted_at >= period.start_at, PlanLine.submitted_at < period.end_at)
    stmt = (
        select(
            Centre.id,
            Centre.name,
            func.count(PlanLine.id),
            func.sum(PlanLine.amount),
            func.sum(case((approved, PlanLine.amount), else_=0)),
            func.sum(case((approved, PlanLine.used), else_=0)),
        )
        .join(Centre, Centre.id == PlanLine.centre_id)
        .where(*in_period)
        .group_by(Centre.id, Centre.name)
        .order_by(Centre.name)
    )
    back = (
        select(PlanLine.centre_id, func.sum(PlanReturn.amount))
        .join(PlanLine, PlanLine.id == PlanReturn.plan_line_id)
        .where(*in_period)
        .group_by(PlanLine.centre_id)
    )
    if centre_id is not None:
        stmt = stmt.where(PlanLine.centre_id == centre_id)
        back = back.where(PlanLine.centre_id == centre_id)
    returned = {cid: Decimal(str(v or 0)) for cid, v in db.session.execute(back)}
    rows = []
    for cid, name, lines, filed, ok, used in db.session.execute(stmt):
        ok = Decimal(str(ok or 0))
        used = Decimal(str(used or 0))
        rows.append(
            {
                "centre": name,
                "lines": lines,
                "filed": Decimal(str(filed or 0)),
                "approved": ok,
                "used": used,
                "returned": returned.get(cid, ZERO),
                "rate": round(float(used / ok), 4) if ok else None,
            }
        )
    return rows
