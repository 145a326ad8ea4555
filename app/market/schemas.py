"""JSON shapes of the market API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_TEXT = validate.Length(max=4000)


class TypeIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name_en = fields.String(load_default="", validate=validate.Length(max=120))
    parent_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20)
    )
    sort = fields.Integer(load_default=0, validate=validate.Range(-1000, 1000))
    active = fields.Boolean(load_default=True)


class TypeOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    parent_code = fields.String(allow_none=True)
    sort = fields.Integer()
    active = fields.Boolean()


class RegisterIn(Schema):
    name = fields.String(required=True, validate=validate.Length(max=200))
    credit_code = fields.String(required=True, validate=validate.Length(max=18))
    username = fields.String(required=True, validate=validate.Length(max=60))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    contact_name = fields.String(required=True, validate=validate.Length(max=60))
    email = fields.Email(required=True)
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    region = fields.String(load_default="", validate=validate.Length(max=60))


class RegisteredOut(Schema):
    user_id = fields.Integer(attribute="id")
    org_id = fields.Integer(attribute="organisation_id")
    username = fields.String()


class StaffRow(Schema):
    name = fields.String(validate=validate.Length(max=200))
    title = fields.String(validate=validate.Length(max=200))
    certificate = fields.String(validate=validate.Length(max=200))


class FeeRow(Schema):
    service = fields.String(validate=validate.Length(max=200))
    standard = fields.String(validate=validate.Length(max=200))


class CaseRow(Schema):
    title = fields.String(validate=validate.Length(max=200))
    client = fields.String(validate=validate.Length(max=200))
    year = fields.String(validate=validate.Length(max=200))


class ProfileIn(Schema):
    intro = fields.String(load_default="", validate=_TEXT)
    staff = fields.List(
        fields.Nested(StaffRow), load_default=list, validate=validate.Length(max=50)
    )
    fees = fields.List(fields.Nested(FeeRow), load_default=list, validate=validate.Length(max=50))
    cases = fields.List(fields.Nested(CaseRow), load_default=list, validate=validate.Length(max=50))
    type_codes = fields.List(
        fields.String(validate=validate.Length(max=20)),
        load_default=list,
        validate=validate.Length(max=100),
    )


class QualificationIn(Schema):
    type_code = fields.String(required=True, validate=validate.Length(max=20))
    name = fields.String(required=True, validate=validate.Length(max=120))
    level = fields.Integer(required=True, validate=validate.Range(1, 3))
    number = fields.String(required=True, validate=validate.Length(max=60))
    issuer = fields.String(required=True, validate=validate.Length(max=120))
    valid_until = fields.Date(required=True)


class QualificationOut(Schema):
    id = fields.Integer()
    type_code = fields.String()
    name = fields.String()
    level = fields.Integer()
    number = fields.String()
    issuer = fields.String()
    valid_until = fields.Date()
    cert_sha256 = fields.String()
    cert_name = fields.String()


class AgencyOut(Schema):
    org_id = fields.Integer()
    name = fields.String(attribute="org.name")
    credit_code = fields.String(attribute="org.credit_code")
    intro = fields.String()
    status = fields.String()
    credit_score = fields.Integer()
    listed_types = fields.Method("_listed")
    qualifications = fields.List(fields.Nested(QualificationOut))
    staff = fields.List(fields.Dict())
    fees = fields.List(fields.Dict())
    cases = fields.List(fields.Dict())

    def _listed(self, obj: object) -> list[str]:
        return [s.type_code for s in getattr(obj, "services", []) if s.listed]


class DirectoryArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=60))
    type = fields.String(load_default="", validate=validate.Length(max=20))
    level = fields.Integer(load_default=None, validate=validate.Range(1, 3))


class NeedIn(Schema):
    title = fields.String(required=True, validate=validate.Length(max=200))
    type_code = fields.String(required=True, validate=validate.Length(max=20))
    scope = fields.String(load_default="", validate=_TEXT)
    budget = fields.Decimal(required=True, as_string=True, places=2)
    ceiling = fields.Decimal(load_default=None, allow_none=True, as_string=True, places=2)
    required_level = fields.Integer(load_default=3, validate=validate.Range(1, 3))
    service_deadline = fields.Date(required=True)
    method = fields.String(
        required=True, validate=validate.OneOf(["auction", "direct", "random", "sealed"])
    )
    gov_commissioned = fields.Boolean(load_default=False)
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)
    closes_at = fields.AwareDateTime(load_default=None, allow_none=True)
    step = fields.Decimal(load_default=None, allow_none=True, as_string=True, places=2)
    extend_window_minutes = fields.Integer(load_default=5, validate=validate.Range(1, 60))
    extend_minutes = fields.Integer(load_default=5, validate=validate.Range(1, 60))
    scoring = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={
            "description": 'sealed quotes: {"price_weight": "30", "items": [{"name", "maximum"}]}'
        },
    )


class NeedOut(Schema):
    id = fields.Integer()
    title = fields.String()
    type_code = fields.String()
    scope = fields.String()
    budget = fields.Decimal(as_string=True)
    ceiling = fields.Decimal(as_string=True, allow_none=True)
    required_level = fields.Integer()
    service_deadline = fields.Date()
    method = fields.String()
    gov_commissioned = fields.Boolean()
    status = fields.String()
    starts_at = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    extensions = fields.Integer()
    winner_org_id = fields.Integer(allow_none=True)
    winner_name = fields.String(attribute="winner.name", allow_none=True)
    price = fields.Decimal(as_string=True, allow_none=True)
    awarded_at = fields.DateTime(allow_none=True)
    contract_sha256 = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class BidIn(Schema):
    price = fields.Decimal(required=True, as_string=True, places=2)


class MarketBidOut(Schema):
    seq = fields.Integer()
    price = fields.Decimal(as_string=True)
    at = fields.DateTime()


class AuctionStateOut(Schema):
    need_id = fields.Integer()
    phase = fields.String()
    server_now = fields.String()
    starts_at = fields.String(allow_none=True)
    closes_at = fields.String(allow_none=True)
    planned_close_at = fields.String(allow_none=True)
    extensions = fields.Integer()
    extend_window_minutes = fields.Integer()
    extend_minutes = fields.Integer()
    ceiling = fields.String(allow_none=True)
    step = fields.String()
    best = fields.String(allow_none=True)
    max_next = fields.String(allow_none=True)
    bids = fields.Integer()
    bidders = fields.Integer()
    my_best = fields.String(allow_none=True)
    my_rank = fields.Integer(allow_none=True)
    last_seq = fields.Integer()
    bid_seq = fields.Integer(
        allow_none=True, metadata={"description": "the sequence of the bid just accepted"}
    )


class DirectIn(Schema):
    org_id = fields.Integer(required=True)
    price = fields.Decimal(required=True, as_string=True, places=2)
    reason = fields.String(required=True, validate=validate.Length(max=1000))


class CompletionIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class RatingIn(Schema):
    quality = fields.Integer(required=True, validate=validate.Range(1, 5))
    timeliness = fields.Integer(required=True, validate=validate.Range(1, 5))
    fee = fields.Integer(required=True, validate=validate.Range(1, 5))
    conduct = fields.Integer(required=True, validate=validate.Range(1, 5))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class MarketRatingOut(Schema):
    id = fields.Integer()
    need_id = fields.Integer()
    org_id = fields.Integer()
    quality = fields.Integer()
    timeliness = fields.Integer()
    fee = fields.Integer()
    conduct = fields.Integer()
    comment = fields.String()
    reply = fields.String()
    created_at = fields.DateTime()
    replied_at = fields.DateTime(allow_none=True)


class ReplyIn(Schema):
    reply = fields.String(required=True, validate=validate.Length(max=2000))


class AgencyStatusIn(Schema):
    status = fields.String(
        required=True, validate=validate.OneOf(["active", "suspended", "removed"])
    )
    reason = fields.String(required=True, validate=validate.Length(max=1000))


class AppealIn(Schema):
    text = fields.String(required=True, validate=validate.Length(max=4000))


class AppealDecisionIn(Schema):
    upheld = fields.Boolean(required=True)
    answer = fields.String(required=True, validate=validate.Length(max=4000))


class AppealOut(Schema):
    id = fields.Integer()
    org_id = fields.Integer()
    text = fields.String()
    status = fields.String()
    filed_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    answer = fields.String()
