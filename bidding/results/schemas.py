"""Shapes of the results API: what it reads and what it answers."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate


class ResultPublicityIn(Schema):
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 30))


class ResultFailureIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    next_step = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )


class ResultLotRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    status_label = fields.String()


class ResultFilingForm(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["objection", "challenge", "complaint"])
    )
    text = fields.String(required=True, validate=validate.Length(max=5000))
    follows_id = fields.Integer(load_default=None, allow_none=True)


class ResultFilingFiles(Schema):
    attachments = fields.List(Upload(), load_default=list)


class ResultAnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(max=5000))


class ResultPassedOverIn(Schema):
    rank = fields.Integer(required=True, validate=validate.Range(1, 99))
    reason = fields.String(required=True, validate=validate.Length(max=40))
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ResultAwardIn(Schema):
    rank = fields.Integer(load_default=1, validate=validate.Range(1, 99))
    passed_over = fields.List(fields.Nested(ResultPassedOverIn), load_default=list)


class ResultContractForm(Schema):
    number = fields.String(required=True, validate=validate.Length(max=60))
    lot_code = fields.String(required=True, validate=validate.Length(max=50))
    supplier_id = fields.Integer(required=True)
    price = fields.Decimal(required=True, as_string=True, places=2, allow_nan=False)
    signed_on = fields.Date(required=True)


class ResultAmendmentForm(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    price = fields.Decimal(required=True, as_string=True, places=2, allow_nan=False)
    signed_on = fields.Date(required=True)


class ResultFileForm(Schema):
    file = Upload(load_default=None)


class ResultFilingOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    supplier_name = fields.String(allow_none=True)
    follows_id = fields.Integer(allow_none=True)
    text = fields.String()
    attachments = fields.List(fields.Dict())
    filed_at = fields.DateTime()
    due_at = fields.DateTime()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean()
    answer = fields.String()
    answered_at = fields.DateTime(allow_none=True)


class ResultOut(Schema):
    """The lot's result as the caller may see it (see bidding/results/queries.py)."""

    lot_id = fields.Integer()
    lot_code = fields.String()
    lot_name = fields.String()
    project_name = fields.String()
    status = fields.String()
    status_label = fields.String()
    procurement = fields.Boolean()
    received = fields.Boolean()
    viewer = fields.String()
    failed = fields.Boolean()
    failure_stage = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    failure_notice_id = fields.Integer(allow_none=True)
    retendered_as = fields.Nested(ResultLotRef, allow_none=True)
    retendered_from = fields.Nested(ResultLotRef, allow_none=True)
    report_sha256 = fields.String(allow_none=True)
    report_at = fields.DateTime()
    publish_by = fields.DateTime(allow_none=True)
    publicity_days = fields.Integer()
    candidates = fields.List(fields.Dict())
    rejected = fields.List(fields.Dict())
    publicity_id = fields.Integer(allow_none=True)
    publicity_start = fields.DateTime(allow_none=True)
    publicity_end = fields.DateTime(allow_none=True)
    awarded_at = fields.DateTime(allow_none=True)
    winner_name = fields.String(allow_none=True)
    winner_rank = fields.Integer(allow_none=True)
    award_price = fields.String(allow_none=True)
    passed_over = fields.List(fields.Dict())
    result_id = fields.Integer(allow_none=True)
    contract_due = fields.DateTime(allow_none=True)
    winner_supplier_id = fields.Integer(allow_none=True)
    filings = fields.List(fields.Nested(ResultFilingOut))
    notices = fields.List(fields.Dict())
    contracts = fields.List(fields.Dict())
    actions = fields.Dict()
    pass_over_reasons = fields.List(fields.Dict())
    negotiated = fields.Boolean()
    negotiation = fields.Nested("ResultNegotiationOut", allow_none=True)


class ResultNegotiationIn(Schema):
    price = fields.Decimal(
        required=True, as_string=True, places=2, metadata={"description": "yuan, e.g. 1180000.00"}
    )
    minutes = fields.String(required=True, metadata={"description": "谈判纪要"})


class ResultNegotiationOut(Schema):
    """单一来源: the negotiated price with the one supplier and the minutes."""

    id = fields.Integer()
    supplier_name = fields.String()
    quoted_price = fields.Decimal(as_string=True, places=2, allow_none=True)
    price = fields.Decimal(as_string=True, places=2)
    minutes = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class ResultAnnouncementRef(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    published_at = fields.DateTime()


class ResultNoticeExportOut(Schema):
    body = fields.Dict()
    signature = fields.String()
    alg = fields.String()
    public_key = fields.Dict()
    signed_bytes = fields.String()


class ResultContractOut(Schema):
    id = fields.Integer()
    amends_id = fields.Integer(allow_none=True)
    number = fields.String()
    price = fields.String()
    signed_on = fields.Date()
    reason = fields.String()
    sha256 = fields.String()
    announcement_id = fields.Integer(allow_none=True)
