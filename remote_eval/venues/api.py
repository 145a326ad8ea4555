"""JSON API of evaluation rooms, seat bookings and assistance requests (/api/v1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core import clock
from app.core.errors import Forbidden
from bidding.projects import get_lot
from experts import sharing
from remote_eval import committee
from remote_eval import policies as eval_policies
from remote_eval import refusals as eval_refusals
from remote_eval.venues import assistance, bookings, faults, fees, handover, policies, rooms, start
from remote_eval.venues.refusals import run
from remote_eval.venues.schemas import (
    AcceptIn,
    AssistanceIn,
    AssistanceOut,
    BookingCancelIn,
    BookingIn,
    BookingOut,
    CalendarDayOut,
    CalendarQuery,
    DeclineIn,
    FeeSheetOut,
    HandoverIn,
    HandoverOut,
    PublishIn,
    RemoteOut,
    SealedOut,
    SessionVenueOut,
    ShareIn,
    ShareOut,
    StartDecisionIn,
    StartDecisionOut,
    VenueIn,
    VenueOut,
)

blp = Blueprint(
    "venues_api",
    __name__,
    url_prefix="/api/v1",
    description="Evaluation rooms (评标室), seat bookings and assistance requests (协助请求)",
)


@blp.route("/venues")
class VenuesResource(MethodView):
    decorators = [login_required]

    @blp.response(200, VenueOut(many=True))
    def get(self) -> Any:
        """Published rooms of every centre, and the caller's own centre's unpublished ones."""
        if not policies.may_open_venues(current_user):
            raise Forbidden(policies.NO_VENUES)
        own = (
            rooms.venues_of(current_user.centre_id)
            if policies.can_manage_venues(current_user, current_user.centre_id)
            else []
        )
        seen = {v.id for v in own}
        return own + [v for v in rooms.published_venues() if v.id not in seen]

    @blp.arguments(VenueIn)
    @blp.response(201, VenueOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a room of the caller's centre (centre staff)."""
        return run(
            "venue.create",
            ("venue", None),
            current_user,
            lambda: rooms.save_venue(current_user, data),
        )


@blp.route("/venues/<int:venue_id>")
class VenueResource(MethodView):
    decorators = [login_required]

    @blp.response(200, VenueOut)
    def get(self, venue_id: int) -> Any:
        venue = rooms.get_venue(venue_id)
        policies.ensure_can_see_venue(current_user, venue)
        return venue

    @blp.arguments(VenueIn)
    @blp.response(200, VenueOut)
    def put(self, data: dict[str, Any], venue_id: int) -> Any:
        """Edit the room and its seats (a seat holding a booking cannot be removed)."""
        venue = rooms.get_venue(venue_id)
        return run(
            "venue.edit",
            ("venue", venue_id),
            current_user,
            lambda: rooms.save_venue(current_user, data, venue),
        )


@blp.route("/venues/<int:venue_id>/published")
class VenuePublishResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PublishIn)
    @blp.response(200, VenueOut)
    def put(self, data: dict[str, Any], venue_id: int) -> Any:
        """Publish or withdraw the room."""
        venue = rooms.get_venue(venue_id)
        return run(
            "venue.publish",
            ("venue", venue_id),
            current_user,
            lambda: rooms.set_published(venue, current_user, data["published"]),
        )


@blp.route("/venues/<int:venue_id>/calendar")
class VenueCalendarResource(MethodView):
    decorators = [login_required]

    @blp.arguments(CalendarQuery, location="query")
    @blp.response(200, CalendarDayOut(many=True))
    def get(self, args: dict[str, Any], venue_id: int) -> Any:
        """Open and closed days (the centre's holiday calendar) and the bookings on each."""
        venue = rooms.get_venue(venue_id)
        policies.ensure_can_see_venue(current_user, venue)
        first: dt.date = args["first"] or clock.cst_date(clock.now())
        return bookings.room_calendar(venue, first, args["days"])


@blp.route("/lots/<int:lot_id>/seat-bookings")
class LotBookingsResource(MethodView):
    decorators = [login_required]

    @blp.response(200, BookingOut(many=True))
    def get(self, lot_id: int) -> Any:
        """The lot's bookings, active and released (the lot's agency)."""
        lot = get_lot(lot_id)
        policies.ensure_can_book_for_lot(current_user, lot)
        return [bookings.describe(b) for b in bookings.bookings_of(lot)]

    @blp.arguments(BookingIn)
    @blp.response(201, BookingOut)
    @blp.alt_response(409, description="past time, seats taken, or the room is not published")
    @blp.alt_response(422, description="closed day, more seats than the room has")
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Book seats at the main venue for the lot's evaluation time."""
        lot = get_lot(lot_id)

        def book() -> Any:
            venue = rooms.get_venue(data["venue_id"])
            return bookings.book_seats(
                lot, venue, current_user, data["start_at"], data["end_at"], data["seats"]
            )

        booking = run("venue.book", ("lot", lot_id), current_user, book)
        return bookings.describe(booking)


