"""Input and output schemas of the evaluation report and signing API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

B64 = validate.Regexp(r"^[A-Za-z0-9+/=]+$")


class WrappedKeyIn(Schema):
    v = fields.Integer(required=True, strict=True)
    alg = fields.String(required=True, validate=validate.Length(max=40))
    iterations = fields.Integer(required=True, strict=True)
    salt = fields.String(required=True, validate=[validate.Length(max=64), B64])
    iv = fields.String(required=True, validate=[validate.Length(max=32), B64])
    ciphertext = fields.String(required=True, validate=[validate.Length(max=1024), B64])


class SigningKeyIn(Schema):
    public_key = fields.String(required=True, validate=[validate.Length(min=1, max=512), B64])
    wrapped_key = fields.Nested(WrappedKeyIn, required=True)


class SigningKeyOut(Schema):
    member_id = fields.Integer()
    public_key = fields.String(allow_none=True)
    key_id = fields.String(allow_none=True)
    wrapped_key = fields.Dict(allow_none=True)


class SignatureIn(Schema):
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    signature = fields.String(required=True, validate=[validate.Length(min=1, max=200), B64])


class RefusalIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AnswerOut(Schema):
    member_id = fields.Integer()
    refused = fields.Boolean()
    at = fields.DateTime()


class ReportOut(Schema):
    version = fields.Integer()
    cycle = fields.Integer()
    current = fields.Boolean()
    sha256 = fields.String()
    created_at = fields.DateTime()
    # The exact signed text; `body` is the same content parsed.
    canonical = fields.String()
    body = fields.Dict()
    answers = fields.List(fields.Nested(AnswerOut))
    missing = fields.List(fields.Integer())
    phase = fields.String()


class ReportQuery(Schema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10_000))
