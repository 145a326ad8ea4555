"""Pages of the negotiation: the group's table of rounds with one supplier's conversation,
and the supplier's own negotiation. Pages only read; commands go to the JSON API through
`eval-room.js`, and room events re-render the live part from the `…/live` routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from app.core.auth.models import Role
from app.core.errors import DomainError
from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.models import Lot
from remote_eval import committee, policies, review
from remote_eval.models import EvalSession
from remote_eval.negotiation import events, queries, state
from remote_eval.negotiation.api import supplier_bid

bp = Blueprint("negotiation", __name__, template_folder="templates")


# ---------------------------------------------------------------- the group
def _group(session_id: int) -> tuple[EvalSession, Lot, dict[str, Any]]:
    session = committee.get_session(session_id)
    if not policies.can_watch(current_user, session):
        abort(403)
    if not state.negotiates(session):
        abort(404)
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    talk: Bid | None = None
    raw = request.args.get("bid", type=int)
    try:
        if raw:
            talk = review.load_bid(session, raw)
    except DomainError:
        abort(404)
    member = policies.member_of(session, current_user)
    if talk is None and member is not None and policies.is_acting(member):
        opened = review.session_bids(session)
        talk = opened[0] if opened else None
    if talk is not None and not (member is not None and policies.is_acting(member)):
        talk = None  # only the group itself meets the suppliers
    return session, lot, queries.group_view(session, current_user, talk)


@bp.get("/evaluations/<int:session_id>/negotiation")
@login_required
def group_page(session_id: int) -> Any:
    session, lot, view = _group(session_id)
    talk = view["talk"]
    room = talk["room"] if talk else policies.EVAL.name(session.id)
    return render_template(
        "negotiation/group.html",
        session=session,
        lot=lot,
        v=view,
        room=room,
        seq=events.last_seq(room),
    )


@bp.get("/evaluations/<int:session_id>/negotiation/live")
@login_required
def group_live(session_id: int) -> Any:
    session, lot, view = _group(session_id)
    return render_template("negotiation/_group_panels.html", session=session, lot=lot, v=view)


# ---------------------------------------------------------------- the supplier
@bp.get("/negotiations/")
@login_required
def supplier_index() -> Any:
    if current_user.role != Role.SUPPLIER:
        abort(403)
    items = [
        (session, bid, db.session.get(Lot, bid.lot_id))
        for session, bid in queries.supplier_negotiations(current_user)
    ]
    return render_template("negotiation/supplier_index.html", items=items)


def _supplier(bid_id: int) -> dict[str, Any]:
    if current_user.role != Role.SUPPLIER:
        abort(403)
    try:
        session, bid = supplier_bid(bid_id)
    except DomainError as exc:
        abort(exc.status)
    return queries.supplier_view(session, bid)


@bp.get("/negotiations/<int:bid_id>")
@login_required
def supplier_page(bid_id: int) -> Any:
    return render_template("negotiation/supplier.html", v=_supplier(bid_id))


@bp.get("/negotiations/<int:bid_id>/live")
@login_required
def supplier_live(bid_id: int) -> Any:
    return render_template("negotiation/_supplier_panels.html", v=_supplier(bid_id))
