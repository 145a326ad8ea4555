"""JSON API of the evaluation session: forming, sign-in, commitment, votes, host controls.

Thin: parse, load, check, call one service, commit. A refused command is answered with
its reason and also audited once (`eval.refused`, through `refusals.run`), after its own
changes were rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import User
from app.core.errors import Forbidden, NotFound
from app.core.extensions import db
from bidding.projects import get_lot
from remote_eval import committee, election, hosting, policies, refusals, room
from remote_eval.models import EvalMember, EvalRequest, EvalSession, Phase, RequestKind
from remote_eval.session_schemas import (
    AddRepIn,
    CommitmentIn,
    DecisionIn,
    ExtendIn,
    FormIn,
    MemberOut,
    MessageIn,
    MessageOut,
    PauseIn,
    RequestIn,
    RequestOut,
    StateOut,
    VoteIn,
)

blp = Blueprint(
    "eval_session_api",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Evaluation sessions: committee, sign-in, election, host controls",
)
blp.after_request(refusals.audit_other_refusals)

T = TypeVar("T")


def _get(model: type[T], ident: int | None, message: Any) -> T:
    obj = (
        db.session.get(model, ident) if ident is not None and 0 < ident <= refusals.MAX_ID else None
    )
    if obj is None:
        raise NotFound(message)
    return obj


def _own_member(session: EvalSession) -> EvalMember:
    member = policies.active_member_of(current_user, session)
    if member is None:
        raise Forbidden(_l("您不是本评标委员会的成员。"))
    return member


def _state(session: EvalSession) -> dict[str, Any]:
    return room.state(session, current_user)


@blp.route("/lots/<int:lot_id>")
class Form(MethodView):
    @login_required
    @blp.arguments(FormIn)
    @blp.response(201, StateOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Form the committee of an opened lot (the lot's agency staff; the caller hosts)."""

        def form() -> EvalSession:
            lot = get_lot(lot_id)
            reps = [
                (
                    _get(User, r["user_id"], _l("业主代表用户不存在。")),
                    r["venue_centre_id"],
                    r["seat"],
                )
                for r in data["purchaser_reps"]
            ]
            venues = {v["invitation_id"]: (v["venue_centre_id"], v["seat"]) for v in data["venues"]}
            return committee.form_committee(
                lot,
                current_user,
                purchaser_reps=reps,
                venues=venues,
            )

        return _state(refusals.run("form", None, form))


@blp.route("/<int:session_id>")
class State(MethodView):
    @login_required
    @blp.response(200, StateOut)
    def get(self, session_id: int) -> Any:
        """The room's state as the caller may see it (names only after sign-in)."""

        def read() -> EvalSession:
            session = committee.get_session(session_id)
            # Seat first: a reserve who has just accepted reads the room as its member.
            if committee.sync_members(session):
                db.session.commit()
            policies.ensure_can_watch(current_user, session)
            return session

        return _state(refusals.run("state", session_id, read, commit=False))


@blp.route("/<int:session_id>/members/<int:member_id>/identity")
class Identity(MethodView):
    @login_required
    @blp.response(200, MemberOut)
    def post(self, session_id: int, member_id: int) -> Any:
        """Venue staff of the member's centre confirm the member's identity."""

        def confirm() -> EvalMember:
            session = committee.get_session(session_id)
            member = _get(EvalMember, member_id, _l("评委席位不存在。"))
            if member.session_id != session.id:
                raise NotFound(_l("评委席位不存在。"))
            return committee.confirm_identity(member, current_user)

        return room.member_view(refusals.run("identity", session_id, confirm))


@blp.route("/<int:session_id>/signin")
class SignIn(MethodView):
    @login_required
    @blp.response(200, MemberOut)
    def post(self, session_id: int) -> Any:
        """The member signs in as themself (after the identity check, with two-factor)."""
        return room.member_view(
            refusals.run(
                "signin",
                session_id,
                lambda: committee.sign_in(
                    _own_member(committee.get_session(session_id)), current_user
                ),
            )
        )


