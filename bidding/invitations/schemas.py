"""Input and output schemas of the invitations API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from bidding.invitations.models import InviteBasis


class PickIn(Schema):
    supplier_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class RecommendIn(Schema):
    picks = fields.List(fields.Nested(PickIn), required=True, validate=validate.Length(max=50))
    short_reason = fields.String(
        load_default="", metadata={"description": "why fewer than the method's minimum"}
    )


class DrawIn(Schema):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    short_reason = fields.String(load_default="")


class InviteeOut(Schema):
    supplier_id = fields.Integer()
    supplier_name = fields.String(attribute="supplier.name")
    basis = fields.Enum(InviteBasis, by_value=True)
    reason = fields.String()
    draw_commitment = fields.String()
    invited_at = fields.DateTime()


class InviteesOut(Schema):
    count = fields.Integer()
    visible = fields.Boolean(metadata={"description": "false: secret until the deadline"})
    items = fields.List(fields.Nested(InviteeOut))
