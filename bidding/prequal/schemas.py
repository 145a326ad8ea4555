"""Input and output schemas of the prequalification API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from bidding.documents.schemas import DocFileForm
from bidding.prequal.models import MemberKind, Outcome, PrequalStatus, ReviewMethod

_TIME = {"description": "ISO 8601; without an offset it is read as China Standard Time"}


class PrequalForm(Schema):
    """The notice's fields (multipart form, with the documents as `file`)."""

    requirements = fields.String(required=True, validate=validate.Length(max=20_000))
    consortium_allowed = fields.Boolean(load_default=False)
    review_method = fields.Enum(ReviewMethod, by_value=True, load_default=ReviewMethod.PASS_FAIL)
    max_passed = fields.Integer(load_default=None, allow_none=True)
    document_price = fields.Decimal(load_default=None, allow_none=True, as_string=True)
    offer_start_at = fields.DateTime(required=True, metadata=_TIME)
    offer_end_at = fields.DateTime(required=True, metadata=_TIME)
    application_deadline = fields.DateTime(required=True, metadata=_TIME)
    submission_place = fields.String(load_default="", validate=validate.Length(max=200))


class FileForm(DocFileForm):
    pass


class PrequalCorrectionForm(Schema):
    """A correction (multipart form; new documents, if any, as `file`). A time left out
    stays as it is; both clocks run again from the correction."""

    content = fields.String(required=True, validate=validate.Length(max=20_000))
    offer_end_at = fields.DateTime(load_default=None, allow_none=True, metadata=_TIME)
    application_deadline = fields.DateTime(load_default=None, allow_none=True, metadata=_TIME)


class PrequalWithdrawalIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class PrequalOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    announcement_id = fields.Integer(allow_none=True)
    status = fields.Enum(PrequalStatus, by_value=True)
    requirements = fields.String()
    consortium_allowed = fields.Boolean()
    review_method = fields.Enum(ReviewMethod, by_value=True)
    max_passed = fields.Integer(allow_none=True)
    document_price = fields.Decimal(as_string=True)
    offer_start_at = fields.DateTime()
    offer_end_at = fields.DateTime()
    application_deadline = fields.DateTime()
    submission_place = fields.String()
    document_name = fields.String()
    document_sha256 = fields.String()
    committee_draw_id = fields.Integer(allow_none=True)
    concluded_at = fields.DateTime(allow_none=True)


class PrequalReceiptOut(Schema):
    receipt = fields.Dict()
    signature = fields.String()
    key_id = fields.String()
    alg = fields.String()


class ApplicationOut(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.String(attribute="supplier.name")
    file_name = fields.String()
    file_sha256 = fields.String()
    size = fields.Integer()
    submitted_at = fields.DateTime()
    outcome = fields.Enum(Outcome, by_value=True)
    reasons = fields.String()
    notice_sha256 = fields.String(allow_none=True)
    receipt = fields.Nested(PrequalReceiptOut)


class ApplicantsOut(Schema):
    count = fields.Integer()
    visible = fields.Boolean(metadata={"description": "false: secret until the deadline"})
    items = fields.List(fields.Nested(ApplicationOut))


class PrequalVerdictIn(Schema):
    passed = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class PrequalVerdictOut(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    member_id = fields.Integer()
    passed = fields.Boolean()
    reason = fields.String()
    at = fields.DateTime()


class PrequalMemberOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    kind = fields.Enum(MemberKind, by_value=True)


class InvitePrequalifiedIn(Schema):
    supplier_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    short_reason = fields.String(load_default="", validate=validate.Length(max=2000))