@blp.route("/seat-bookings/<int:booking_id>/cancel")
class BookingCancelResource(MethodView):
    decorators = [login_required]

    @blp.arguments(BookingCancelIn)
    @blp.response(200, BookingOut)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Cancel a main-venue booking (its seats are freed at once)."""
        booking = bookings.get_booking(booking_id)
        run(
            "venue.cancel",
            ("venue_booking", booking_id),
            current_user,
            lambda: bookings.cancel_booking(booking, current_user, data["reason"]),
        )
        return bookings.describe(booking)


@blp.route("/lots/<int:lot_id>/remote")
class LotRemoteResource(MethodView):
    decorators = [login_required]

    @blp.response(200, RemoteOut)
    def get(self, lot_id: int) -> Any:
        lot = get_lot(lot_id)
        policies.ensure_can_book_for_lot(current_user, lot)
        return {"lot_id": lot.id, "remote": assistance.is_remote(lot)}

    @blp.response(200, RemoteOut)
    def put(self, lot_id: int) -> Any:
        """Mark the lot for remote cross-region evaluation (远程异地评标)."""
        lot = get_lot(lot_id)
        run(
            "venue.mark_remote",
            ("lot", lot_id),
            current_user,
            lambda: assistance.mark_remote(lot, current_user),
        )
        return {"lot_id": lot.id, "remote": True}


@blp.route("/lots/<int:lot_id>/assistance-requests")
class LotAssistanceResource(MethodView):
    decorators = [login_required]

    @blp.response(200, AssistanceOut(many=True))
    def get(self, lot_id: int) -> Any:
        """The lot's requests the caller may read."""
        lot = get_lot(lot_id)
        return [
            r
            for r in assistance.requests_of(lot)
            if policies.can_see_assistance(current_user, r, lot)
        ]

    @blp.arguments(AssistanceIn)
    @blp.response(201, AssistanceOut)
    @blp.alt_response(422, description="own centre, or the other pool has too few experts")
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Ask another centre for seats and experts (the lot's agency; the lot is remote)."""
        lot = get_lot(lot_id)
        return run(
            "assistance.request",
            ("lot", lot_id),
            current_user,
            lambda: assistance.request_assistance(lot, current_user, data),
        )


@blp.route("/assistance-requests")
class AssistanceListResource(MethodView):
    decorators = [login_required]

    @blp.response(200, AssistanceOut(many=True))
    def get(self) -> Any:
        """Requests of the caller's centre, sent or received, that the caller may read."""
        return assistance.requests_for(current_user)


@blp.route("/assistance-requests/<int:request_id>")
class AssistanceResource(MethodView):
    decorators = [login_required]

    @blp.response(200, AssistanceOut)
    def get(self, request_id: int) -> Any:
        item = assistance.get_request(request_id)
        policies.ensure_can_see_assistance(current_user, item, get_lot(item.lot_id))
        return item


@blp.route("/assistance-requests/<int:request_id>/accept")
class AssistanceAcceptResource(MethodView):
    decorators = [login_required]

    @blp.arguments(AcceptIn)
    @blp.response(200, AssistanceOut)
    @blp.alt_response(409, description="answered already, or the deadline passed")
    def post(self, data: dict[str, Any], request_id: int) -> Any:
        """Accept, reserving the seats in one of the asked centre's rooms."""
        item = assistance.get_request(request_id)

        def accept() -> Any:
            return assistance.accept(item, current_user, rooms.get_venue(data["venue_id"]))

        return run("assistance.accept", ("venue_assistance", request_id), current_user, accept)


@blp.route("/assistance-requests/<int:request_id>/decline")
class AssistanceDeclineResource(MethodView):
    decorators = [login_required]

    @blp.arguments(DeclineIn)
    @blp.response(200, AssistanceOut)
    def post(self, data: dict[str, Any], request_id: int) -> Any:
        """Decline with a reason."""
        item = assistance.get_request(request_id)
        return run(
            "assistance.decline",
            ("venue_assistance", request_id),
            current_user,
            lambda: assistance.decline(item, current_user, data["reason"]),
        )


@blp.route("/centres/<int:centre_id>/expert-share")
class ShareResource(MethodView):
    decorators = [login_required]

    @blp.response(200, ShareOut)
    def get(self, centre_id: int) -> Any:
        """What the centre shares of its pool and its fee standard (any staff or supervisor)."""
        if not policies.may_open_venues(current_user):
            raise Forbidden(policies.NO_VENUES)
        row = sharing.share_of(centre_id)
        if row is None:
            return {
                "centre_id": centre_id,
                "specialties": [],
                "pay_higher": False,
                "fee_half_day": sharing.standard(centre_id),
            }
        return row

    @blp.arguments(ShareIn)
    @blp.response(200, ShareOut)
    def put(self, data: dict[str, Any], centre_id: int) -> Any:
        """Publish the shared part of the pool and the fee standard (the pool's staff)."""
        return run(
            "experts.share",
            ("centre", centre_id),
            current_user,
            lambda: sharing.set_share(current_user, centre_id, data),
        )


@blp.route("/lots/<int:lot_id>/expert-fees")
class FeeSheetResource(MethodView):
    decorators = [login_required]

    @blp.response(200, FeeSheetOut)
    def get(self, lot_id: int) -> Any:
        """The lot's expert fee sheet (CSV and PDF at /lots/<id>/expert-fees.csv|.pdf)."""
        lot = get_lot(lot_id)
        policies.ensure_can_see_fee_sheet(current_user, lot)
        return fees.fee_sheet(lot)


@blp.route("/evaluations/<int:session_id>/venues")
class SessionVenuesResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SessionVenueOut(many=True))
    def get(self, session_id: int) -> Any:
        """Each venue's state: members signed in, ready, online or dropped."""
        session = committee.get_session(session_id)
        eval_policies.ensure_can_watch(current_user, session)
        return start.venue_states(session, current_user)


