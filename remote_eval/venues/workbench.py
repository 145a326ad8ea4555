"""What rooms and assistance ask of a user now: requests to answer for one's centre."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.extensions import db
from app.core.workbench import TodoItem, register_provider
from bidding.models import Lot
from remote_eval.venues import policies
from remote_eval.venues.models import AssistanceRequest, AssistanceStatus


def requests_to_answer(user: Any) -> list[TodoItem]:
    if user.centre_id is None or not policies.can_manage_venues(user, user.centre_id):
        return []
    rows = db.session.execute(
        select(AssistanceRequest).where(
            AssistanceRequest.to_centre_id == user.centre_id,
            AssistanceRequest.status == AssistanceStatus.PENDING,
        )
    ).scalars()
    out = []
    for item in rows:
        lot = db.session.get(Lot, item.lot_id)
        out.append(
            TodoItem(
                kind="venues.assistance",
                title=_("答复协助请求：%(lot)s", lot=f"{lot.code} {lot.name}" if lot else ""),
                url=url_for("venues.assistance_page", request_id=item.id),
                due_at=item.answer_due_at,
                detail=_(
                    "%(c)s请求 %(s)s 个工位、%(e)s 名专家",
                    c=item.from_centre.name,
                    s=item.seats,
                    e=item.expert_count,
                ),
            )
        )
    return out


def register() -> None:
    register_provider(
        "venues.assistance", _l("待答复的协助请求"), requests_to_answer, ("staff",), 5
    )
