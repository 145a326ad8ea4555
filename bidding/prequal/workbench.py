"""What prequalification asks of a user now: applicants a committee member has still to
pass or fail, and prequalifications whose applications have closed and await a committee."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.extensions import db
from app.core.workbench import TodoItem, register_provider
from bidding.models import Lot, Project
from bidding.prequal.models import (
    PrequalApplication,
    Prequalification,
    PrequalMember,
    PrequalStatus,
    PrequalVerdict,
)


def applicants_to_review(user: Any) -> list[TodoItem]:
    seats = db.session.execute(
        select(PrequalMember)
        .join(Prequalification, Prequalification.id == PrequalMember.prequal_id)
        .where(
            PrequalMember.user_id == user.id,
            Prequalification.status == PrequalStatus.REVIEWING,
        )
    ).scalars()
    out: list[TodoItem] = []
    for seat in seats:
        item = seat.prequal
        owed = db.session.scalar(
            select(PrequalApplication.id)
            .where(
                PrequalApplication.prequal_id == item.id,
                ~PrequalApplication.id.in_(
                    select(PrequalVerdict.application_id).where(PrequalVerdict.member_id == seat.id)
                ),
            )
            .limit(1)
        )
        if owed is not None:
            out.append(
                TodoItem(
                    kind="prequal.review",
                    title=_("资格审查：%(lot)s", lot=item.lot.name),
                    url=url_for("prequal.review_page", prequal_id=item.id),
                    detail=item.lot.project.name,
                )
            )
    return out


def committees_to_seat(user: Any) -> list[TodoItem]:
    if user.organisation_id is None:
        return []
    rows = db.session.execute(
        select(Prequalification)
        .join(Lot, Lot.id == Prequalification.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(
            Project.agency_id == user.organisation_id,
            Prequalification.status == PrequalStatus.OPEN,
            Prequalification.application_deadline <= clock.now(),
        )
    ).scalars()
    return [
        TodoItem(
            kind="prequal.seat",
            title=_("组建资格审查委员会：%(lot)s", lot=item.lot.name),
            url=url_for("prequal.manage", lot_id=item.lot_id),
            detail=item.lot.project.name,
        )
        for item in rows
    ]


def register() -> None:
    register_provider(
        "prequal.review", _l("待审查的资格预审申请"), applicants_to_review, ("expert", "purchaser")
    )
    register_provider(
        "prequal.seat", _l("待组建的资格审查委员会"), committees_to_seat, ("staff",), order=30
    )
