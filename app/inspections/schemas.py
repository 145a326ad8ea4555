"""JSON shapes of random inspections."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.inspections.models import Outcome

ID = validate.Range(min=1, max=2**31 - 1)


class InspectionItemIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    basis = fields.String(load_default="", validate=validate.Length(max=2000))


class InspectionItemOut(Schema):
    id = fields.Integer()
    name = fields.String()
    basis = fields.String()
    active = fields.Boolean()


class InspectionTargetIn(Schema):
    organisation_id = fields.Integer(required=True, validate=ID)


class InspectionEmployerIn(Schema):
    credit_code = fields.String(required=True, validate=validate.Length(min=18, max=18))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)


class InspectionInspectorIn(Schema):
    user_id = fields.Integer(required=True, validate=ID)
    employers = fields.List(
        fields.Nested(InspectionEmployerIn), load_default=list, validate=validate.Length(max=20)
    )


class InspectionEmployerOut(Schema):
    credit_code = fields.String()
    name = fields.String()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)


class InspectionRosterOut(Schema):
    id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    name = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    employers = fields.List(fields.Nested(InspectionEmployerOut))


class InspectionCampaignIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    item_ids = fields.List(
        fields.Integer(validate=ID), required=True, validate=validate.Length(min=1, max=200)
    )
    target_count = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    inspector_count = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    team_size = fields.Integer(load_default=2, validate=validate.Range(min=1, max=100))


class InspectionTeamOut(Schema):
    target_id = fields.Integer()
    inspector_ids = fields.List(fields.Integer())


class InspectionCampaignOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    title = fields.String()
    status = fields.String(attribute="status.value")
    item_ids = fields.List(fields.Integer())
    target_count = fields.Integer()
    inspector_count = fields.Integer()
    team_size = fields.Integer()
    teams = fields.List(fields.Nested(InspectionTeamOut), allow_none=True)
    public_value = fields.String(allow_none=True)
    seed = fields.String(attribute="seed_revealed", allow_none=True)
    drawn_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class InspectionResultIn(Schema):
    target_id = fields.Integer(required=True, validate=ID)
    item_id = fields.Integer(required=True, validate=ID)
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    finding = fields.String(load_default="", validate=validate.Length(max=4000))


class InspectionResultOut(Schema):
    target_id = fields.Integer()
    item_id = fields.Integer()
    outcome = fields.String(attribute="outcome.value")
    finding = fields.String()
    entered_at = fields.DateTime()


class InspectionPublicResultOut(Schema):
    target_name = fields.String()
    credit_code = fields.String(allow_none=True)
    item = fields.String()
    outcome = fields.String()
    outcome_label = fields.String()
    finding = fields.String()


class InspectionPublishedCampaignOut(InspectionCampaignOut):
    results = fields.List(fields.Nested(InspectionPublicResultOut))


class InspectionVerifyOut(Schema):
    match = fields.Boolean()
    checks = fields.List(fields.Dict())
