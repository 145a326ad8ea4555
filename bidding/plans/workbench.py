"""What procurement plans ask of a user now: lines for the finance office to review, and
lines returned to the purchaser that filed them."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import money
from app.core.workbench import TodoItem, register_provider
from bidding.plans.models import PlanLine, PlanStatus
from bidding.plans.policies import can_review_plans, is_purchaser_staff


def lines_to_review(user: Any) -> list[TodoItem]:
    if not can_review_plans(user):
        return []
    rows = db.session.execute(
        select(PlanLine)
        .where(PlanLine.centre_id == user.centre_id, PlanLine.status == PlanStatus.SUBMITTED)
        .order_by(PlanLine.submitted_at)
    ).scalars()
    return [
        TodoItem(
            kind="plans.review",
            title=_("审核采购计划：%(name)s", name=line.name),
            url=url_for("plans.detail", line_id=line.id),
            detail=f"{line.purchaser.name} · {money(line.amount)}",
        )
        for line in rows
    ]


def lines_returned(user: Any) -> list[TodoItem]:
    if not is_purchaser_staff(user):
        return []
    rows = db.session.execute(
        select(PlanLine)
        .where(
            PlanLine.purchaser_id == user.organisation_id,
            PlanLine.status == PlanStatus.RETURNED,
        )
        .order_by(PlanLine.reviewed_at)
    ).scalars()
    return [
        TodoItem(
            kind="plans.returned",
            title=_("修改被退回的采购计划：%(name)s", name=line.name),
            url=url_for("plans.edit", line_id=line.id),
            detail=_("退回理由：%(r)s", r=line.return_reason),
        )
        for line in rows
    ]


def register() -> None:
    register_provider(
        "plans.review", _l("待审核的采购计划"), lines_to_review, ("supervisor",), order=20
    )
    register_provider(
        "plans.returned", _l("被退回的采购计划"), lines_returned, ("purchaser",), order=10
    )