@blp.route("/<int:session_id>/commitment")
class Commitment(MethodView):
    @login_required
    @blp.arguments(CommitmentIn)
    @blp.response(200, MemberOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Sign the commitment and the avoidance declaration (a conflict removes the member)."""
        return room.member_view(
            refusals.run(
                "commitment",
                session_id,
                lambda: committee.sign_commitment(
                    _own_member(committee.get_session(session_id)),
                    current_user,
                    data["declare_conflict"],
                    data["reason"],
                ),
            )
        )


@blp.route("/<int:session_id>/votes")
class Votes(MethodView):
    @login_required
    @blp.arguments(VoteIn)
    @blp.response(201, StateOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """A secret ballot for the leader in the open round."""

        def vote() -> EvalSession:
            session = committee.get_session(session_id)
            election.cast_vote(_own_member(session), current_user, data["candidate_id"])
            return session

        return _state(refusals.run("vote", session_id, vote))


def _host_command(command: str, session_id: int, fn: Callable[[EvalSession], Any]) -> Any:
    def call() -> EvalSession:
        session = committee.get_session(session_id)
        fn(session)
        return session

    return _state(refusals.run(command, session_id, call))


@blp.route("/<int:session_id>/advance")
class Advance(MethodView):
    @login_required
    @blp.response(200, StateOut)
    def post(self, session_id: int) -> Any:
        """Move to the next phase (refused with every unmet condition)."""
        return _host_command("advance", session_id, lambda s: hosting.advance(s, current_user))


@blp.route("/<int:session_id>/pause")
class Pause(MethodView):
    @login_required
    @blp.arguments(PauseIn)
    @blp.response(200, StateOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Pause the session with a reason: every step is refused until it resumes."""
        return _host_command(
            "pause", session_id, lambda s: hosting.pause(s, current_user, data["reason"])
        )


@blp.route("/<int:session_id>/resume")
class Resume(MethodView):
    @login_required
    @blp.response(200, StateOut)
    def post(self, session_id: int) -> Any:
        """Resume a paused session."""
        return _host_command("resume", session_id, lambda s: hosting.resume(s, current_user))


@blp.route("/<int:session_id>/extend")
class Extend(MethodView):
    @login_required
    @blp.arguments(ExtendIn)
    @blp.response(200, StateOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Extend the current phase's time."""
        return _host_command(
            "extend",
            session_id,
            lambda s: hosting.extend(s, current_user, data["minutes"], data["reason"]),
        )


@blp.route("/<int:session_id>/requests")
class Requests(MethodView):
    @login_required
    @blp.arguments(RequestIn)
    @blp.response(201, RequestOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Ask a supervisor to approve a roll-back (回退) or a reopened review (复议)."""

        def make() -> EvalRequest:
            s = committee.get_session(session_id)
            if data["kind"] == RequestKind.REOPEN.value:
                return hosting.request_reopen(s, current_user, data["bid_id"] or 0, data["reason"])
            return hosting.request_rollback(
                s, current_user, data["target_phase"] or Phase.REVIEW.value, data["reason"]
            )

        return room.request_view(refusals.run("request", session_id, make))


@blp.route("/requests/<int:request_id>/decision")
class Decision(MethodView):
    @login_required
    @blp.arguments(DecisionIn)
    @blp.response(200, RequestOut)
    def post(self, data: dict[str, Any], request_id: int) -> Any:
        """A supervisor of a centre involved approves or rejects a pending request."""
        req = refusals.run(
            "decision",
            None,
            lambda: _get(EvalRequest, request_id, _l("申请不存在。")),
            commit=False,
        )
        return room.request_view(
            refusals.run(
                "decision",
                req.session_id,
                lambda: hosting.decide_request(req, current_user, data["approve"], data["note"]),
            )
        )


@blp.route("/<int:session_id>/messages")
class Messages(MethodView):
    @login_required
    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Write in the room's logged text channel (supervisors read only)."""
        event = refusals.run(
            "message",
            session_id,
            lambda: room.post_message(
                committee.get_session(session_id), current_user, data["text"]
            ),
        )
        return {"seq": event.seq, "room": event.room}


@blp.route("/<int:session_id>/purchaser-reps")
class PurchaserReps(MethodView):
    @login_required
    @blp.arguments(AddRepIn)
    @blp.response(201, MemberOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Name a purchaser representative in place of one removed for a conflict."""

        def add() -> EvalMember:
            session = committee.get_session(session_id)
            user = _get(User, data["user_id"], _l("业主代表用户不存在。"))
            return committee.add_purchaser_rep(
                session, current_user, user, data["venue_centre_id"], data["seat"]
            )

        return room.member_view(refusals.run("purchaser_rep", session_id, add))
