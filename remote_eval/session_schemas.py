"""Input and output schemas of the evaluation session API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from remote_eval.models import Phase

SEAT = validate.Length(min=1, max=20)
REASON = validate.Length(min=1, max=500)
ID = validate.Range(min=1, max=2**31 - 1)


class PlacementIn(Schema):
    invitation_id = fields.Integer(required=True, validate=ID)
    venue_centre_id = fields.Integer(required=True, validate=ID)
    seat = fields.String(required=True, validate=SEAT)


class RepIn(Schema):
    user_id = fields.Integer(required=True, validate=ID)
    venue_centre_id = fields.Integer(required=True, validate=ID)
    seat = fields.String(required=True, validate=SEAT)


class FormIn(Schema):
    venues = fields.List(fields.Nested(PlacementIn), load_default=list)
    purchaser_reps = fields.List(fields.Nested(RepIn), load_default=list)


class AddRepIn(Schema):
    user_id = fields.Integer(required=True, validate=ID)
    venue_centre_id = fields.Integer(required=True, validate=ID)
    seat = fields.String(load_default="", validate=validate.Length(max=20))


class CommitmentIn(Schema):
    declare_conflict = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class VoteIn(Schema):
    candidate_id = fields.Integer(required=True, validate=ID)


class PauseIn(Schema):
    reason = fields.String(required=True, validate=REASON)


class ExtendIn(Schema):
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=480))
    reason = fields.String(required=True, validate=REASON)


class RequestIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["rollback", "reopen"]))
    target_phase = fields.String(
        load_default=None, validate=validate.OneOf([p.value for p in Phase])
    )
    bid_id = fields.Integer(load_default=None, validate=ID)
    reason = fields.String(required=True, validate=REASON)


class DecisionIn(Schema):
    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class MessageIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class MemberOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    seat = fields.String()
    venue_centre_id = fields.Integer()
    main_venue = fields.Boolean()
    status = fields.String()
    name = fields.String(allow_none=True)
    identity_confirmed = fields.Boolean()
    signed_in = fields.Boolean()
    committed = fields.Boolean()
    declared = fields.Boolean()
    removed_reason = fields.String()
    replaces_id = fields.Integer(allow_none=True)
    leader = fields.Boolean()


class RoundOut(Schema):
    number = fields.Integer()
    open = fields.Boolean()
    voters = fields.List(fields.Integer())
    tally = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    winner_id = fields.Integer(allow_none=True)
    my_vote = fields.Integer(allow_none=True)


class RequestOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    target_phase = fields.String()
    bid_id = fields.Integer(allow_none=True)
    reason = fields.String()
    status = fields.String()
    note = fields.String()
    new_cycle = fields.Integer(allow_none=True)


class ViewerOut(Schema):
    role = fields.String()
    member_id = fields.Integer(allow_none=True)


class StateOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    room = fields.String()
    seq = fields.Integer()
    phase = fields.String()
    phase_label = fields.String()
    cycle = fields.Integer()
    paused = fields.Boolean()
    pause_reason = fields.String()
    phase_started_at = fields.String()
    phase_due_at = fields.String(allow_none=True)
    now = fields.String()
    method = fields.String()
    main_centre_id = fields.Integer()
    leader_id = fields.Integer(allow_none=True)
    viewer = fields.Nested(ViewerOut)
    members = fields.List(fields.Nested(MemberOut))
    rounds = fields.List(fields.Nested(RoundOut))
    pending_request = fields.Nested(RequestOut, allow_none=True)
    bidders = fields.List(fields.Dict())


class MessageOut(Schema):
    seq = fields.Integer()
    room = fields.String()
