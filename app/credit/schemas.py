"""JSON shapes of credit records."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.core import clock
from app.credit.labels import kind_label
from app.credit.models import CreditKind
from app.credit.queries import end_day

KINDS = [k.value for k in CreditKind]


class CreditIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    authority = fields.String(required=True, validate=validate.Length(max=200))
    basis = fields.String(load_default="", validate=validate.Length(max=2000))
    result = fields.String(required=True, validate=validate.Length(max=2000))
    start_date = fields.Date(
        load_default=None, metadata={"description": "First day (China time); today when absent"}
    )
    end_date = fields.Date(
        load_default=None,
        metadata={"description": "Last day (China time); a blacklist entry needs one 1–3 years on"},
    )


class SupplierCreditIn(CreditIn):
    organisation_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class ExpertCreditIn(CreditIn):
    expert_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class CreditLiftIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CreditQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    kind = fields.String(load_default="", validate=validate.OneOf(["", *KINDS]))
    in_force = fields.Boolean(load_default=False)


def _last_day(obj: Any) -> str | None:
    return end_day(obj) or None


class CreditRecordOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    organisation_name = fields.String(attribute="organisation.name")
    credit_code = fields.String(attribute="organisation.credit_code", allow_none=True)
    kind = fields.String(attribute="kind.value")
    kind_label = fields.Function(lambda r: kind_label(r.kind))
    authority = fields.String()
    basis = fields.String()
    result = fields.String()
    start_at = fields.DateTime()
    end_at = fields.DateTime(allow_none=True)
    last_day = fields.Function(_last_day, allow_none=True)
    in_force = fields.Function(lambda r: r.in_force(clock.now()))
    lifted_at = fields.DateTime(allow_none=True)
    lift_reason = fields.String()


class ExpertCreditOut(Schema):
    id = fields.Integer()
    expert_id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    authority = fields.String()
    basis = fields.String()
    result = fields.String(attribute="reason")
    points = fields.Integer()
    start_at = fields.DateTime()
    end_at = fields.DateTime(allow_none=True)
    last_day = fields.Function(_last_day, allow_none=True)
    created_at = fields.DateTime()
