"""Hand-over of a secondary venue's records to the main centre after a remote evaluation.

When a remote session is done (or sealed), each secondary venue owes the main centre its
records within `VENUE_HANDOVER_WORKING_DAYS` working days of its own centre's calendar
(the day of the evaluation not counted, due at 24:00 Beijing time). The scheduler opens
the hand-overs, reminds the venue's staff a day before, and flags lateness to the
supervisors of both centres, once each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.policies import is_centre_officer
from remote_eval.models import EvalSession, Phase
from remote_eval.venues import actions, start
from remote_eval.venues.models import Handover, SealedRecord


def get_handover(handover_id: int) -> Handover:
    row = db.session.get(Handover, handover_id)
    if row is None:
        raise NotFound(_l("移交事项不存在。"))
    return row


def handovers_of(session: EvalSession) -> list[Handover]:
    return list(
        db.session.execute(
            select(Handover).where(Handover.session_id == session.id).order_by(Handover.id)
        ).scalars()
    )


def due_for(centre_id: int, ended: dt.datetime) -> dt.datetime:
    days = int(current_app.config["VENUE_HANDOVER_WORKING_DAYS"])
    last = calendar_for(centre_id).add_working_days(clock.cst_date(ended), days)
    return clock.parse_cst((last + dt.timedelta(days=1)).isoformat() + " 00:00")


def open_due() -> int:
    """Hand-overs for every finished or sealed remote session that has none yet."""
    ended = list(
        db.session.execute(
            select(EvalSession).where(
                or_(
                    EvalSession.phase == Phase.DONE,
                    EvalSession.id.in_(select(SealedRecord.session_id)),
                )
            )
        ).scalars()
    )
    n = 0
    for session in ended:
        if not start.is_remote_session(session) or handovers_of(session):
            continue
        seal = db.session.execute(
            select(SealedRecord.sealed_at).where(SealedRecord.session_id == session.id)
        ).scalar()
        end = session.finished_at or seal or clock.now()
        for centre_id in start.secondary_centre_ids(session):
            db.session.add(
                Handover(session_id=session.id, centre_id=centre_id, due_at=due_for(centre_id, end))
            )
            n += 1
    db.session.flush()
    return n


def hand_over(row: Handover, user: User, note: str) -> Handover:
    if not is_centre_officer(user, row.centre_id):
        raise Forbidden(_l("只有副场所在交易中心的工作人员可以移交评标资料。"))
    if row.handed_over_at is not None:
        raise Conflict(_l("评标资料已移交。"))
    text = str(note or "").strip()
    if len(text) < 2:
        raise ValidationError(_l("请写明移交的资料（如签到表扫描件、录像）及方式。"), field="note")
    row.handed_over_at = clock.now()
    row.handed_over_by_id = user.id
    row.note = text[:2000]
    db.session.flush()
    session = db.session.get(EvalSession, row.session_id)
    record(
        actions.HANDED_OVER,
        session,
        {"centre_id": row.centre_id, "late": row.handed_over_at > row.due_at, "note": row.note},
        actor=user,
    )
    return row


def _people(centre_ids: list[int], role: Role) -> list[User]:
    rows = db.session.execute(
        select(User).where(User.centre_id.in_(centre_ids), User.role == role)
    ).scalars()
    if role == Role.STAFF:
        return [u for u in rows if is_centre_officer(u, u.centre_id)]
    return list(rows)


def remind_and_flag() -> dict[str, int]:
    """Remind a day before the deadline; flag lateness to both centres' supervisors."""
    now = clock.now()
    reminded = late = 0
    rows = db.session.execute(select(Handover).where(Handover.handed_over_at.is_(None))).scalars()
    for row in list(rows):
        session = db.session.get(EvalSession, row.session_id)
        assert session is not None
        due = formatting.cst(row.due_at)
        if row.reminded_at is None and now >= row.due_at - dt.timedelta(days=1):
            row.reminded_at = now
            record(actions.HANDOVER_REMINDED, session, {"centre_id": row.centre_id, "due_at": due})
            title = str(_l("请于 %(t)s 前向主场移交评标资料", t=due))
            for person in _people([row.centre_id], Role.STAFF):
                notify(person, "venue.handover", title, title, "")
            reminded += 1
        if row.late_flagged_at is None and now >= row.due_at:
            row.late_flagged_at = now
            record(actions.HANDOVER_LATE, session, {"centre_id": row.centre_id, "due_at": due})
            title = str(_l("副场%(c)s逾期未移交评标资料（期限 %(t)s）", c=row.centre.name, t=due))
            for person in _people([row.centre_id, session.main_centre_id], Role.SUPERVISOR):
                notify(person, "venue.handover_late", title, title, "")
            late += 1
    db.session.flush()
    return {"reminded": reminded, "late": late}


def describe(row: Handover) -> dict[str, Any]:
    return {
        "id": row.id,
        "session_id": row.session_id,
        "centre_id": row.centre_id,
        "centre": row.centre.name,
        "due_at": row.due_at,
        "handed_over_at": row.handed_over_at,
        "note": row.note,
        "late": bool(row.late_flagged_at),
    }
