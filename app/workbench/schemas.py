"""JSON shapes of the workbench API."""

from __future__ import annotations

from marshmallow import Schema, fields


class TodoItemOut(Schema):
    kind = fields.String(metadata={"description": "the provider's kind; items group by it"})
    title = fields.String()
    detail = fields.String()
    url = fields.String(metadata={"description": "the page where the user does it"})
    due_at = fields.AwareDateTime(allow_none=True)
    due_label = fields.String(metadata={"description": "what due_at is; a deadline when empty"})
    urgency = fields.String(metadata={"description": "overdue | today | soon | later"})
    urgency_label = fields.String()


class TodoGroupOut(Schema):
    kind = fields.String()
    label = fields.String()
    count = fields.Integer()
    items = fields.List(fields.Nested(TodoItemOut))


class WorkbenchOut(Schema):
    count = fields.Integer()
    urgent = fields.Integer(metadata={"description": "items overdue or due within 24 hours"})
    groups = fields.List(fields.Nested(TodoGroupOut))
