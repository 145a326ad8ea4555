"""Input and output schemas of the procurement plan API (the OpenAPI source).

Shapes and types are checked here; the rules (threshold, reasons, roles) by the service, so
that the pages and the API answer with the same messages.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from bidding.models import Method
from bidding.plans.models import PlanStatus

_METHODS = [m.value for m in Method]


def _money(**kw: object) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, allow_nan=False, **kw)  # type: ignore[arg-type]


class PlanLineIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    budget_item_code = fields.String(
        required=True, metadata={"description": "预算项目编码, e.g. 2050203-01"}
    )
    funding_source = fields.String(required=True, metadata={"description": "资金来源"})
    amount = _money(required=True, metadata={"description": "计划金额 (yuan)"})
    category_code = fields.String(required=True, metadata={"description": "品目, e.g. B02"})
    method = fields.String(required=True, validate=validate.OneOf(_METHODS))
    method_reason = fields.String(
        load_default="",
        metadata={"description": "required when not open tendering at or above the threshold"},
    )
    expected_month = fields.String(required=True, metadata={"description": "YYYY-MM"})


class PlanLinePatch(Schema):
    version = fields.Integer(required=True, metadata={"description": "the version you edited"})
    name = fields.String(validate=validate.Length(min=1, max=200))
    budget_item_code = fields.String()
    funding_source = fields.String()
    amount = _money()
    category_code = fields.String()
    method = fields.String(validate=validate.OneOf(_METHODS))
    method_reason = fields.String()
    expected_month = fields.String()


class PlanApprovalIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class PlanReturnIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class PlanQuery(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in PlanStatus])
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PlanLineOut(Schema):
    id = fields.Integer()
    code = fields.String()
    centre_id = fields.Integer()
    purchaser_id = fields.Integer()
    purchaser_name = fields.String(attribute="purchaser.name")
    name = fields.String()
    budget_item_code = fields.String()
    funding_source = fields.String()
    amount = _money()
    used = _money()
    remaining = _money()
    category_code = fields.String()
    method = fields.Enum(Method, by_value=True)
    method_reason = fields.String()
    expected_month = fields.String()
    status = fields.Enum(PlanStatus, by_value=True)
    return_reason = fields.String()
    review_note = fields.String()
    submitted_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class PlanTotalsOut(Schema):
    amount = _money()
    used = _money()
    remaining = _money()


class PlanPage(Schema):
    items = fields.List(fields.Nested(PlanLineOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    totals = fields.Nested(PlanTotalsOut)
