"""Faults of an evaluation across venues: a session broken off too long is sealed.

"Broken off" is the host's pause or a venue marked dropped, whichever began first and is
still going on. After `EVAL_BREAK_SEAL_HOURS` the scheduler seals the session: its record
(members, phase, cycle, the audit log's root at that moment) is frozen as canonical JSON
and signed with the platform's Ed25519 key, and the session takes no further command
(a flow blocker). The record is kept and linked; the lot's agency starts again with a
new committee.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from bidding.models import Lot
from remote_eval import actions as eval_actions
from remote_eval import flow
from remote_eval.models import EvalSession, Phase
from remote_eval.room import publish
from remote_eval.venues import actions
from remote_eval.venues.models import SealedRecord, SessionVenue, StartOverdue


def sealed_record(session: EvalSession) -> SealedRecord | None:
    return db.session.execute(
        select(SealedRecord).where(SealedRecord.session_id == session.id)
    ).scalar_one_or_none()


def _blocked(session: EvalSession) -> Any:
    if session.sealed_at is not None:
        return _l("本次评标中断超过规定时间，记录已封存，不能再操作；请重新组建评标委员会。")
    return None


def broken_since(session: EvalSession) -> dt.datetime | None:
    """When the current break began: the pause, or the oldest venue still dropped."""
    starts: list[dt.datetime] = []
    if session.paused:
        paused_at = db.session.execute(
            select(func.max(AuditEntry.ts)).where(
                AuditEntry.action == eval_actions.PAUSED,
                AuditEntry.object_type == "eval_session",
                AuditEntry.object_id == str(session.id),
            )
        ).scalar()
        if paused_at is not None:
            starts.append(paused_at)
    dropped = db.session.execute(
        select(func.min(SessionVenue.dropped_at)).where(
            SessionVenue.session_id == session.id, SessionVenue.dropped_at.is_not(None)
        )
    ).scalar()
    if dropped is not None:
        starts.append(dropped)
    return min(starts) if starts else None


def _snapshot(session: EvalSession, since: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    from app.core.audit import current_root

    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    size, root = current_root()
    return {
        "kind": "sealed_evaluation",
        "session_id": session.id,
        "lot_id": lot.id,
        "lot_code": lot.code,
        "phase": session.phase.value,
        "cycle": session.cycle,
        "main_centre_id": session.main_centre_id,
        "broken_since": since.isoformat(),
        "sealed_at": now.isoformat(),
        "members": [
            {
                "seat": m.seat,
                "kind": m.kind.value,
                "status": m.status.value,
                "venue_centre_id": m.venue_centre_id,
                "signed_in_at": m.signed_in_at.isoformat() if m.signed_in_at else None,
                "committed_at": m.committed_at.isoformat() if m.committed_at else None,
            }
            for m in session.members
        ],
        "audit": {"size": size, "root": root},
    }


def seal(session: EvalSession, since: dt.datetime) -> SealedRecord:
    """Freeze and sign the session's record (idempotent: a sealed session stays as it is)."""
    from app.core.crypto import canonical_json, sign_receipt

    existing = sealed_record(session)
    if existing is not None:
        return existing
    now = clock.now()
    signed = sign_receipt(_snapshot(session, since, now))
    text = canonical_json(signed).decode()
    row = SealedRecord(
        session_id=session.id,
        lot_id=session.lot_id,
        broken_since=since,
        sealed_at=now,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        document=text,
    )
    db.session.add(row)
    session.sealed_at = now
    session.paused = True
    session.pause_reason = str(_l("中断超过规定时间，评标记录已封存"))[:500]
    db.session.flush()
    record(
        actions.SESSION_SEALED,
        session,
        {"broken_since": since.isoformat(), "sha256": row.sha256, "key_id": signed["key_id"]},
    )
    publish(session, "session.sealed", {"sha256": row.sha256})
    return row


def sweep_breaks() -> int:
    """Scheduler: seal every evaluation broken off longer than the configured hours."""
    limit = clock.now() - dt.timedelta(hours=float(current_app.config["EVAL_BREAK_SEAL_HOURS"]))
    sealed = select(SealedRecord.session_id)
    candidates = list(
        db.session.execute(
            select(EvalSession).where(
                EvalSession.phase != Phase.DONE, EvalSession.id.not_in(sealed)
            )
        ).scalars()
    )
    n = 0
    for session in candidates:
        since = broken_since(session)
        if since is not None and since <= limit:
            seal(session, since)
            n += 1
    return n


