"""Output schemas of the supervision API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields


class SharedPaymentOut(Schema):
    supplier_id = fields.Function(lambda a: a.sub_account.supplier_id)
    supplier = fields.Function(lambda a: a.sub_account.supplier.name)
    amount = fields.Decimal(as_string=True, places=2)
    paid_at = fields.DateTime()
    txn_id = fields.String(attribute="bank_txn_id")


class SharedPayerOut(Schema):
    lot_id = fields.Function(lambda s: s.lot.id)
    lot_code = fields.Function(lambda s: s.lot.code)
    payer_account = fields.String()
    payer_names = fields.List(fields.String())
    supplier_count = fields.Function(lambda s: len(s.suppliers))
    payments = fields.List(fields.Nested(SharedPaymentOut))
