"""Input and output schemas of the projects / lots / announcements API (the OpenAPI source).

Shapes and types are checked here; the business rules (limits, clocks, roles) are checked
by the services so that the pages and the API answer with the same messages.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from bidding.models import AnnouncementKind, EvalMethod, LotStatus, Method

_METHODS = [m.value for m in Method]
_EVALS = [m.value for m in EvalMethod]
_TIME = {"description": "ISO 8601; without an offset it is read as China Standard Time"}


def _money(**kw: object) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, allow_nan=False, **kw)  # type: ignore[arg-type]


class PriceFormField(Schema):
    key = fields.String(required=True, metadata={"description": "machine key, e.g. warranty_years"})
    label = fields.String(required=True, metadata={"description": "shown to bidders, e.g. 质保期"})
    unit = fields.String(load_default="")


class LotIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category_code = fields.String(
        load_default=None, allow_none=True, metadata={"description": "品目代码, default: project's"}
    )
    budget = _money(required=True, metadata={"description": "预算金额 (yuan)"})
    ceiling_price = _money(load_default=None, allow_none=True)
    floor_price = _money(
        load_default=None,
        allow_none=True,
        metadata={"description": "最低限价 (yuan), below the ceiling"},
    )
    bid_bond = _money(load_default=None, allow_none=True)
    evaluation_method = fields.String(
        load_default=EvalMethod.COMPREHENSIVE.value, validate=validate.OneOf(_EVALS)
    )
    committee_size = fields.Integer(load_default=5)
    validity_days = fields.Integer(load_default=90)
    price_form_fields = fields.List(fields.Nested(PriceFormField), load_default=list)
    doc_start_at = fields.DateTime(load_default=None, allow_none=True, metadata=_TIME)
    doc_end_at = fields.DateTime(load_default=None, allow_none=True, metadata=_TIME)
    bid_deadline = fields.DateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "also the opening time; " + _TIME["description"]},
    )
    opening_place = fields.String(load_default="", validate=validate.Length(max=200))


class LotPatch(Schema):
    version = fields.Integer(
        required=True, metadata={"description": "the version you edited (optimistic locking)"}
    )
    name = fields.String(validate=validate.Length(min=1, max=200))
    category_code = fields.String()
    budget = _money()
    ceiling_price = _money(allow_none=True)
    floor_price = _money(allow_none=True)
    bid_bond = _money(allow_none=True)
    evaluation_method = fields.String(validate=validate.OneOf(_EVALS))
    committee_size = fields.Integer()
    validity_days = fields.Integer()
    price_form_fields = fields.List(fields.Nested(PriceFormField))
    doc_start_at = fields.DateTime(allow_none=True, metadata=_TIME)
    doc_end_at = fields.DateTime(allow_none=True, metadata=_TIME)
    bid_deadline = fields.DateTime(allow_none=True, metadata=_TIME)
    opening_place = fields.String(validate=validate.Length(max=200))


class ProjectIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    purchaser_id = fields.Integer(required=True)
    method = fields.String(required=True, validate=validate.OneOf(_METHODS))
    category_code = fields.String(required=True, metadata={"description": "e.g. A08, B02, C16"})
    description = fields.String(load_default="")
    funding_source = fields.String(load_default="")
    contact_name = fields.String(load_default="")
    contact_phone = fields.String(load_default="")
    plan_line_id = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "the approved procurement plan line (采购计划) it draws on"},
    )
    lots = fields.List(fields.Nested(LotIn), required=True)


class ProjectQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PurchaserQuery(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "part of the purchaser's name"},
    )


class PurchaserOut(Schema):
    """A purchaser the caller's project form offers: `id` is the project's `purchaser_id`."""

    id = fields.Integer()
    name = fields.String()


class ChoiceOut(Schema):
    value = fields.String(metadata={"description": "what the API takes"})
    label = fields.String(metadata={"description": "what the form shows, in the caller's language"})


class ProjectChoicesOut(Schema):
    """The choices of the project form: procurement and evaluation methods, categories."""

    methods = fields.List(fields.Nested(ChoiceOut))
    evaluation_methods = fields.List(fields.Nested(ChoiceOut))
    categories = fields.List(fields.Nested(ChoiceOut))


class LotOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    seq = fields.Integer()
    code = fields.String()
    name = fields.String()
    category_code = fields.String()
    budget = _money()
    ceiling_price = _money(allow_none=True)
    floor_price = _money(allow_none=True)
    bid_bond = _money()
    evaluation_method = fields.Enum(EvalMethod, by_value=True)
    committee_size = fields.Integer()
    validity_days = fields.Integer()
    status = fields.Enum(LotStatus, by_value=True)
    status_reason = fields.String()
    price_form_fields = fields.List(fields.Dict())
    doc_start_at = fields.DateTime(allow_none=True)
    doc_end_at = fields.DateTime(allow_none=True)
    bid_deadline = fields.DateTime(allow_none=True)
    opening_place = fields.String()
    version = fields.Integer()


class ProjectOut(Schema):
    id = fields.Integer()
    code = fields.String()
    trade_id = fields.String()
    name = fields.String()
    centre_id = fields.Integer()
    purchaser_id = fields.Integer()
    purchaser_name = fields.String(attribute="purchaser.name")
    agency_id = fields.Integer()
    agency_name = fields.String(attribute="agency.name")
    method = fields.Enum(Method, by_value=True)
    category_code = fields.String()
    description = fields.String()
    funding_source = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    plan_line_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()
    lots = fields.List(fields.Nested(LotOut))


class ProjectPage(Schema):
    items = fields.List(fields.Nested(ProjectOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AnnouncementOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    kind = fields.Enum(AnnouncementKind, by_value=True)
    title = fields.String()
    body = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    centre_id = fields.Integer()
    method = fields.Enum(Method, by_value=True)
    category_code = fields.String()
    published_at = fields.DateTime(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)


class _Contacts(Schema):
    purchaser_address = fields.String(load_default=None, allow_none=True)
    purchaser_contact = fields.String(load_default=None, allow_none=True)
    purchaser_phone = fields.String(load_default=None, allow_none=True)
    agency_address = fields.String(load_default=None, allow_none=True)
    agency_contact = fields.String(load_default=None, allow_none=True)
    agency_phone = fields.String(load_default=None, allow_none=True)


class IntentIn(_Contacts):
    lot_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "omit for the whole project"}
    )
    requirements = fields.String(required=True, metadata={"description": "采购需求概况"})
    expected_month = fields.String(required=True, metadata={"description": "预计采购时间 YYYY-MM"})
    remarks = fields.String(load_default="")


class TenderNoticeIn(_Contacts):
    # Left out, these take what the tender-notice form offers (bidding.notice_text.tender_defaults):
    # requirements from the procurement intent or the project's description, the standard
    # qualifications; sent blank, they are refused.
    requirements = fields.String(
        load_default=None, metadata={"description": "采购需求；省略时取采购意向或项目概况"}
    )
    qualifications = fields.String(
        load_default=None, metadata={"description": "投标人资格要求；省略时取标准资格条款"}
    )
    doc_obtain_method = fields.String(load_default="", metadata={"description": "获取招标文件方式"})
    bid_submission = fields.String(load_default="")
    remarks = fields.String(load_default="")
    single_source_reason = fields.String(
        load_default=None, metadata={"description": "单一来源: why only one supplier (required)"}
    )
    supplier_name = fields.String(
        load_default=None, metadata={"description": "单一来源: the one supplier (required)"}
    )
    supplier_address = fields.String(
        load_default=None, metadata={"description": "单一来源: its address (required)"}
    )
    expert_opinion = fields.String(
        load_default=None,
        metadata={
            "description": "单一来源: the experts' opinion on the supplier being the only one"
        },
    )


class ProjectTenderNoticeIn(TenderNoticeIn):
    lot_ids = fields.List(
        fields.Integer(),
        load_default=None,
        allow_none=True,
        metadata={"description": "lots to announce; omit for every draft lot"},
    )


class TerminationIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class IntentExemptionIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class IntentExemptionOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    reason = fields.String()
    recorded_by = fields.String(attribute="recorded_by.display_name")
    recorded_at = fields.DateTime()
