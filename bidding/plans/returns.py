"""A lot that will not be procured gives its budget back to the plan line it drew on.

Called inside the transaction that ends the lot (termination), so the lot's end, the
line's remainder and the audit entry commit together or not at all.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.extensions import db
from bidding.models import Lot
from bidding.plans import actions
from bidding.plans.models import PlanLine, PlanReturn, ReturnCause
from bidding.plans.plans import reserve

CAUSE_LABELS = {
    ReturnCause.TERMINATED: _l("标段终止"),
    ReturnCause.FAILED: _l("流标（废标）后不再重新招标"),
}


def returns_of(line: PlanLine) -> list[PlanReturn]:
    """What came back to the line, oldest first (the plan line's page)."""
    return list(
        db.session.execute(
            select(PlanReturn).where(PlanReturn.plan_line_id == line.id).order_by(PlanReturn.id)
        ).scalars()
    )


def returned_for(lot: Lot) -> PlanReturn | None:
    return db.session.execute(
        select(PlanReturn).where(PlanReturn.lot_id == lot.id)
    ).scalar_one_or_none()


def give_back(user: User, lot: Lot, cause: ReturnCause, reason: str) -> PlanReturn | None:
    """Return the lot's budget to its project's plan line, once; None when there is
    nothing to return (no line behind the project, a zero budget, already returned).

    The caller decides whether the budget is still the lot's to give: a failed lot that
    was tendered again has handed its budget to the new lot.
    """
    project = lot.project
    if project.plan_line_id is None or lot.budget <= 0 or returned_for(lot) is not None:
        return None
    line = db.session.get(PlanLine, project.plan_line_id)
    assert line is not None  # a foreign key
    amount = Decimal(lot.budget)
    reserve(line, -amount)
    given = PlanReturn(
        plan_line_id=line.id,
        lot_id=lot.id,
        amount=amount,
        cause=cause,
        returned_at=clock.now(),
        returned_by_id=user.id,
    )
    db.session.add(given)
    db.session.flush()
    record(
        actions.PLAN_LINE_BUDGET_RETURNED,
        line,
        {
            "code": line.code,
            "project_id": project.id,
            "project_code": project.code,
            "lot_id": lot.id,
            "lot_code": lot.code,
            "amount": str(amount),
            "cause": cause.value,
            "reason": reason,
            "used": str(line.used),
            "remaining": str(line.remaining),
        },
        actor=user,
    )
    return given
