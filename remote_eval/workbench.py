"""What the evaluation floor asks of a user now (the workbench's providers for this floor)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import Role
from app.core.extensions import db
from app.core.workbench import TodoItem, Urgency, register_provider
from bidding.bids.models import Bid
from bidding.models import Lot
from remote_eval import flow, policies, queries
from remote_eval.models import (
    EvalClarification,
    EvalRequest,
    EvalSession,
    Phase,
    RequestStatus,
)


def _lot_name(lot_id: int) -> str:
    lot = db.session.get(Lot, lot_id)
    return f"{lot.code} {lot.name}" if lot is not None else ""


def evaluations_to_join(user: Any) -> list[TodoItem]:
    """Sessions where the user holds a seat (expert or purchaser's representative) and the
    evaluation is not finished."""
    return [
        TodoItem(
            kind="eval.sessions",
            title=_("参加评标：%(lot)s", lot=_lot_name(s.lot_id)),
            url=url_for("eval_room.room_page", session_id=s.id),
            due_at=s.phase_due_at,
            detail=_("当前环节：%(phase)s", phase=flow.phase_label(s.phase)),
            # A seat in a running evaluation is needed now, whatever its phase's due time.
            urgency=Urgency.TODAY if s.phase_due_at is None else None,
        )
        for s in queries.member_sessions(user)
        if s.phase != Phase.DONE
    ]


def evaluations_to_host(user: Any) -> list[TodoItem]:
    if user.role != Role.STAFF:
        return []
    sessions = db.session.execute(
        select(EvalSession).where(EvalSession.host_id == user.id, EvalSession.phase != Phase.DONE)
    ).scalars()
    return [
        TodoItem(
            kind="eval.hosting",
            title=_("主持评标：%(lot)s", lot=_lot_name(s.lot_id)),
            url=url_for("eval_room.room_page", session_id=s.id),
            due_at=s.phase_due_at,
            detail=_("当前环节：%(phase)s", phase=flow.phase_label(s.phase)),
        )
        for s in sessions
    ]


def clarifications_to_answer(user: Any) -> list[TodoItem]:
    """The committee's written questions to the user's own organisation, unanswered; an
    abnormally low price is a warning the bidder must explain."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        return []
    rows = db.session.execute(
        select(EvalClarification, Bid)
        .join(Bid, Bid.id == EvalClarification.bid_id)
        .where(Bid.supplier_id == user.organisation_id, EvalClarification.answered_at.is_(None))
    ).all()
    items = []
    for clar, bid in rows:
        if clar.kind == "abnormal_price":
            title = _("说明报价（评标委员会认为报价明显偏低）：%(lot)s", lot=_lot_name(bid.lot_id))
        else:
            title = _("答复评标委员会的澄清：%(lot)s", lot=_lot_name(bid.lot_id))
        items.append(
            TodoItem(
                kind="eval.clarifications",
                title=title,
                url=url_for("eval_room.bidder_clarifications"),
                due_at=clar.due_at,
                detail=clar.question[:120],
            )
        )
    return items


def requests_to_decide(user: Any) -> list[TodoItem]:
    """Roll-back and reopen requests awaiting a supervisor of a centre the session uses."""
    if user.role != Role.SUPERVISOR:
        return []
    rows = db.session.execute(
        select(EvalRequest, EvalSession)
        .join(EvalSession, EvalSession.id == EvalRequest.session_id)
        .where(EvalRequest.status == RequestStatus.PENDING)
    ).all()
    return [
        TodoItem(
            kind="eval.requests",
            title=_("审批评标回退或复议申请：%(lot)s", lot=_lot_name(session.lot_id)),
            url=url_for("eval_room.room_page", session_id=session.id),
            due_at=None,
            detail=req.reason[:120],
            # The committee waits on this decision.
            urgency=Urgency.TODAY,
        )
        for req, session in rows
        if policies.can_supervise(user, session)
    ]


def register() -> None:
    register_provider(
        "eval.sessions", _l("待参加的评标"), evaluations_to_join, ("expert", "staff"), 4
    )
    register_provider("eval.hosting", _l("主持中的评标"), evaluations_to_host, ("staff",), 6)
    register_provider(
        "eval.clarifications", _l("待答复的评标澄清"), clarifications_to_answer, ("supplier",), 2
    )
    register_provider(
        "eval.requests", _l("待审批的评标申请"), requests_to_decide, ("supervisor",), 2
    )
