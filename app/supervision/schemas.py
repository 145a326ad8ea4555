"""Output schemas of the supervision API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


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


class WarningOut(Schema):
    id = fields.Integer()
    rule = fields.String()
    title = fields.Function(lambda w: _text().title(w))
    point = fields.Function(lambda w: _text().point(w))
    text = fields.Function(lambda w: _text().sentence(w))
    level = fields.Function(lambda w: w.level.value)
    level_text = fields.Function(lambda w: _text().level_text(w))
    status = fields.Function(lambda w: w.status.value)
    status_text = fields.Function(lambda w: _text().status_text(w))
    lot_id = fields.Integer(allow_none=True)
    centre_id = fields.Integer(allow_none=True)
    detected_at = fields.DateTime()
    step_due_at = fields.DateTime()
    responsible_id = fields.Integer(allow_none=True)
    message = fields.String()
    answer = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    escalations = fields.Integer()
    correction = fields.Function(lambda w: w.correction.value)


def _text():  # noqa: ANN202 - the module, imported late (it needs the rules registry)
    from app.supervision import warning_text

    return warning_text


class WarningQuery(Schema):
    status = fields.String(
        load_default="",
        validate=validate.OneOf(["", "pending", "sent", "answered", "read", "closed"]),
    )
    lot_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class SendIn(Schema):
    responsible_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    message = fields.String(load_default="", validate=validate.Length(max=4000))


class TextIn(Schema):
    text = fields.String(required=True, validate=validate.Length(max=4000))


class NoteIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class LotPointsOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    status = fields.Function(lambda x: x.status.value)
    stage = fields.String()
    points = fields.Dict(keys=fields.String(), values=fields.String())
    open_warnings = fields.Integer()
    session_id = fields.Integer(allow_none=True)


class BoardOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    lots = fields.List(fields.Nested(LotPointsOut))
    quiet_ended = fields.Integer()


class SweepOut(Schema):
    ran = fields.Integer()
    found = fields.Integer()
    raised = fields.Integer()
    failed = fields.List(fields.String())
    stopped = fields.List(fields.String())
