"""Pages of the evaluation room: the list of one's evaluations, the live room, and the
bidder's clarification page.

Pages only read; every command is sent by `eval-room.js` to the JSON API
(`/api/v1/evaluations/...`), which checks, audits and publishes the room event. The room
page re-renders its panels from `/evaluations/<id>/live` when an event arrives.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import Centre, Role
from app.core.extensions import db
from app.core.http import load_or_404
from bidding.bids.models import Bid
from bidding.models import Lot
from remote_eval import (
    bid_files,
    clarifications,
    committee,
    flow,
    policies,
    queries,
    room_panels,
)
from remote_eval.models import EvalSession
from remote_eval.negotiation.state import negotiates

bp = Blueprint("eval_room", __name__, url_prefix="/evaluations", template_folder="templates")


@bp.app_template_filter("eval_phase")
def eval_phase(value: str) -> str:
    return flow.phase_label(value)


# ---------------------------------------------------------------- the list
def _form_data(lot: Lot) -> dict[str, Any]:
    """What the committee form offers: the accepted experts (sealed), centres, reps."""
    root = committee.root_draw(lot)
    accepted = committee.accepted_invitations(root) if root else []
    return {
        "lot": lot,
        "experts": [
            {"invitation_id": inv.id, "n": n, "seat": f"{n:02d}"}
            for n, inv in enumerate(accepted, start=1)
        ],
        "reps": queries.purchaser_users(lot),
        "main_centre_id": lot.project.centre_id,
    }


@bp.get("/")
@login_required
def index() -> Any:
    user = current_user
    if user.role == Role.SUPPLIER:
        return render_template("remote_eval/room_list.html", sessions=[], forms=[], rows=[])
    sessions: dict[int, EvalSession] = {s.id: s for s in queries.member_sessions(user)}
    forms: list[dict[str, Any]] = []
    if user.role == Role.STAFF:
        lots, agency = queries.agency_lots(user)
        forms = [_form_data(lot) for lot in lots]
        sessions.update({s.id: s for s in agency})
    if user.role in (Role.STAFF, Role.SUPERVISOR) and user.centre_id is not None:
        sessions.update({s.id: s for s in queries.centre_sessions(user.centre_id)})
    rows = [
        {
            "session": s,
            "lot": db.session.get(Lot, s.lot_id),
            "me": policies.active_member_of(user, s),
        }
        for s in sorted(sessions.values(), key=lambda s: -s.id)
        if policies.can_watch(user, s)
    ]
    centres = list(db.session.execute(select(Centre).order_by(Centre.id)).scalars())
    return render_template("remote_eval/room_list.html", rows=rows, forms=forms, centres=centres)


# ---------------------------------------------------------------- the room
def _room_context(session_id: int) -> dict[str, Any]:
    session = load_or_404(EvalSession, session_id)
    # Seat first: a reserve who has just accepted opens the room as its member.
    if committee.sync_members(session):
        db.session.commit()
    policies.ensure_can_watch(current_user, session)
    return room_panels.context(session, current_user)


@bp.get("/<int:session_id>")
@login_required
def room_page(session_id: int) -> Any:
    context = _room_context(session_id)
    # 竞争性谈判 / 磋商: the group negotiates with the suppliers on a page of its own.
    context["negotiates"] = negotiates(context["session"])
    return render_template("remote_eval/room_page.html", **context)


@bp.get("/<int:session_id>/live")
@login_required
def room_live(session_id: int) -> Any:
    """The room's panels alone, for the page to swap in after a room event."""
    return render_template("remote_eval/room_panels.html", **_room_context(session_id))


@bp.get("/<int:session_id>/bids/<int:bid_id>/files/<int:index>")
@login_required
def bid_file(session_id: int, bid_id: int, index: int) -> Any:
    """A member reads a bid's file in a new tab: a PDF in the browser's own viewer."""
    return bid_files.serve(session_id, bid_id, index, current_user, request)


# ---------------------------------------------------------------- the bidder
@bp.get("/clarifications")
@login_required
def bidder_clarifications() -> Any:
    """The clarifications addressed to the caller's bids; nothing else of the evaluation."""
    if current_user.role != Role.SUPPLIER:
        abort(403)
    items = clarifications.for_bidder(current_user)
    lots = {}
    for c in items:
        bid = db.session.get(Bid, c.bid_id)
        lots[c.id] = bid.lot if bid is not None else None
    return render_template(
        "remote_eval/room_clarifications.html", items=items, lots=lots, now_at=clock.now()
    )
