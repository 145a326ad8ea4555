"""Input and output schemas of the scoring scheme API (the OpenAPI source).

The scheme itself travels as the JSON form of `remote_eval.scheme.Scheme` (see
`Scheme.to_dict`): its shape and rules are checked by the service, so that the editor
and the API answer with the same Chinese messages.
"""

from __future__ import annotations

from marshmallow import Schema, fields

_SCHEME = {
    "description": "the scheme: method, qualification, compliance, technical, commercial "
    "(items with id, name, description; scored items also maximum, type fixed|range, "
    "choices, step, objective) and price (weight, formula, abnormal_share, …); "
    "numbers as strings or JSON numbers"
}


class SchemeIn(Schema):
    version = fields.Integer(
        required=True,
        metadata={"description": "the version you read (0 before the first save); stale → 409"},
    )
    scheme = fields.Dict(required=True, metadata=_SCHEME)


class AmendmentIn(Schema):
    version = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "the version you read"}
    )
    scheme = fields.Dict(required=True, metadata=_SCHEME)


class WithdrawIn(Schema):
    version = fields.Integer(load_default=None, allow_none=True)


class PublishedVersionOut(Schema):
    version = fields.Integer()
    applied_at = fields.DateTime()
    announcement_id = fields.Integer()


class SchemeOut(Schema):
    lot_id = fields.Integer()
    method = fields.String()
    version = fields.Integer(metadata={"description": "send it back with PUT"})
    saved = fields.Boolean(metadata={"description": "false: the method's template, unsaved"})
    frozen_at = fields.DateTime(allow_none=True)
    scheme = fields.Dict()
    pending = fields.Dict(
        allow_none=True, metadata={"description": "amendment awaiting a clarification"}
    )
    pending_changes = fields.List(fields.String())
    published_versions = fields.List(fields.Nested(PublishedVersionOut))
