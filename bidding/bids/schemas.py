"""Input and output schemas of the sealed-bid API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.crypto.opening_key import OpeningKeyDocument

# The published opening key has one shape, shared with `tenderhall-seal` (ground floor).
OpeningKeyOut = OpeningKeyDocument


class CustodianIn(Schema):
    user_id = fields.Integer(required=True)
    passphrase = fields.String(required=True, validate=validate.Length(min=1, max=200))


class OpeningKeyIn(Schema):
    custodians = fields.List(
        fields.Nested(CustodianIn), required=True, validate=validate.Length(min=2, max=9)
    )
    k = fields.Integer(load_default=None, validate=validate.Range(min=2, max=9))


class PaidBondIn(Schema):
    supplier_id = fields.Integer(required=True)
    amount = fields.Decimal(required=True, as_string=True, places=2)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    payer_account = fields.String(load_default="", validate=validate.Length(max=60))


class BondDecisionIn(Schema):
    accept = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class BondOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    supplier_id = fields.Integer()
    kind = fields.Function(lambda b: b.kind.value)
    status = fields.Function(lambda b: b.status.value)
    amount = fields.Decimal(as_string=True, places=2)
    reference = fields.String()


class BidUploadIn(Schema):
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    fingerprint = fields.String(
        load_default="",
        validate=validate.Length(max=64),
        metadata={"description": "browser device fingerprint (hex)"},
    )


class BidUploadOut(Schema):
    token = fields.String(required=True)
    lot_id = fields.Integer(required=True)
    declared_size = fields.Integer(required=True)
    received = fields.Integer(required=True, metadata={"description": "next offset to send"})
    status = fields.Function(lambda u: u.status.value)
    chunk_max = fields.Function(lambda u: u.chunk_max)


class BidChunkQuery(Schema):
    offset = fields.Integer(required=True, validate=validate.Range(min=0))


class ReceiptOut(Schema):
    receipt = fields.Dict(required=True)
    signature = fields.String(required=True)
    key_id = fields.String(required=True)
    alg = fields.String(required=True)


class BidOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    version = fields.Integer()
    status = fields.Function(lambda b: b.status.value)
    ciphertext_sha256 = fields.String()
    size = fields.Integer()
    received_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)


class FreezeEntryOut(Schema):
    bid_id = fields.Integer()
    supplier_id = fields.Integer()
    supplier = fields.String()
    version = fields.Integer()
    sha256 = fields.String()
    size = fields.Integer()
    received_at = fields.String()


class FreezeOut(Schema):
    lot_id = fields.Integer()
    frozen_at = fields.DateTime()
    list_hash = fields.String()
    bid_count = fields.Integer()
    failed = fields.Boolean()
    audit_seq = fields.Integer()
    entries = fields.List(fields.Nested(FreezeEntryOut))


class SharePassphraseIn(Schema):
    passphrase = fields.String(required=True, validate=validate.Length(min=1, max=200))


class HallDecryptIn(Schema):
    max_bids = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1000))


class HallObjectionIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class HallAnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class HallOut(Schema):
    lot_id = fields.Integer()
    status = fields.String(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    shares_present = fields.Integer()
    k = fields.Integer(allow_none=True)
    signins = fields.List(fields.String())
    lines = fields.List(fields.Dict())
    objections = fields.List(fields.Dict())
    order_seed = fields.String(allow_none=True)
    record_sha256 = fields.String(allow_none=True)


class RetenderLotOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    status = fields.Function(lambda lot: lot.status.value)
