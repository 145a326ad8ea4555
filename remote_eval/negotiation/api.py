"""JSON API of the negotiation in rounds (thin: parse, load, check, call, commit).

Every call goes through `refusals.run`: a refused attempt rolls back whatever it wrote,
is answered with its reason and audited once (`eval.refused`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Forbidden, NotFound
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from remote_eval import committee, policies, refusals, review
from remote_eval.models import EvalSession
from remote_eval.negotiation import queries, rounds, state, talks
from remote_eval.negotiation.models import NegotiationRound
from remote_eval.negotiation.schemas import (
    NegoAmendmentIn,
    NegoAmendmentOut,
    NegoDropIn,
    NegoDropOut,
    NegoGroupOut,
    NegoMessageIn,
    NegoMessageOut,
    NegoQuoteIn,
    NegoQuoteReceiptOut,
    NegoRoundIn,
    NegoRoundOut,
    NegoSupplierOut,
)

blp = Blueprint(
    "negotiation_api",
    __name__,
    url_prefix="/api/v1",
    description="Competitive negotiation and consultation in rounds",
)
blp.after_request(refusals.audit_other_refusals)


def _round(session: EvalSession, round_id: int) -> NegotiationRound:
    rnd = db.session.get(NegotiationRound, round_id) if 0 < round_id <= refusals.MAX_ID else None
    if rnd is None or rnd.session_id != session.id:
        raise NotFound(_l("谈判轮次不存在。"))
    return rnd


def _round_out(rnd: NegotiationRound) -> dict[str, Any]:
    return {
        "id": rnd.id,
        "number": rnd.number,
        "final": rnd.final,
        "opened_at": rnd.opened_at,
        "closed_at": rnd.closed_at,
        "sealed_count": len(state.quotes_of(rnd)),
    }


def supplier_bid(bid_id: int) -> tuple[EvalSession, Bid]:
    """The caller's own opened response and its negotiating session (or a 404/403)."""
    bid = db.session.get(Bid, bid_id) if 0 < bid_id <= refusals.MAX_ID else None
    if bid is None or bid.status != BidStatus.DECRYPTED:
        raise NotFound(_l("没有该谈判。"))
    session = state.session_of_lot(bid.lot_id)
    if session is None or not state.negotiates(session):
        raise NotFound(_l("没有该谈判。"))
    if not policies.can_answer_for(current_user, bid):
        raise Forbidden(_l("只能查看本单位参加的谈判。"))
    return session, bid


def _session_of_bid(bid_id: int) -> int | None:
    bid = db.session.get(Bid, bid_id) if 0 < bid_id <= refusals.MAX_ID else None
    session = state.session_of_lot(bid.lot_id) if bid is not None else None
    return session.id if session is not None else None


# ---------------------------------------------------------------- the group
@blp.route("/evaluations/<int:session_id>/negotiation")
class GroupResource(MethodView):
    @login_required
    @blp.response(200, NegoGroupOut)
    def get(self, session_id: int) -> Any:
        """The negotiation as the group sees it: quotes only from closed rounds."""

        def read() -> Any:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            rounds.ensure_negotiates(session)
            return queries.group_view(session, current_user)

        return refusals.run("negotiation", session_id, read, commit=False)


@blp.route("/evaluations/<int:session_id>/negotiation/rounds")
class RoundsResource(MethodView):
    @login_required
    @blp.arguments(NegoRoundIn)
    @blp.response(201, NegoRoundOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The leader opens the next round, or the final quote (最后报价)."""

        def run() -> Any:
            session = committee.get_session(session_id)
            member = policies.member_of(session, current_user)
            return _round_out(rounds.open_round(session, member, final=data["final"]))

        return refusals.run("negotiation_round", session_id, run)


@blp.route("/evaluations/<int:session_id>/negotiation/rounds/<int:round_id>/close")
class CloseResource(MethodView):
    @login_required
    @blp.response(200, NegoRoundOut)
    def post(self, session_id: int, round_id: int) -> Any:
        """The leader closes the round: every quote sealed in it is read at once."""

        def run() -> Any:
            session = committee.get_session(session_id)
            member = policies.member_of(session, current_user)
            rnd = _round(session, round_id)
            return _round_out(rounds.close_round(session, member, rnd))

        return refusals.run("negotiation_close", session_id, run)


@blp.route("/evaluations/<int:session_id>/negotiation/amendments")
class AmendmentsResource(MethodView):
    @login_required
    @blp.arguments(NegoAmendmentIn)
    @blp.response(201, NegoAmendmentOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Amend the requirements in writing between rounds; every remaining supplier is told."""

        def run() -> Any:
            session = committee.get_session(session_id)
            member = policies.member_of(session, current_user)
            return talks.amend(session, member, data["text"])

        return refusals.run("negotiation_amend", session_id, run)


@blp.route("/evaluations/<int:session_id>/negotiation/drops")
class DropsResource(MethodView):
    @login_required
    @blp.arguments(NegoDropIn)
    @blp.response(201, NegoDropOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """End the negotiation with one supplier, with a reason."""

        def run() -> Any:
            session = committee.get_session(session_id)
            member = policies.member_of(session, current_user)
            bid = review.load_bid(session, data["bid_id"])
            return talks.drop(session, member, bid, data["reason"])

        return refusals.run("negotiation_drop", session_id, run)


# ---------------------------------------------------------------- the supplier
@blp.route("/negotiations/<int:bid_id>")
class SupplierResource(MethodView):
    @login_required
    @blp.response(200, NegoSupplierOut)
    def get(self, bid_id: int) -> Any:
        """The caller's own side of a negotiation: its quotes, the amendments, its conversation."""

        def read() -> Any:
            session, bid = supplier_bid(bid_id)
            return queries.supplier_view(session, bid)

        return refusals.run("negotiation_mine", _session_of_bid(bid_id), read, commit=False)


@blp.route("/negotiations/<int:bid_id>/quotes")
class QuotesResource(MethodView):
    @login_required
    @blp.arguments(NegoQuoteIn)
    @blp.response(201, NegoQuoteReceiptOut)
    def post(self, data: dict[str, Any], bid_id: int) -> Any:
        """Seal one quote in the named round while it is open; answered with its hash only."""

        def run() -> Any:
            session, bid = supplier_bid(bid_id)
            rnd = next((r for r in state.rounds(session) if r.number == data["round"]), None)
            if rnd is None:
                raise NotFound(_l("谈判轮次不存在。"))
            quote = rounds.submit_quote(rnd, current_user, bid, data["price"])
            return {"round": rnd.number, "sha256": quote.sha256, "submitted_at": quote.submitted_at}

        return refusals.run("negotiation_quote", _session_of_bid(bid_id), run)


@blp.route("/negotiations/<int:bid_id>/messages")
class MessagesResource(MethodView):
    @login_required
    @blp.arguments(NegoMessageIn)
    @blp.response(201, NegoMessageOut)
    def post(self, data: dict[str, Any], bid_id: int) -> Any:
        """A line of the conversation with one supplier (the supplier or the group)."""

        def run() -> Any:
            bid = db.session.get(Bid, bid_id) if 0 < bid_id <= refusals.MAX_ID else None
            session = state.session_of_lot(bid.lot_id) if bid is not None else None
            if bid is None or session is None:
                raise NotFound(_l("没有该谈判。"))
            item = talks.post(session, current_user, bid, data["text"])
            return queries.message_out(item)

        return refusals.run("negotiation_message", _session_of_bid(bid_id), run)
