"""Input and output schemas of the review, clarification, scoring and summary API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.models import Lot

ID = validate.Range(min=1, max=2**31 - 1)
ITEM_ID = validate.Length(min=1, max=40)


class VerdictIn(Schema):
    passed = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class VerdictOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    bid_id = fields.Integer()
    item_id = fields.String()
    passed = fields.Boolean()
    reason = fields.String()
    at = fields.DateTime()


class DecisionOut(Schema):
    id = fields.Integer()
    bid_id = fields.Integer()
    item_id = fields.String()
    passed = fields.Boolean()
    called_by_id = fields.Integer()
    decided_at = fields.DateTime()


class DissentIn(Schema):
    bid_id = fields.Integer(required=True, strict=True, validate=ID)
    item_id = fields.String(required=True, validate=ITEM_ID)
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DissentOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    subject = fields.String()
    bid_id = fields.Integer(allow_none=True)
    item_id = fields.String()
    text = fields.String()
    at = fields.DateTime()


class ClarificationIn(Schema):
    bid_id = fields.Integer(required=True, strict=True, validate=ID)
    question = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    due_at = fields.AwareDateTime(required=True)
    kind = fields.String(
        load_default="general", validate=validate.OneOf(("general", "abnormal_price"))
    )


class ClarificationAnswerIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class FindingIn(Schema):
    accepted = fields.Boolean(required=True)


class EvalClarificationOut(Schema):
    """As the committee and watchers read it."""

    id = fields.Integer()
    bid_id = fields.Integer()
    kind = fields.String()
    question = fields.String()
    asked_by_id = fields.Integer()
    asked_at = fields.DateTime()
    due_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    accepted = fields.Boolean(allow_none=True)


def _lot(obj: Any) -> Lot | None:
    bid = db.session.get(Bid, obj.bid_id)
    return bid.lot if bid is not None else None


class BidderClarificationOut(Schema):
    """As the bidder reads it: its own question and answer, nothing of the committee."""

    id = fields.Integer()
    bid_id = fields.Integer()
    lot_code = fields.Function(lambda c: (lot := _lot(c)) and lot.code)
    lot_name = fields.Function(lambda c: (lot := _lot(c)) and lot.name)
    kind = fields.String()
    question = fields.String()
    asked_at = fields.DateTime()
    due_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class ScoresIn(Schema):
    scores = fields.Dict(
        keys=fields.String(validate=ITEM_ID),
        values=fields.Decimal(allow_nan=False),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class ScoreOut(Schema):
    item_id = fields.String()
    value = fields.Decimal(as_string=True)
    at = fields.DateTime()


class SheetOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    bid_id = fields.Integer()
    submitted_at = fields.DateTime()
    reopened_at = fields.DateTime(allow_none=True)


class VisibleScoresOut(Schema):
    bid_id = fields.Integer()
    submitted = fields.List(fields.Integer())
    # member id → item id → points (as strings); only what the reader may see
    scores = fields.Dict(keys=fields.String(), values=fields.Dict())


class JustificationIn(Schema):
    bid_id = fields.Integer(required=True, strict=True, validate=ID)
    item_id = fields.String(required=True, validate=ITEM_ID)
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class JustificationOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    bid_id = fields.Integer()
    item_id = fields.String()
    text = fields.String()
    at = fields.DateTime()


class SummaryOut(Schema):
    session_id = fields.Integer()
    method = fields.String()
    method_label = fields.String()
    locked_at = fields.String(allow_none=True)
    bidders = fields.List(fields.Dict())
    candidates = fields.List(fields.Integer())
    problems = fields.List(fields.String())


class LockOut(Schema):
    id = fields.Integer()
    phase = fields.String()
    summary_locked_at = fields.DateTime(allow_none=True)


class PriceLineOut(Schema):
    key = fields.String()
    label = fields.String()
    value = fields.String()


class BidFileOut(Schema):
    index = fields.Integer()
    name = fields.String()
    size = fields.Integer(allow_none=True)
    sha256 = fields.String()
    pdf = fields.Boolean()
    available = fields.Boolean()
    url = fields.String(allow_none=True)


class BidderFilesOut(Schema):
    bid_id = fields.Integer()
    supplier = fields.String()
    total_price = fields.Decimal(as_string=True, allow_none=True)
    price_form = fields.List(fields.Nested(PriceLineOut))
    files = fields.List(fields.Nested(BidFileOut))


class BidFilesOut(Schema):
    session_id = fields.Integer()
    may_read = fields.Boolean()
    bidders = fields.List(fields.Nested(BidderFilesOut))
