"""JSON API of the review, clarifications, scoring and summary (thin: parse, load, check, call, commit).

Every call goes through `refusals.run`: a refused attempt is answered with its reason and
audited once (`eval.refused`)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Forbidden, NotFound
from app.core.extensions import db
from bidding.bids.models import Bid
from remote_eval import (
    bid_files,
    clarifications,
    committee,
    policies,
    refusals,
    review,
    scoring,
    summary,
)
from remote_eval.models import EvalClarification, EvalMember, EvalSession
from remote_eval.review_schemas import (
    BidderClarificationOut,
    BidFilesOut,
    ClarificationAnswerIn,
    ClarificationIn,
    DecisionOut,
    DissentIn,
    DissentOut,
    EvalClarificationOut,
    FindingIn,
    JustificationIn,
    JustificationOut,
    LockOut,
    ScoreOut,
    ScoresIn,
    SheetOut,
    SummaryOut,
    VerdictIn,
    VerdictOut,
    VisibleScoresOut,
)

blp = Blueprint(
    "eval_review_api",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Evaluation review, clarifications, scoring and summary",
)
blp.after_request(refusals.audit_other_refusals)
SHEET_FIELDS = ("id", "member_id", "bid_id", "submitted_at", "reopened_at")


def _acting(session_id: int) -> tuple[EvalSession, EvalMember]:
    """The session and the caller's seat, when they may act in it."""
    session = committee.get_session(session_id)
    return session, policies.acting_member(session, current_user)


def _acting_on_bid(session_id: int, bid_id: int) -> tuple[EvalSession, EvalMember, Bid]:
    """The session, the caller's seat (when they may act) and the bid a URL names."""
    session, member = _acting(session_id)
    return session, member, review.load_bid(session, bid_id)


def _clarification(command: str, cid: int) -> EvalClarification:
    """The clarification a URL names (a missing one is a refused `command` too)."""

    def load() -> EvalClarification:
        item = db.session.get(EvalClarification, cid) if 0 < cid <= refusals.MAX_ID else None
        if item is None:
            raise NotFound(_l("澄清不存在。"))
        return item

    return refusals.run(command, None, load, commit=False)


@blp.route("/<int:session_id>/bids/<int:bid_id>/verdicts/<string:item_id>")
class VerdictResource(MethodView):
    @login_required
    @blp.arguments(VerdictIn)
    @blp.response(200, VerdictOut)
    def put(self, data: dict[str, Any], session_id: int, bid_id: int, item_id: str) -> Any:
        """Record (or change) the caller's pass/fail on one check item of one bid."""

        def verdict() -> Any:
            session, member, bid = _acting_on_bid(session_id, bid_id)
            return review.record_verdict(
                session, member, bid, item_id, data["passed"], data["reason"]
            )

        return refusals.run("verdict", session_id, verdict)


@blp.route("/<int:session_id>/bids/<int:bid_id>/items/<string:item_id>/decision")
class DecisionResource(MethodView):
    @login_required
    @blp.response(201, DecisionOut)
    def post(self, session_id: int, bid_id: int, item_id: str) -> Any:
        """The leader decides an item where verdicts differ by the majority of them."""

        def decide() -> Any:
            session, member, bid = _acting_on_bid(session_id, bid_id)
            return review.decide_by_majority(session, member, bid, item_id)

        return refusals.run("decision", session_id, decide)