def document(row: SealedRecord) -> dict[str, Any]:
    return json.loads(row.document)


flow.register_blocker(_blocked)


# ---------------------------------------------------------------- start overdue
DECISIONS = {"later": _l("推迟开始"), "reschedule": _l("重新安排评标时间")}


def _evaluation_at(session: EvalSession) -> dt.datetime | None:
    """The session's time: the purchaser's new one after a reschedule, else the draw's."""
    from remote_eval.committee import root_draw

    row = start_overdue(session)
    if row is not None and row.rescheduled_to is not None:
        return row.rescheduled_to
    lot = db.session.get(Lot, session.lot_id)
    root = root_draw(lot) if lot is not None else None
    return root.evaluation_at if root is not None else None


def start_overdue(session: EvalSession) -> StartOverdue | None:
    return db.session.execute(
        select(StartOverdue).where(StartOverdue.session_id == session.id)
    ).scalar_one_or_none()


def sweep_start_overdue() -> int:
    """Scheduler: sessions still at sign-in this long after their time go to the purchaser."""
    hours = float(current_app.config["EVAL_START_DECISION_HOURS"])
    # A rescheduled session is watched again at its new time.
    flagged = select(StartOverdue.session_id).where(StartOverdue.decision != "reschedule")
    rows = list(
        db.session.execute(
            select(EvalSession).where(
                EvalSession.phase == Phase.SIGNIN, EvalSession.id.not_in(flagged)
            )
        ).scalars()
    )
    now = clock.now()
    n = 0
    for session in rows:
        at = _evaluation_at(session)
        if at is None or now < at + dt.timedelta(hours=hours) or sealed_record(session):
            continue
        row = start_overdue(session)
        if row is None:
            row = StartOverdue(session_id=session.id)
            db.session.add(row)
        elif row.evaluation_at >= at:
            continue  # flagged for this time already
        row.evaluation_at, row.flagged_at = at, now
        row.decision, row.note, row.decided_by_id, row.decided_at = "", "", None, None
        db.session.flush()
        record(actions.START_OVERDUE, session, {"evaluation_at": at.isoformat(), "hours": hours})
        publish(session, "session.start_overdue", {})
        _tell_purchaser(session)
        n += 1
    return n


def _tell_purchaser(session: EvalSession) -> None:
    from app.core.auth.models import User
    from app.core.notify import notify

    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    title = str(_l("评标未能按时开始，请决定推迟开始或重新安排：%(lot)s", lot=lot.name))
    people = db.session.execute(
        select(User).where(User.organisation_id == lot.project.purchaser_id)
    ).scalars()
    for person in people:
        notify(person, "eval.start_overdue", title, title, "")


def decide_start(
    session: EvalSession,
    user: Any,
    decision: str,
    note: str,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
) -> StartOverdue:
    """The purchaser's decision: start later (the host may then open) or reschedule to
    `start_at` (the session is paused and the evaluation, its seats and its assistance
    requests move to the new time: `reschedule.move_evaluation`)."""
    from remote_eval.venues import reschedule

    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    if not (
        getattr(user, "is_authenticated", False)
        and user.organisation_id == lot.project.purchaser_id
    ):
        raise Forbidden(_l("只有本项目采购人（招标人）可以作出该决定。"))
    row = start_overdue(session)
    if row is None:
        raise Conflict(_l("该评标没有待采购人决定的事项。"))
    if row.decided_at is not None:
        raise Conflict(_l("采购人已作出决定。"))
    if decision not in DECISIONS:
        raise ValidationError(_l("请选择推迟开始或重新安排。"), field="decision")
    flow.ensure_not_blocked(session)
    row.decision = decision
    row.note = str(note or "").strip()[:2000]
    row.decided_by_id = user.id
    row.decided_at = clock.now()
    if decision == "reschedule" and not session.paused:
        session.paused = True
        session.pause_reason = str(_l("采购人决定重新安排评标时间"))
    db.session.flush()
    record(actions.START_DECIDED, session, {"decision": decision, "note": row.note}, actor=user)
    publish(session, "session.start_decided", {"decision": decision})
    if decision == "reschedule":
        reschedule.move_evaluation(row, session, lot, user, start_at, end_at)
    return row


def _start_decision_problems(session: EvalSession) -> list[Any]:
    row = start_overdue(session)
    if row is not None and row.decided_at is None:
        return [_l("评标超过规定时间未能开始，须等待采购人决定推迟开始或重新安排。")]
    return []


flow.register_exit_check(Phase.SIGNIN, _start_decision_problems)
