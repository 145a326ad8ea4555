"""Shapes of the tender-document API: what it reads and what it answers."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.core import clock


class DocumentOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    version = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()
    announcement_id = fields.Integer(allow_none=True)
    note = fields.String()


class DocumentForm(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class DocFileForm(Schema):
    # Not required here so that a missing file gets the service's own message.
    file = Upload(load_default=None)


class DownloaderOut(Schema):
    supplier_id = fields.Integer()
    supplier_name = fields.String(attribute="supplier.name")
    credit_code = fields.String(attribute="supplier.credit_code", allow_none=True)
    user_id = fields.Integer()
    user_name = fields.String(attribute="user.display_name")
    version = fields.Integer(attribute="document.version")
    at = fields.DateTime()
    ip = fields.String()
    user_agent = fields.String()


class ClarificationForm(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    new_deadline = fields.AwareDateTime(
        load_default=None, allow_none=True, default_timezone=clock.CST
    )


class ClarificationOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    title = fields.String()
    body = fields.String()
    fields_ = fields.Dict(attribute="fields", data_key="fields")
    published_at = fields.DateTime()


class ClarificationPlanOut(Schema):
    deadline = fields.DateTime(allow_none=True)
    must_move = fields.Boolean()
    minimum_deadline = fields.DateTime(attribute="minimum", allow_none=True)
    proposed_deadline = fields.DateTime(attribute="proposed", allow_none=True)


class DocTextIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class DocAnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class QuestionOut(Schema):
    """Deliberately without any field naming the asker."""

    id = fields.Integer()
    lot_id = fields.Integer()
    text = fields.String()
    answer = fields.String()
    asked_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    published = fields.Boolean()


class ObjectionOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    text = fields.String()
    filed_at = fields.DateTime()
    answer_due_at = fields.DateTime()
    answer = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    status = fields.String()
    overdue = fields.Boolean()
    supplier_name = fields.String(allow_none=True)


class SupplierLotOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    project_name = fields.String(attribute="project.name")
    status = fields.String(attribute="status.value")
    bid_deadline = fields.DateTime(allow_none=True)
