"""Schemas of the ratings API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class RatingAnswerIn(Schema):
    level = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class RateIn(Schema):
    centre = fields.Nested(RatingAnswerIn, required=True)
    agency = fields.Nested(RatingAnswerIn, required=True)


class RatingOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    target = fields.String()
    level = fields.Integer()
    comment = fields.String()
    is_default = fields.Boolean()
    rated_at = fields.DateTime()


class ToRateOut(Schema):
    lot_id = fields.Function(lambda t: t.lot.id)
    lot_code = fields.Function(lambda t: t.lot.code)
    lot_name = fields.Function(lambda t: t.lot.name)
    opens_at = fields.Function(lambda t: t.window.opens.isoformat())
    closes_at = fields.Function(lambda t: t.window.closes.isoformat())


class FollowUpOut(Schema):
    """A follow-up as the rated party sees it: the rating, never the supplier who gave it."""

    id = fields.Integer()
    status = fields.String()
    lot_id = fields.Function(lambda f: f.rating.lot_id)
    target = fields.Function(lambda f: f.rating.target.value)
    level = fields.Function(lambda f: f.rating.level)
    comment = fields.Function(lambda f: f.rating.comment)
    opened_at = fields.DateTime()
    answer_due_at = fields.DateTime()
    answer = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    closing_note = fields.String()
    closed_at = fields.DateTime(allow_none=True)


class FollowUpAnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class FollowUpCloseIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=1000))
