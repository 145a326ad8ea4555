"""Request and response shapes of the sealed-quote API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.crypto.opening_key import OpeningKeyDocument


class NeedKeyOut(OpeningKeyDocument):
    """The need's opening key in the published form `tenderhall-seal seal --url` reads:
    lot_id is the need's id and lot_code its `FW-<id>`."""


class SealedQuoteOut(Schema):
    id = fields.Integer()
    need_id = fields.Integer()
    org_id = fields.Integer()
    org_name = fields.String(attribute="org.name")
    sha256 = fields.String()
    size = fields.Integer()
    submitted_at = fields.DateTime()
    status = fields.String()
    price = fields.Decimal(as_string=True, allow_none=True)
    invalid_reason = fields.String()
    files = fields.List(fields.Dict())
    receipt = fields.Dict(metadata={"description": "signed receipt (Ed25519), own quote only"})


class SealedQuotesOut(Schema):
    count = fields.Integer()
    opened = fields.Boolean()
    quotes = fields.List(fields.Dict(), metadata={"description": "SealedQuoteOut rows"})


class SealedCommitteeIn(Schema):
    user_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=10))


class SealedMemberOut(Schema):
    seat = fields.Integer()
    user_id = fields.Integer()
    name = fields.String(attribute="user.display_name")
    submitted_at = fields.DateTime(allow_none=True)


class SealedScoresIn(Schema):
    scores = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        required=True,
        metadata={"description": 'quote id → item id → points, e.g. {"12": {"t1": "35.5"}}'},
    )


class SealedResultRowOut(Schema):
    quote_id = fields.Integer(attribute="bid_id")
    name = fields.String()
    price = fields.Decimal(as_string=True, allow_none=True)
    price_score = fields.Decimal(as_string=True, allow_none=True)
    technical = fields.Decimal(as_string=True, allow_none=True)
    total = fields.Decimal(as_string=True, allow_none=True)
    rank = fields.Integer(allow_none=True)
    rejected_reason = fields.String()


class SealedReviewOut(Schema):
    members = fields.List(fields.Nested(SealedMemberOut))
    complete = fields.Boolean()
    results = fields.List(fields.Nested(SealedResultRowOut))
