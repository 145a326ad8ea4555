"""Input and output schemas of the negotiation API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

ID = validate.Range(min=1, max=2**31 - 1)


class NegoRoundIn(Schema):
    final = fields.Boolean(load_default=False)


class NegoRoundOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    final = fields.Boolean()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    sealed_count = fields.Integer()


class NegoAmendmentIn(Schema):
    text = fields.String(required=True, validate=validate.Length(max=5000))


class NegoAmendmentOut(Schema):
    id = fields.Integer()
    after_round = fields.Integer()
    text = fields.String()
    made_at = fields.DateTime()


class NegoDropIn(Schema):
    bid_id = fields.Integer(required=True, strict=True, validate=ID)
    reason = fields.String(required=True, validate=validate.Length(max=5000))


class NegoDropOut(Schema):
    id = fields.Integer()
    bid_id = fields.Integer()
    after_round = fields.Integer()
    reason = fields.String()
    dropped_at = fields.DateTime()


class NegoQuoteIn(Schema):
    round = fields.Integer(required=True, strict=True, validate=ID)
    price = fields.Decimal(required=True, as_string=True, places=None)


class NegoQuoteReceiptOut(Schema):
    """What the supplier gets back: the hash of what was sealed, never the price."""

    round = fields.Integer()
    sha256 = fields.String()
    submitted_at = fields.DateTime()


class NegoMessageIn(Schema):
    text = fields.String(required=True, validate=validate.Length(max=1000))


class NegoMessageOut(Schema):
    id = fields.Integer()
    from_group = fields.Boolean()
    author = fields.String()
    text = fields.String()
    posted_at = fields.DateTime()


class NegoReadQuoteOut(Schema):
    round = fields.Integer()
    price = fields.Decimal(as_string=True)
    sha256 = fields.String()


class NegoSupplierRowOut(Schema):
    bid_id = fields.Integer()
    supplier = fields.String()
    opened_price = fields.Decimal(as_string=True, allow_none=True)
    quotes = fields.List(fields.Nested(NegoReadQuoteOut))
    dropped = fields.Boolean()
    drop_reason = fields.String()
    out_reason = fields.String()


class NegoGroupOut(Schema):
    session_id = fields.Integer()
    lot_id = fields.Integer()
    lot_code = fields.String()
    lot_name = fields.String()
    project_name = fields.String()
    method = fields.String()
    concluded = fields.Boolean()
    open_round = fields.Nested(NegoRoundOut, allow_none=True)
    rounds = fields.List(fields.Nested(NegoRoundOut))
    suppliers = fields.List(fields.Nested(NegoSupplierRowOut))
    amendments = fields.List(fields.Nested(NegoAmendmentOut))


class NegoOwnOpenRoundOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    final = fields.Boolean()
    quoted = fields.Boolean()


class NegoOwnQuoteOut(Schema):
    round = fields.Integer()
    final = fields.Boolean()
    closed = fields.Boolean()
    submitted_at = fields.DateTime(allow_none=True)
    sha256 = fields.String()
    price = fields.Decimal(as_string=True, allow_none=True)


class NegoSupplierOut(Schema):
    bid_id = fields.Integer()
    lot_id = fields.Integer()
    lot_code = fields.String()
    lot_name = fields.String()
    project_name = fields.String()
    method = fields.String()
    dropped = fields.Boolean()
    drop_reason = fields.String()
    concluded = fields.Boolean()
    open_round = fields.Nested(NegoOwnOpenRoundOut, allow_none=True)
    quotes = fields.List(fields.Nested(NegoOwnQuoteOut))
    amendments = fields.List(fields.Nested(NegoAmendmentOut))
    messages = fields.List(fields.Nested(NegoMessageOut))
