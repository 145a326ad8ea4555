"""JSON API: tokens, the current user, supplier registration."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth import services
from app.core.auth.models import Centre
from app.core.auth.schemas import SupplierRegistration, TokenRequest, TokenResponse, UserOut
from app.core.errors import DomainError
from app.core.extensions import db, limiter

blp = Blueprint(
    "auth_api", __name__, url_prefix="/api/v1/auth", description="Authentication and accounts"
)


class TwoFactorNeeded(DomainError):
    status = 401
    code = "totp_required"


@blp.route("/token")
class TokenResource(MethodView):
    decorators = [limiter.limit(lambda: __import__("flask").current_app.config["LOGIN_RATE_LIMIT"])]

    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    def post(self, data: dict[str, Any]) -> Any:
        """Exchange username, password (and TOTP code when enrolled) for a bearer token."""
        try:
            user = services.check_password(data["username"], data["password"])
        except DomainError:
            db.session.commit()
            raise
        if user.totp_enabled and not services.verify_totp(user, data["totp"]):
            raise TwoFactorNeeded(_("需要正确的动态验证码（totp）。"), field="totp")
        if not user.totp_enabled and services.two_factor_required(user):
            raise TwoFactorNeeded(_("该角色必须先在网页上启用两步验证。"), field="totp")
        services.complete_login(user)
        token, raw = services.issue_token(user, data["name"])
        db.session.commit()
        return {"token": raw, "expires_at": token.expires_at}


@blp.route("/me")
class MeResource(MethodView):
    @login_required
    @blp.response(200, UserOut)
    def get(self) -> Any:
        """The authenticated user."""
        return current_user


@blp.route("/register")
class RegisterResource(MethodView):
    decorators = [limiter.limit("20 per hour")]

    @blp.arguments(SupplierRegistration)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a supplier company and its first user."""
        centre = db.session.get(Centre, data["centre_id"]) if data.get("centre_id") else None
        user = services.register_supplier(
            company_name=data["company_name"],
            credit=data["credit_code"],
            username=data["username"],
            password=data["password"],
            contact_name=data["contact_name"],
            email=data["email"],
            phone=data["phone"],
            centre=centre,
        )
        db.session.commit()
        return user
