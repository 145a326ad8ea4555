"""Input and output of the admin JSON API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.auth.models import OrgKind, Role

ROLES = [r.value for r in Role]
KINDS = [k.value for k in OrgKind]


class CentreIn(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{6}$", error="应为 6 位行政区划代码")
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    name_en = fields.String(load_default="", validate=validate.Length(max=160))
    region = fields.String(required=True, validate=validate.Length(min=1, max=60))


class CentreUpdate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    name_en = fields.String(load_default="", validate=validate.Length(max=160))
    region = fields.String(required=True, validate=validate.Length(min=1, max=60))


class CentreSettingsIn(Schema):
    two_factor_roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        load_default=None,
        allow_none=True,
        metadata={"description": "Roles that must use TOTP; null = platform default"},
    )
    clocks = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(allow_none=True),
        load_default=dict,
        metadata={"description": "clarification_min_days, document_window_min_working_days, …"},
    )
    bid_period_min_days_by_method = fields.Dict(
        keys=fields.String(), values=fields.Integer(allow_none=True), load_default=dict
    )


class CentreOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    region = fields.String()
    settings = fields.Dict()
    created_at = fields.DateTime()


class HolidayIn(Schema):
    day = fields.Date(required=True)
    is_workday = fields.Boolean(
        load_default=False, metadata={"description": "true = make-up workday (调休)"}
    )
    name = fields.String(load_default="", validate=validate.Length(max=60))


class HolidayOut(Schema):
    id = fields.Integer()
    centre_id = fields.Integer()
    day = fields.Date()
    is_workday = fields.Boolean()
    name = fields.String()


class HolidayQuery(Schema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class OrganisationIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    centre_id = fields.Integer(load_default=None, allow_none=True)
    region = fields.String(load_default="", validate=validate.Length(max=60))
    contact_name = fields.String(load_default="", validate=validate.Length(max=60))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=40))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    legal_rep = fields.String(load_default="", validate=validate.Length(max=60))


class AdminOrganisationOut(Schema):
    id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    name = fields.String()
    credit_code = fields.String(allow_none=True)
    centre_id = fields.Integer(allow_none=True)
    region = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    blacklisted_until = fields.DateTime(allow_none=True)
    blacklist_reason = fields.String()


class OrganisationQuery(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    q = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class BlacklistIn(Schema):
    until = fields.Date(required=True, metadata={"description": "Last day of the ban (China time)"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=1000))


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=60))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    email = fields.Email(load_default="")
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    organisation_id = fields.Integer(load_default=None, allow_none=True)
    centre_id = fields.Integer(load_default=None, allow_none=True)


class AdminUserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(attribute="role.value")
    email = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    centre_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    totp_enabled = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)


class AdminUserCreated(AdminUserOut):
    initial_password = fields.String(metadata={"description": "Shown once"})


class UserQuery(Schema):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    q = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class RoleIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class PasswordOut(Schema):
    user_id = fields.Integer()
    temporary_password = fields.String()