@blp.route("/evaluations/<int:session_id>/venues/ready")
class SessionVenueReadyResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SessionVenueOut(many=True))
    @blp.alt_response(409, description="members still to identify or sign in, or not sign-in")
    def post(self, session_id: int) -> Any:
        """A secondary venue's staff confirm its members seated and identified."""
        session = committee.get_session(session_id)
        eval_refusals.run(
            "venue.ready", session_id, lambda: start.confirm_ready(session, current_user)
        )
        return start.venue_states(session, current_user)


@blp.route("/evaluations/<int:session_id>/venues/heartbeat")
class SessionVenueHeartbeatResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SessionVenueOut(many=True))
    def post(self, session_id: int) -> Any:
        """The venue terminal is online (sent every 20 seconds while the room is open)."""
        session = committee.get_session(session_id)
        eval_refusals.run(
            "venue.heartbeat", session_id, lambda: start.heartbeat(session, current_user)
        )
        return start.venue_states(session, current_user)


@blp.route("/evaluations/<int:session_id>/sealed-record")
class SealedRecordResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SealedOut)
    def get(self, session_id: int) -> Any:
        """The frozen, signed record of a session sealed after a long break (404 if none);
        verify with `tenderhall-seal verify-receipt` and the platform key."""
        from app.core.errors import NotFound

        session = committee.get_session(session_id)
        eval_policies.ensure_can_watch(current_user, session)
        row = faults.sealed_record(session)
        if row is None:
            raise NotFound(_l("该评标没有封存记录。"))
        return {"sha256": row.sha256, "sealed_at": row.sealed_at, "document": faults.document(row)}


@blp.route("/evaluations/<int:session_id>/start-decision")
class StartDecisionResource(MethodView):
    decorators = [login_required]

    @blp.arguments(StartDecisionIn)
    @blp.response(200, StartDecisionOut)
    @blp.alt_response(409, description="nothing to decide, or decided already")
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The purchaser decides on a session not started in time: "later", or "reschedule"
        to `start_at` (seats and assistance requests move with it)."""
        session = committee.get_session(session_id)
        return eval_refusals.run(
            "venue.start_decision",
            session_id,
            lambda: faults.decide_start(
                session,
                current_user,
                data["decision"],
                data["note"],
                data["start_at"],
                data["end_at"],
            ),
        )


@blp.route("/evaluations/<int:session_id>/handovers")
class HandoversResource(MethodView):
    decorators = [login_required]

    @blp.response(200, HandoverOut(many=True))
    def get(self, session_id: int) -> Any:
        """Each secondary venue's hand-over of its records: due, done, late."""
        session = committee.get_session(session_id)
        eval_policies.ensure_can_watch(current_user, session)
        return [handover.describe(r) for r in handover.handovers_of(session)]


@blp.route("/venue-handovers/<int:handover_id>")
class HandoverResource(MethodView):
    decorators = [login_required]

    @blp.arguments(HandoverIn)
    @blp.response(200, HandoverOut)
    def post(self, data: dict[str, Any], handover_id: int) -> Any:
        """The secondary venue's staff record the hand-over of its records."""
        row = handover.get_handover(handover_id)
        eval_refusals.run(
            "venue.hand_over",
            row.session_id,
            lambda: handover.hand_over(row, current_user, data["note"]),
        )
        return handover.describe(row)