@blp.route("/<int:session_id>/dissents")
class DissentResource(MethodView):
    @login_required
    @blp.arguments(DissentIn)
    @blp.response(201, DissentOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """A minority member's written dissent on a decided item."""

        def dissent() -> Any:
            session, member = _acting(session_id)
            bid = review.load_bid(session, data["bid_id"])
            return review.write_dissent(session, member, bid, data["item_id"], data["text"])

        return refusals.run("dissent", session_id, dissent)


@blp.route("/<int:session_id>/clarifications")
class ClarificationsResource(MethodView):
    @login_required
    @blp.response(200, EvalClarificationOut(many=True))
    def get(self, session_id: int) -> Any:
        """Every clarification of the evaluation, with the answers (committee and watchers)."""

        def read() -> Any:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            return clarifications.for_session(session)

        return refusals.run("clarifications", session_id, read, commit=False)

    @login_required
    @blp.arguments(ClarificationIn)
    @blp.response(201, EvalClarificationOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Ask one bidder in writing, with a deadline."""

        def ask() -> Any:
            session, member = _acting(session_id)
            bid = review.load_bid(session, data["bid_id"])
            return clarifications.ask(
                session, member, bid, data["question"], data["due_at"], data["kind"]
            )

        return refusals.run("clarification", session_id, ask)


@blp.route("/clarifications/mine")
class MyClarifications(MethodView):
    @login_required
    @blp.response(200, BidderClarificationOut(many=True))
    def get(self) -> Any:
        """The clarifications addressed to the caller's own organisation (bidders only)."""

        def mine() -> Any:
            if current_user.role.value != "supplier":
                raise Forbidden(_l("只有投标人可以查看澄清要求。"))
            return clarifications.for_bidder(current_user)

        return refusals.run("my_clarifications", None, mine, commit=False)


@blp.route("/clarifications/<int:cid>/answer")
class AnswerResource(MethodView):
    @login_required
    @blp.arguments(ClarificationAnswerIn)
    @blp.response(200, BidderClarificationOut)
    def post(self, data: dict[str, Any], cid: int) -> Any:
        """The bidder's answer, once, before the deadline."""
        item = _clarification("answer", cid)
        return refusals.run(
            "answer",
            item.session_id,
            lambda: clarifications.answer(item, current_user, data["text"]),
        )


@blp.route("/clarifications/<int:cid>/finding")
class FindingResource(MethodView):
    @login_required
    @blp.arguments(FindingIn)
    @blp.response(200, EvalClarificationOut)
    def post(self, data: dict[str, Any], cid: int) -> Any:
        """The leader records whether an abnormally low price was explained."""
        item = _clarification("finding", cid)

        def judge() -> Any:
            _session, member = _acting(item.session_id)
            return clarifications.judge(item, member, data["accepted"])

        return refusals.run("finding", item.session_id, judge)


@blp.route("/<int:session_id>/bids/<int:bid_id>/scores")
class ScoresResource(MethodView):
    @login_required
    @blp.response(200, VisibleScoresOut)
    def get(self, session_id: int, bid_id: int) -> Any:
        """Who submitted, and the scores the caller may see (independent first)."""

        def read() -> Any:
            session = committee.get_session(session_id)
            bid = review.load_bid(session, bid_id)
            return scoring.visible_scores(session, current_user, bid)

        return refusals.run("scores_read", session_id, read, commit=False)

    @login_required
    @blp.arguments(ScoresIn)
    @blp.response(200, ScoreOut(many=True))
    def put(self, data: dict[str, Any], session_id: int, bid_id: int) -> Any:
        """Save the caller's draft scores for a bid: all valid or nothing written."""

        def save() -> Any:
            session, member, bid = _acting_on_bid(session_id, bid_id)
            return scoring.save_scores(session, member, bid, data["scores"])

        return refusals.run("scores", session_id, save)


@blp.route("/<int:session_id>/bids/<int:bid_id>/sheet")
class SheetResource(MethodView):
    @login_required
    @blp.response(201, SheetOut)
    def post(self, session_id: int, bid_id: int) -> Any:
        """Submit the caller's sheet for a bid; its scores are frozen for this cycle."""

        def submit() -> Any:
            session, member, bid = _acting_on_bid(session_id, bid_id)
            sheet = scoring.submit_sheet(session, member, bid)
            # Read before the commit expires it, so the answer costs no query of its own.
            return {name: getattr(sheet, name) for name in SHEET_FIELDS}

        return refusals.run("sheet", session_id, submit)


@blp.route("/<int:session_id>/bids/<int:bid_id>/sheet/reopen")
class ReopenResource(MethodView):
    @login_required
    @blp.response(200, SheetOut)
    def post(self, session_id: int, bid_id: int) -> Any:
        """Reopen one's own sheet to settle an objective item the members disagree on."""

        def reopen() -> Any:
            session, member, bid = _acting_on_bid(session_id, bid_id)
            return scoring.reopen_sheet(session, member, bid)

        return refusals.run("sheet_reopen", session_id, reopen)


@blp.route("/<int:session_id>/justifications")
class JustificationResource(MethodView):
    @login_required
    @blp.arguments(JustificationIn)
    @blp.response(201, JustificationOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """A member's reason for a score far from the panel's (dispersion alert)."""

        def justify() -> Any:
            session, member = _acting(session_id)
            return summary.write_justification(
                session, member, data["bid_id"], data["item_id"], data["text"]
            )

        return refusals.run("justification", session_id, justify)


@blp.route("/<int:session_id>/summary")
class SummaryResource(MethodView):
    @login_required
    @blp.response(200, SummaryOut)
    def get(self, session_id: int) -> Any:
        """Totals, spreads, dispersion alerts, ranking and candidates."""
        return refusals.run(
            "summary_read",
            session_id,
            lambda: summary.summary_table(committee.get_session(session_id), current_user),
            commit=False,
        )


@blp.route("/<int:session_id>/summary/lock")
class LockResource(MethodView):
    @login_required
    @blp.response(200, LockOut)
    def post(self, session_id: int) -> Any:
        """The leader locks the summary (every justification and finding in)."""

        def lock() -> Any:
            session, member = _acting(session_id)
            return summary.lock_summary(session, member)

        return refusals.run("summary_lock", session_id, lock)


# ---------------------------------------------------------------- the bids in the room
def _file_url(session_id: int) -> Any:
    return lambda bid_id, index: url_for(
        "eval_review_api.BidFileResource", session_id=session_id, bid_id=bid_id, index=index
    )


@blp.route("/<int:session_id>/bids")
class BidFilesResource(MethodView):
    @login_required
    @blp.response(200, BidFilesOut)
    def get(self, session_id: int) -> Any:
        """Every opened bid: its price form from the opening record and its files with the
        hashes fixed at the opening (links for the committee's members while it sits)."""

        def read() -> Any:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            return bid_files.listing(session, current_user, _file_url(session_id))

        return refusals.run("bid_files", session_id, read, commit=False)


@blp.route("/<int:session_id>/bids/<int:bid_id>/files/<int:index>")
class BidFileResource(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "the file (PDF inline), Range answered"}})
    def get(self, session_id: int, bid_id: int, index: int) -> Any:
        """A member reads one file of an opened bid (streamed; every opening audited)."""
        return bid_files.serve(session_id, bid_id, index, current_user, request)
