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


def start_decisions(user: Any) -> list[TodoItem]:
    """Sessions of the user's purchaser that did not start in time and await its decision."""
    from remote_eval.models import EvalSession
    from remote_eval.venues.models import StartOverdue

    if user.organisation_id is None:
        return []
    rows = db.session.execute(
        select(StartOverdue, EvalSession)
        .join(EvalSession, EvalSession.id == StartOverdue.session_id)
        .where(StartOverdue.decided_at.is_(None))
    ).all()
    out = []
    for _row, session in rows:
        lot = db.session.get(Lot, session.lot_id)
        if lot is None or lot.project.purchaser_id != user.organisation_id:
            continue
        out.append(
            TodoItem(
                kind="venues.start_decisions",
                title=_("决定评标推迟开始或重新安排：%(lot)s", lot=f"{lot.code} {lot.name}"),
                url=url_for("venues.faults_page", session_id=session.id),
                due_at=None,
                detail=_("评标未能按时开始"),
            )
        )
    return out


def handovers_due(user: Any) -> list[TodoItem]:
    from remote_eval.venues.models import Handover

    if user.centre_id is None or not policies.can_manage_venues(user, user.centre_id):
        return []
    rows = db.session.execute(
        select(Handover).where(
            Handover.centre_id == user.centre_id, Handover.handed_over_at.is_(None)
        )
    ).scalars()
    return [
        TodoItem(
            kind="venues.handovers",
            title=_("向主场移交评标资料"),
            url=url_for("venues.faults_page", session_id=r.session_id),
            due_at=r.due_at,
            detail=_("签到表扫描件、录像等"),
        )
        for r in rows
    ]


def register() -> None:
    register_provider(
        "venues.start_decisions",
        _l("待决定的评标开始"),
        start_decisions,
        ("purchaser", "staff"),
        3,
    )
    register_provider("venues.handovers", _l("待移交的评标资料"), handovers_due, ("staff",), 7)
    register_provider(
        "venues.assistance", _l("待答复的协助请求"), requests_to_answer, ("staff",), 5
    )
