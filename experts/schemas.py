"""Input and output schemas of the experts API (the OpenAPI source)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.clock import CST
from app.core.extensions import db
from bidding.models import Lot
from experts.models import CreditKind, Draw, DrawStatus, ExpertStatus, RelationKind
from experts.policies import shown_id_card, shown_phone
from experts.seats import seat_summary


class SpecialtyOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.Integer()
    parent_code = fields.String(allow_none=True)


class ExpertIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=60))
    id_card = fields.String(required=True, load_only=True, validate=validate.Length(equal=18))
    phone = fields.String(required=True, validate=validate.Length(min=11, max=11))
    email = fields.String(load_default="", validate=validate.Length(max=160))
    region = fields.String(load_default="", validate=validate.Length(max=60))
    title = fields.String(load_default="", validate=validate.Length(max=60))
    main_specialty = fields.String(required=True, validate=validate.Length(min=1, max=20))
    secondary_specialties = fields.List(
        fields.String(validate=validate.Length(max=20)), load_default=list
    )
    employer_code = fields.String(load_default="", validate=validate.Length(max=18))
    employer_name = fields.String(load_default="", validate=validate.Length(max=200))
    username = fields.String(load_default="", validate=validate.Length(max=60))


class ExpertPatch(Schema):
    name = fields.String(validate=validate.Length(min=2, max=60))
    id_card = fields.String(load_only=True, validate=validate.Length(equal=18))
    phone = fields.String(validate=validate.Length(min=11, max=11))
    email = fields.String(validate=validate.Length(max=160))
    region = fields.String(validate=validate.Length(max=60))
    title = fields.String(validate=validate.Length(max=60))
    main_specialty = fields.String(validate=validate.Length(min=1, max=20))
    secondary_specialties = fields.List(fields.String(validate=validate.Length(max=20)))
    employer_code = fields.String(validate=validate.Length(max=18))
    employer_name = fields.String(validate=validate.Length(max=200))


class ExpertOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    name = fields.String()
    id_card_tail = fields.String()
    id_card = fields.Method("_id_card", metadata={"description": "masked: 18 characters"})
    phone = fields.Method(
        "_phone", metadata={"description": "whole for the pool's own staff, else 138****1234"}
    )
    email = fields.String()
    region = fields.String()
    title = fields.String()
    main_specialty_code = fields.String()
    secondary_specialties = fields.Method("_secondary")
    employer_code = fields.String()
    employer_name = fields.String()
    status = fields.String(attribute="status.value")
    status_reason = fields.String()

    def _secondary(self, obj: Any) -> list[str]:
        return [s.specialty_code for s in obj.secondary]

    def _phone(self, obj: Any) -> str:
        return shown_phone(current_user, obj)

    def _id_card(self, obj: Any) -> str:
        return shown_id_card(obj)


class ExpertQuery(Schema):
    centre_id = fields.Integer(load_default=None)
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in ExpertStatus])
    )
    q = fields.String(load_default="", validate=validate.Length(max=60))


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ExpertStatus]))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class EmploymentIn(Schema):
    credit_code = fields.String(required=True, validate=validate.Length(max=18))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    start_date = fields.Date(required=True)
    end_date = fields.Date(load_default=None, allow_none=True)


class RelationIn(Schema):
    credit_code = fields.String(required=True, validate=validate.Length(max=18))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in RelationKind]))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class LeaveIn(Schema):
    start_at = fields.AwareDateTime(required=True, default_timezone=CST)
    end_at = fields.AwareDateTime(required=True, default_timezone=CST)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class CreditIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CreditKind]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    points = fields.Integer(load_default=0)
    start_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=CST)
    end_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=CST)


class AppraisalIn(Schema):
    lot_id = fields.Integer(required=True)
    checklist = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class ImportIn(Schema):
    centre_id = fields.Integer(required=True)
    csv = fields.String(required=True, validate=validate.Length(min=1, max=5_000_000))


class ImportOut(Schema):
    imported = fields.Integer()


class GroupIn(Schema):
    specialty = fields.String(required=True, validate=validate.Length(min=1, max=20))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    reserves = fields.Integer(load_default=2, validate=validate.Range(min=0, max=50))
    centre_id = fields.Integer(load_default=None, allow_none=True)


class AvoidIn(Schema):
    credit_code = fields.String(required=True, validate=validate.Length(max=40))
    reason = fields.Integer(required=True)


class DrawRequestIn(Schema):
    lot_id = fields.Integer(required=True)
    evaluation_at = fields.AwareDateTime(required=True, default_timezone=CST)
    venue = fields.String(required=True, validate=validate.Length(min=1, max=200))
    purchaser_reps = fields.Integer(load_default=0, validate=validate.Range(min=0, max=20))
    pool_centre_ids = fields.List(fields.Integer(), load_default=list)
    groups = fields.List(
        fields.Nested(GroupIn), required=True, validate=validate.Length(min=1, max=20)
    )
    avoided = fields.List(
        fields.Nested(AvoidIn), load_default=list, validate=validate.Length(max=1000)
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SeatState(Schema):
    slot = fields.Integer()
    specialty = fields.String()
    count = fields.Integer()
    centre_id = fields.Integer(allow_none=True)
    states = fields.Dict(keys=fields.String(), values=fields.Integer())
    signed_in = fields.List(fields.Dict())


class DrawOut(Schema):
    """What the requesting staff see: conditions, commitments and counts, never names."""

    id = fields.Integer()
    lot_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    root_id = fields.Integer(allow_none=True)
    status = fields.String(attribute="status.value")
    evaluation_at = fields.DateTime()
    earliest_at = fields.DateTime()
    venue = fields.String()
    purchaser_reps = fields.Integer()
    pool_centre_ids = fields.List(fields.Integer())
    groups = fields.List(fields.Dict())
    avoided = fields.List(fields.Dict())
    seed_hash = fields.String(allow_none=True)
    pool_hashes = fields.List(fields.String(), allow_none=True)
    public_value = fields.String(allow_none=True)
    commitment_seq = fields.Integer(allow_none=True)
    seed = fields.Method("_seed")
    created_at = fields.DateTime()
    committed_at = fields.DateTime(allow_none=True)
    drawn_at = fields.DateTime(allow_none=True)
    revealed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    seats = fields.Method("_seats")

    def _seed(self, obj: Any) -> str | None:
        return obj.seed_revealed if obj.status == DrawStatus.REVEALED else None

    def _seats(self, obj: Any) -> list[dict[str, Any]]:
        root = db.session.get(Draw, obj.root_id or obj.id)
        return SeatState(many=True).dump(seat_summary(root)) if root is not None else []


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class InvitationOut(Schema):
    """An expert's own invitation."""

    id = fields.Integer()
    draw_id = fields.Integer()
    state = fields.String(attribute="state.value")
    lot_name = fields.Method("_lot")
    evaluation_at = fields.DateTime(attribute="draw.evaluation_at")
    venue = fields.String(attribute="draw.venue")
    invited_at = fields.DateTime(allow_none=True)
    answer_due_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    signed_in_at = fields.DateTime(allow_none=True)
    reason = fields.String()

    def _lot(self, obj: Any) -> str:
        lot = db.session.get(Lot, obj.draw.lot_id)
        return lot.name if lot else ""


class AnswerIn(Schema):
    join = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ConflictIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    credit_code = fields.String(load_default="", validate=validate.Length(max=18))


class LogEntryOut(Schema):
    seq = fields.Integer()
    ts = fields.DateTime()
    actor_name = fields.String()
    role = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    entry_hash = fields.String()
