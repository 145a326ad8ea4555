"""The host's controls: advance, pause, resume, extend, and requests a supervisor decides.

A roll-back (回退) or a reopened review (复议) never erases: approval starts a new `cycle`,
and the verdicts and scores of earlier cycles stay in their tables.
Reopen rule: the session goes back to the review (资格与符合性审查) in a new cycle; the
approved request names the bidder, and `reopened_bid_ids` tells the review which bidders
are under reconsideration in the current cycle (the others' earlier verdicts stand).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from remote_eval import actions, flow, policies
from remote_eval.flow import ORDER, phase_label
from remote_eval.models import (
    EvalRequest,
    EvalSession,
    Phase,
    RequestKind,
    RequestStatus,
)
from remote_eval.room import publish, request_view

REASON_MAX = 500
EXTEND_MAX_MINUTES = 8 * 60
# A bidder's review can be reopened once the review has ended (and until the report is done).
REOPEN_FROM = (Phase.SCORING, Phase.SUMMARY, Phase.SIGNING)


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("请填写原因。"), field=field)
    return reason[:REASON_MAX]


def _entered(session: EvalSession, phase: Phase) -> None:
    """What a phase needs on entry: the election opens its first round."""
    if phase == Phase.ELECTION:
        from remote_eval.election import open_round

        open_round(session)


def advance(session: EvalSession, host: User) -> EvalSession:
    policies.ensure_host(host, session)
    flow.ensure_phase(session, *ORDER[:-1])
    problems = flow.exit_problems(session)
    if problems:
        raise Conflict(
            _l(
                "“%(p)s”阶段尚未完成：%(list)s",
                p=phase_label(session.phase),
                list="".join(str(p) for p in problems),
            )
        )
    before = session.phase
    following = flow.next_phase(session)
    flow.move_to(session, following)
    db.session.flush()
    record(
        actions.PHASE_ADVANCED,
        session,
        {"from": before.value, "to": following.value, "cycle": session.cycle},
        actor=host,
    )
    publish(session, "phase.changed", {"from": before.value, "phase": following.value})
    _entered(session, following)
    return session


def pause(session: EvalSession, host: User, reason: str) -> EvalSession:
    policies.ensure_host(host, session)
    flow.ensure_phase(session, *ORDER[:-1])
    why = _reason(reason)
    session.paused = True
    session.pause_reason = why
    db.session.flush()
    record(actions.PAUSED, session, {"reason": session.pause_reason}, actor=host)
    publish(session, "session.paused", {"reason": session.pause_reason})
    return session


def resume(session: EvalSession, host: User) -> EvalSession:
    policies.ensure_host(host, session)
    flow.ensure_not_blocked(session)
    if not session.paused:
        raise Conflict(_l("评标没有暂停。"))
    session.paused = False
    reason, session.pause_reason = session.pause_reason, ""
    db.session.flush()
    record(actions.RESUMED, session, {"paused_for": reason}, actor=host)
    publish(session, "session.resumed", {})
    return session


def extend(session: EvalSession, host: User, minutes: int, reason: str) -> EvalSession:
    policies.ensure_host(host, session)
    flow.ensure_phase(session, *ORDER[:-1])
    if not 1 <= minutes <= EXTEND_MAX_MINUTES:
        raise ValidationError(
            _l("延长时间应在 1 至 %(n)s 分钟之间。", n=EXTEND_MAX_MINUTES), field="minutes"
        )
    why = _reason(reason)
    session.phase_due_at = max(session.phase_due_at or clock.now(), clock.now()) + dt.timedelta(
        minutes=minutes
    )
    db.session.flush()
    due = session.phase_due_at.isoformat()
    record(actions.EXTENDED, session, {"minutes": minutes, "reason": why, "due": due}, actor=host)
    publish(session, "phase.extended", {"minutes": minutes, "reason": why, "due_at": due})
    return session


# ---------------------------------------------------------------- requests
def pending_request(session: EvalSession) -> EvalRequest | None:
    return db.session.execute(
        select(EvalRequest).where(
            EvalRequest.session_id == session.id, EvalRequest.status == RequestStatus.PENDING
        )
    ).scalar_one_or_none()


def _new_request(
    session: EvalSession,
    host: User,
    kind: RequestKind,
    target: Phase,
    reason: str,
    bid_id: int | None = None,
) -> EvalRequest:
    why = _reason(reason)
    if pending_request(session) is not None:
        raise Conflict(_l("已有一项回退或复议申请待监督人员审批。"))
    req = EvalRequest(
        session_id=session.id,
        kind=kind,
        target_phase=target,
        bid_id=bid_id,
        reason=why,
        requested_by_id=host.id,
        requested_at=clock.now(),
        status=RequestStatus.PENDING,
        note="",
    )
    db.session.add(req)
    db.session.flush()
    record(
        actions.REQUEST_MADE,
        req,
        {"kind": kind.value, "target": target.value, "bid_id": bid_id, "reason": why},
        actor=host,
    )
    publish(session, "request.made", {"request": request_view(req)})
    return req


def request_rollback(
    session: EvalSession, host: User, target_phase: Phase | str, reason: str
) -> EvalRequest:
    policies.ensure_host(host, session)
    try:
        target = Phase(target_phase)
    except ValueError:
        raise ValidationError(_l("回退的目标阶段无效。"), field="target_phase") from None
    if session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束，不能回退。"))
    if ORDER.index(target) >= ORDER.index(session.phase):
        raise ValidationError(
            _l("只能回退到当前阶段（%(p)s）之前的阶段。", p=phase_label(session.phase)),
            field="target_phase",
        )
    return _new_request(session, host, RequestKind.ROLLBACK, target, reason)


def request_reopen(session: EvalSession, host: User, bid_id: int, reason: str) -> EvalRequest:
    policies.ensure_host(host, session)
    if session.phase not in REOPEN_FROM:
        raise Conflict(_l("资格与符合性审查结束后、评标结束前才能申请复议。"))
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.lot_id != session.lot_id or bid.status != BidStatus.DECRYPTED:
        raise ValidationError(_l("该投标不属于本标段的有效开标投标。"), field="bid_id")
    return _new_request(session, host, RequestKind.REOPEN, Phase.REVIEW, reason, bid_id)


def decide_request(req: EvalRequest, supervisor: User, approve: bool, note: str) -> EvalRequest:
    session = db.session.get(EvalSession, req.session_id)
    assert session is not None
    policies.ensure_can_supervise(supervisor, session)
    if req.status != RequestStatus.PENDING:
        raise Conflict(_l("该申请已经审批。"))
    note = (note or "").strip()[:REASON_MAX]
    if not approve and not note:
        raise ValidationError(_l("驳回申请须说明理由。"), field="note")
    if approve and session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束，不能回退或复议。"))
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    req.decided_by_id = supervisor.id
    req.decided_at = clock.now()
    req.note = note
    before = session.phase
    if approve:
        session.cycle += 1
        req.new_cycle = session.cycle
        target = req.target_phase
        if ORDER.index(target) <= ORDER.index(Phase.ELECTION):
            session.leader_id = None  # the committee elects again
        if ORDER.index(target) < ORDER.index(Phase.SIGNING):
            session.summary_locked_at = None
        flow.move_to(session, target)
    db.session.flush()
    record(
        actions.REQUEST_DECIDED,
        req,
        {
            "approved": approve,
            "note": note,
            "from": before.value,
            "to": session.phase.value,
            "cycle": session.cycle,
        },
        actor=supervisor,
    )
    publish(session, "request.decided", {"request": request_view(req)})
    if approve:
        publish(
            session,
            "phase.changed",
            {"from": before.value, "phase": session.phase.value, "cycle": session.cycle},
        )
        _entered(session, session.phase)
    return req


def reopened_bid_ids(session: EvalSession) -> set[int]:
    """The bidders whose review was reopened in the current cycle (empty: review them all)."""
    return set(
        db.session.execute(
            select(EvalRequest.bid_id).where(
                EvalRequest.session_id == session.id,
                EvalRequest.kind == RequestKind.REOPEN,
                EvalRequest.status == RequestStatus.APPROVED,
                EvalRequest.new_cycle == session.cycle,
            )
        ).scalars()
    )
