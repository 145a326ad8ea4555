"""Input and output schemas of the rooms, bookings and assistance API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.clock import CST

MAX_ID = 2**31 - 1


def _id(**kw: object) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kw)  # type: ignore[arg-type]


class SeatIn(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=20))
    equipment = fields.String(load_default="", validate=validate.Length(max=200))


class VenueIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    location = fields.String(load_default="", validate=validate.Length(max=200))
    equipment = fields.String(load_default="", validate=validate.Length(max=2000))
    seats = fields.List(
        fields.Nested(SeatIn), required=True, validate=validate.Length(min=1, max=200)
    )


class PublishIn(Schema):
    published = fields.Boolean(required=True)


class SeatOut(Schema):
    id = fields.Integer()
    label = fields.String()
    equipment = fields.String()


class VenueOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    centre_name = fields.Function(lambda v: v.centre.name)
    name = fields.String()
    location = fields.String()
    equipment = fields.String()
    published = fields.Boolean()
    seats = fields.List(fields.Nested(SeatOut))


class CalendarQuery(Schema):
    first = fields.Date(load_default=None, allow_none=True)
    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=62))


class CalendarDayOut(Schema):
    day = fields.Date()
    open = fields.Boolean()
    booking_ids = fields.Function(lambda d: [b.id for b in d.bookings])


class BookingIn(Schema):
    venue_id = _id(required=True)
    start_at = fields.AwareDateTime(required=True, default_timezone=CST)
    end_at = fields.AwareDateTime(required=True, default_timezone=CST)
    seats = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))


class BookingCancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class BookingOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    venue_id = fields.Integer()
    venue_name = fields.String()
    centre_id = fields.Integer()
    start_at = fields.DateTime()
    end_at = fields.DateTime()
    seat_count = fields.Integer()
    seats = fields.List(fields.String())
    status = fields.String()
    assistance_id = fields.Integer(allow_none=True)
    released_at = fields.DateTime(allow_none=True)
    release_reason = fields.String()


class RemoteOut(Schema):
    lot_id = fields.Integer()
    remote = fields.Boolean()


class WantedExperts(Schema):
    specialty = fields.String(required=True, validate=validate.Length(min=1, max=20))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=99))


class AssistanceIn(Schema):
    to_centre_id = _id(required=True)
    start_at = fields.AwareDateTime(required=True, default_timezone=CST)
    end_at = fields.AwareDateTime(required=True, default_timezone=CST)
    seats = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    specialties = fields.List(
        fields.Nested(WantedExperts), load_default=list, validate=validate.Length(max=20)
    )
    answer_due_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=CST)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class AcceptIn(Schema):
    venue_id = _id(required=True)


class DeclineIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AssistanceOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    from_centre_id = fields.Integer()
    to_centre_id = fields.Integer()
    start_at = fields.DateTime()
    end_at = fields.DateTime()
    seats = fields.Integer()
    expert_count = fields.Integer()
    specialties = fields.List(fields.Dict())
    note = fields.String()
    answer_due_at = fields.DateTime()
    status = fields.String()
    reason = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    booking_id = fields.Integer(allow_none=True)


class ShareIn(Schema):
    specialties = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        load_default=list,
        validate=validate.Length(max=200),
    )
    fee_half_day = fields.Decimal(required=True, as_string=True, places=2)
    pay_higher = fields.Boolean(load_default=False)


class ShareOut(Schema):
    centre_id = fields.Integer()
    specialties = fields.List(fields.String())
    fee_half_day = fields.Decimal(as_string=True)
    pay_higher = fields.Boolean()


class FeeRowOut(Schema):
    name = fields.String()
    home_centre = fields.String()
    venue_centre = fields.String()
    standard = fields.Decimal(as_string=True)
    higher = fields.Boolean()
    half_days = fields.Integer()
    amount = fields.Decimal(as_string=True)


class FeeSheetOut(Schema):
    lot_id = fields.Function(lambda s: s.lot.id)
    started_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    rows = fields.List(fields.Nested(FeeRowOut))
    total = fields.Decimal(as_string=True)


class SessionVenueOut(Schema):
    centre_id = fields.Integer()
    centre = fields.String()
    main = fields.Boolean()
    members = fields.Integer()
    signed_in = fields.Integer()
    ready = fields.Boolean()
    ready_at = fields.DateTime(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)
    dropped = fields.Boolean()
    mine = fields.Boolean()
    seats = fields.List(fields.String())


class SealedOut(Schema):
    sha256 = fields.String()
    sealed_at = fields.DateTime()
    document = fields.Dict()


class StartDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["later", "reschedule"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    start_at = fields.AwareDateTime(
        load_default=None,
        default_timezone=CST,
        metadata={"description": "reschedule: the new evaluation time (a working day)"},
    )
    end_at = fields.AwareDateTime(
        load_default=None,
        default_timezone=CST,
        metadata={"description": "reschedule: its end (default: as long as it was booked)"},
    )


class StartDecisionOut(Schema):
    session_id = fields.Integer()
    evaluation_at = fields.DateTime()
    flagged_at = fields.DateTime()
    decision = fields.String()
    note = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    rescheduled_to = fields.DateTime(allow_none=True)


class HandoverIn(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class HandoverOut(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    centre_id = fields.Integer()
    centre = fields.String()
    due_at = fields.DateTime()
    handed_over_at = fields.DateTime(allow_none=True)
    note = fields.String()
    late = fields.Boolean()


class VideoVenueOut(Schema):
    centre_id = fields.Integer()
    centre = fields.String()
    main = fields.Boolean()
    user_id = fields.Integer(allow_none=True, metadata={"description": "who streams it now"})


class VideoStateOut(Schema):
    session_id = fields.Integer()
    role = fields.String(metadata={"description": "viewer (host, supervisor), terminal or none"})
    centre_id = fields.Integer(allow_none=True, metadata={"description": "the caller's venue"})
    user_id = fields.Integer()
    inbox = fields.String(metadata={"description": "the caller's signalling room"})
    seq = fields.Integer(metadata={"description": "newest signal already in the inbox"})
    ice_servers = fields.List(fields.Dict(), metadata={"description": "RTCIceServer objects"})
    venues = fields.List(fields.Nested(VideoVenueOut))


class SignalIn(Schema):
    to = _id(required=True, metadata={"description": "the addressee's user id"})
    kind = fields.String(
        required=True, validate=validate.OneOf(["hello", "offer", "answer", "ice", "bye"])
    )
    data = fields.Dict(load_default=dict, metadata={"description": "SDP or ICE candidate"})


class SignalOut(Schema):
    seq = fields.Integer()


class RecordingIn(Schema):
    mime = fields.String(load_default="video/webm", validate=validate.Length(max=100))


class ChunkQuery(Schema):
    offset = fields.Integer(required=True, validate=validate.Range(min=0))
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of this chunk"})


class RecordingFinishIn(Schema):
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the whole file"})


class RecordingOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    status = fields.Function(lambda r: r.status.value)
    received = fields.Integer(metadata={"description": "next offset to send"})
    chunks = fields.Integer()
    started_at = fields.AwareDateTime(default_timezone=CST)
    ended_at = fields.AwareDateTime(default_timezone=CST, allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)


class RecordingListOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    centre = fields.String()
    main = fields.Boolean()
    started_at = fields.AwareDateTime(default_timezone=CST)
    ended_at = fields.AwareDateTime(default_timezone=CST)
    size = fields.Integer()
    sha256 = fields.String()
    mime = fields.String()
    interrupted = fields.Boolean(
        metadata={"description": "the terminal stopped sending; the part received is kept"}
    )
