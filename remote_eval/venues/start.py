"""The start of a remote evaluation and its venues' connection.

For a lot marked remote, the sign-in phase ends (the host opens the session) only when
every secondary venue has confirmed online that its members are seated and identified —
an exit check registered with the evaluation's flow. Each venue's terminal beats while
its page is open; a venue silent for `VENUE_HEARTBEAT_TIMEOUT_SECONDS` is marked dropped
by the scheduler and shown so to every member and supervisor (the host may pause), and
the next beat marks it back. Every change is audited and published to the room.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from bidding.models import Lot
from bidding.policies import is_centre_officer
from remote_eval import flow, policies
from remote_eval.models import EvalSession, Phase
from remote_eval.room import publish
from remote_eval.venues import actions
from remote_eval.venues.models import RemoteLot, SessionVenue


def is_remote_session(session: EvalSession) -> bool:
    return db.session.get(RemoteLot, session.lot_id) is not None


def secondary_centre_ids(session: EvalSession) -> list[int]:
    return sorted(
        {m.venue_centre_id for m in policies.seated_members(session)} - {session.main_centre_id}
    )


def venue_row(session: EvalSession, centre_id: int) -> SessionVenue:
    row = db.session.execute(
        select(SessionVenue).where(
            SessionVenue.session_id == session.id, SessionVenue.centre_id == centre_id
        )
    ).scalar_one_or_none()
    if row is None:
        row = SessionVenue(session_id=session.id, centre_id=centre_id)
        db.session.add(row)
        db.session.flush()
    return row


def _staff_venue(session: EvalSession, user: User) -> int:
    """The venue of the session the user is centre staff of, or a refusal."""
    for centre_id in {session.main_centre_id, *secondary_centre_ids(session)}:
        if is_centre_officer(user, centre_id):
            return centre_id
    raise Forbidden(_l("只有评标场地所在交易中心的工作人员可以操作本场地。"))


def confirm_ready(session: EvalSession, user: User) -> SessionVenue:
    """A secondary venue's staff: every member here is seated, identified and signed in."""
    flow.ensure_phase(session, Phase.SIGNIN)
    centre_id = _staff_venue(session, user)
    if centre_id == session.main_centre_id:
        raise Conflict(_l("主场无需确认；由主持人在各副场确认后开始评标。"))
    here = [m for m in policies.seated_members(session) if m.venue_centre_id == centre_id]
    waiting = [m.seat for m in here if m.identity_confirmed_at is None or m.signed_in_at is None]
    if waiting:
        raise Conflict(_l("本场地尚未核验身份或签到的席位：%(s)s。", s="、".join(waiting)))
    row = venue_row(session, centre_id)
    if row.ready_at is not None:
        raise Conflict(_l("本场地已确认就绪。"))
    row.ready_at = clock.now()
    row.ready_by_id = user.id
    row.last_seen_at = row.ready_at
    db.session.flush()
    record(
        actions.VENUE_READY,
        session,
        {"centre_id": centre_id, "seats": [m.seat for m in here]},
        actor=user,
    )
    publish(session, "venue.ready", {"centre_id": centre_id})
    return row


def heartbeat(session: EvalSession, user: User) -> SessionVenue:
    """The venue's terminal is online; a dropped venue comes back."""
    if session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束。"))
    centre_id = _staff_venue(session, user)
    row = venue_row(session, centre_id)
    now = clock.now()
    first = row.last_seen_at is None
    row.last_seen_at = now
    if first:
        # Every page learns the venue is online; later beats change nothing they show.
        publish(session, "venue.online", {"centre_id": centre_id})
    if row.dropped_at is not None:
        away = now - row.dropped_at
        row.dropped_at = None
        db.session.flush()
        record(
            actions.VENUE_RECONNECTED,
            session,
            {"centre_id": centre_id, "away_seconds": int(away.total_seconds())},
            actor=user,
        )
        publish(session, "venue.reconnected", {"centre_id": centre_id})
    db.session.flush()
    return row


def sweep_dropped() -> int:
    """Scheduler: venues whose terminal went silent are marked dropped (once per drop)."""
    limit = clock.now() - dt.timedelta(
        seconds=int(current_app.config["VENUE_HEARTBEAT_TIMEOUT_SECONDS"])
    )
    rows = db.session.execute(
        select(SessionVenue, EvalSession)
        .join(EvalSession, EvalSession.id == SessionVenue.session_id)
        .where(
            EvalSession.phase != Phase.DONE,
            SessionVenue.dropped_at.is_(None),
            SessionVenue.last_seen_at.is_not(None),
            SessionVenue.last_seen_at < limit,
        )
    ).all()
    for row, session in rows:
        row.dropped_at = clock.now()
        db.session.flush()
        record(
            actions.VENUE_DROPPED,
            session,
            {"centre_id": row.centre_id, "last_seen_at": row.last_seen_at.isoformat()},
        )
        publish(session, "venue.dropped", {"centre_id": row.centre_id})
    return len(rows)


def venue_states(session: EvalSession, viewer: User) -> list[dict[str, Any]]:
    """Each venue's state for the room; a venue's member seats only for those who may see
    them (the host, supervisors, and the venue's own staff — least exposure)."""
    rows = {
        r.centre_id: r
        for r in db.session.execute(
            select(SessionVenue).where(SessionVenue.session_id == session.id)
        ).scalars()
    }
    seated = policies.seated_members(session)
    everything = policies.is_host(viewer, session) or policies.can_supervise(viewer, session)
    out = []
    for centre_id in [session.main_centre_id, *secondary_centre_ids(session)]:
        centre = db.session.get(Centre, centre_id)
        here = [m for m in seated if m.venue_centre_id == centre_id]
        row = rows.get(centre_id)
        mine = is_centre_officer(viewer, centre_id)
        out.append(
            {
                "centre_id": centre_id,
                "centre": centre.name if centre else "",
                "main": centre_id == session.main_centre_id,
                "members": len(here),
                "signed_in": sum(1 for m in here if m.signed_in_at is not None),
                "ready": centre_id == session.main_centre_id or bool(row and row.ready_at),
                "ready_at": row.ready_at if row else None,
                "last_seen_at": row.last_seen_at if row else None,
                "dropped": bool(row and row.dropped_at),
                "mine": mine,
                "seats": [m.seat for m in here] if (everything or mine) else [],
            }
        )
    return out


def _start_problems(session: EvalSession) -> list[Any]:
    if not is_remote_session(session):
        return []
    states = {
        r.centre_id: r
        for r in db.session.execute(
            select(SessionVenue).where(SessionVenue.session_id == session.id)
        ).scalars()
    }
    waiting = []
    for centre_id in secondary_centre_ids(session):
        row = states.get(centre_id)
        if row is None or row.ready_at is None:
            centre = db.session.get(Centre, centre_id)
            waiting.append(centre.name if centre else str(centre_id))
    if waiting:
        return [_l("副场尚未确认评委已就座并核验身份：%(v)s。", v="、".join(waiting))]
    return []


def lot_of(session: EvalSession) -> Lot:
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    return lot


flow.register_exit_check(Phase.SIGNIN, _start_problems)
