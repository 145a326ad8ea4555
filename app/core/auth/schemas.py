from marshmallow import Schema, fields, validate


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=200), load_only=True
    )
    totp = fields.String(load_default="", validate=validate.Length(max=10))
    name = fields.String(load_default="api", validate=validate.Length(max=80))


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(allow_none=True)


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(attribute="kind.value")
    credit_code = fields.String(allow_none=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(attribute="role.value")
    organisation = fields.Nested(OrganisationOut, allow_none=True)
    centre_id = fields.Integer(allow_none=True)
    totp_enabled = fields.Boolean()


class SupplierRegistration(Schema):
    company_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    username = fields.String(required=True, validate=validate.Length(min=3, max=60))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=10, max=200)
    )
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    email = fields.Email(required=True)
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    centre_id = fields.Integer(load_default=None, allow_none=True)
