"""Input and output schemas of the sealed-bid API (the OpenAPI source)."""

from __future__ import annotations

from flask_smorest.fields import Upload
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
    note = fields.String()


# ---------------------------------------------------------------- bid bonds


class SubAccountOut(Schema):
    account_name = fields.String(metadata={"description": "the centre's bond account (户名)"})
    bank = fields.String(metadata={"description": "开户行"})
    number = fields.String(metadata={"description": "the virtual sub-account to pay into"})
    amount_due = fields.Decimal(as_string=True, places=2)
    deadline = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime()


class RefundOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    reason = fields.Function(lambda r: r.reason.value)
    amount = fields.Decimal(as_string=True, places=2)
    started_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Function(lambda r: r.overdue_at is not None)
    done_at = fields.DateTime(allow_none=True)
    bank_reference = fields.String()


class OwnArrivalOut(Schema):
    txn_id = fields.String(attribute="bank_txn_id")
    amount = fields.Decimal(as_string=True, places=2)
    paid_at = fields.DateTime()
    status = fields.Function(lambda a: a.status.value)
    hold_reason = fields.Function(lambda a: a.hold_reason.value if a.hold_reason else None)


class MyBondOut(Schema):
    """A supplier's own bond on one lot: never anyone else's."""

    lot_id = fields.Function(lambda s: s.lot.id)
    amount_due = fields.Function(lambda s: f"{s.lot.bid_bond:.2f}")
    deadline = fields.Function(
        lambda s: s.lot.bid_deadline.isoformat() if s.lot.bid_deadline else None
    )
    satisfied = fields.Boolean(metadata={"description": "the bond the rules require is in place"})
    may_act = fields.Boolean()
    sub_account = fields.Method("_sub")
    bond = fields.Nested(BondOut, allow_none=True)
    arrivals = fields.List(fields.Nested(OwnArrivalOut))
    refund = fields.Nested(RefundOut, allow_none=True)

    def _sub(self, state):  # type: ignore[no-untyped-def]
        if state.sub_account is None:
            return None
        return SubAccountOut().dump(
            {
                "account_name": state.account.name,
                "bank": state.account.bank,
                "number": state.sub_account.number,
                "amount_due": state.sub_account.amount_due,
                "deadline": state.lot.bid_deadline,
                "issued_at": state.sub_account.issued_at,
            }
        )


class GuaranteeForm(Schema):
    amount = fields.String(required=True, validate=validate.Length(min=1, max=20))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))


class LetterFileForm(Schema):
    # Not required here so that a missing file gets the service's own message.
    letter = Upload(load_default=None)


class BondRowOut(Schema):
    """A lot's bond, in the list shown after the deadline."""

    supplier_id = fields.Function(lambda r: r.bond.supplier_id)
    supplier = fields.Function(lambda r: r.bond.supplier.name)
    kind = fields.Function(lambda r: r.bond.kind.value)
    status = fields.Function(lambda r: r.bond.status.value)
    amount = fields.Function(lambda r: f"{r.bond.amount:.2f}")
    refund = fields.Function(lambda r: RefundOut().dump(r.refund) if r.refund else None)
    payer_accounts = fields.List(fields.String())


class GuaranteeQueueOut(Schema):
    """A check waiting in the centre's queue: a number and a time, no bidder list."""

    id = fields.Integer()
    submitted_at = fields.DateTime(attribute="recorded_at")


class GuaranteeCheckOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    lot_code = fields.Function(lambda b: b.lot.code)
    lot_name = fields.Function(lambda b: b.lot.name)
    amount_due = fields.Function(lambda b: f"{b.lot.bid_bond:.2f}")
    applicant = fields.Function(lambda b: b.supplier.name)
    credit_code = fields.Function(lambda b: b.supplier.credit_code)
    amount = fields.Decimal(as_string=True, places=2)
    reference = fields.String()
    letter_name = fields.String()
    letter_sha256 = fields.String()
    submitted_at = fields.DateTime(attribute="recorded_at")
    status = fields.Function(lambda b: b.status.value)
    note = fields.String()


class ArrivalOut(Schema):
    id = fields.Integer()
    txn_id = fields.String(attribute="bank_txn_id")
    source = fields.Function(lambda a: a.source.value)
    sub_account = fields.String(attribute="sub_account_number")
    amount = fields.Decimal(as_string=True, places=2)
    payer_account = fields.String()
    payer_name = fields.String()
    paid_at = fields.DateTime()
    received_at = fields.DateTime()
    status = fields.Function(lambda a: a.status.value)
    hold_reason = fields.Function(lambda a: a.hold_reason.value if a.hold_reason else None)
    resolution_note = fields.String()


class ArrivalResolveIn(Schema):
    credit = fields.Boolean(
        required=True, metadata={"description": "true: count as the bond; false: return to payer"}
    )
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class StatementFileForm(Schema):
    file = Upload(load_default=None)


class StatementOut(Schema):
    added = fields.Integer()
    matched = fields.Integer()
    held = fields.Integer()
    already = fields.Integer(metadata={"description": "rows recorded by an earlier import"})


class BankNoticeIn(Schema):
    """A bank's arrival notice. Headers: X-Bank-Key, X-Bank-Timestamp (Unix seconds),
    X-Bank-Nonce (8–64 letters or digits, never reused) and X-Bank-Signature: hex Ed25519 or
    HMAC-SHA256 over "POST\\n<path>\\n<timestamp>\\n<nonce>\\n" followed by the body bytes."""

    txn_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    sub_account = fields.String(required=True, validate=validate.Length(min=1, max=32))
    amount = fields.String(required=True, validate=validate.Length(min=1, max=20))
    payer_account = fields.String(required=True, validate=validate.Length(min=1, max=60))
    payer_name = fields.String(load_default="", validate=validate.Length(max=200))
    paid_at = fields.AwareDateTime(required=True)


class BankNoticeOut(Schema):
    txn_id = fields.String(attribute="bank_txn_id")
    status = fields.Function(lambda a: a.status.value)
    hold_reason = fields.Function(lambda a: a.hold_reason.value if a.hold_reason else None)


class BankKeyIn(Schema):
    bank_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    alg = fields.String(required=True, validate=validate.OneOf(["ed25519", "hmac-sha256"]))
    public_key = fields.String(load_default="", validate=validate.Length(max=2000))


class BankKeyOut(Schema):
    id = fields.Integer()
    key_id = fields.String()
    bank_name = fields.String()
    alg = fields.Function(lambda k: k.alg.value)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    secret = fields.Function(
        lambda k: getattr(k, "secret", None),
        allow_none=True,
        metadata={"description": "HMAC secret, returned once at registration, never again"},
    )


class RefundDoneIn(Schema):
    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))


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
    status = fields.String(required=True)
    chunk_max = fields.Integer(required=True)


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
