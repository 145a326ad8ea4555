"""Admin JSON API under /api/v1/admin (role admin)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app.admin import queries, services
from app.admin.schemas import (
    AdminOrganisationOut,
    AdminUserCreated,
    AdminUserOut,
    BlacklistIn,
    CentreIn,
    CentreOut,
    CentreSettingsIn,
    CentreUpdate,
    HolidayIn,
    HolidayOut,
    HolidayQuery,
    OrganisationIn,
    OrganisationQuery,
    PasswordOut,
    RoleIn,
    UserIn,
    UserQuery,
)
from app.core.auth.models import Centre, Holiday, Organisation, User
from app.core.auth.policies import require_role
from app.core.extensions import db

blp = Blueprint(
    "admin_api", __name__, url_prefix="/api/v1/admin", description="Platform administration"
)

ADMIN = [require_role("admin")]


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _centre(centre_id: int | None) -> Centre | None:
    if centre_id is None:
        return None
    return services.get_or_404(Centre, centre_id, _l("交易中心"))


def _org(org_id: int | None) -> Organisation | None:
    if org_id is None:
        return None
    return services.get_or_404(Organisation, org_id, _l("单位"))


@blp.route("/centres")
class CentresResource(MethodView):
    decorators = ADMIN

    @blp.response(200, CentreOut(many=True))
    def get(self) -> Any:
        """List trading centres."""
        return queries.centres()

    @blp.arguments(CentreIn)
    @blp.response(201, CentreOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a trading centre."""
        centre = services.create_centre(_me(), **data)
        db.session.commit()
        return centre


@blp.route("/centres/<int:centre_id>")
class CentreResource(MethodView):
    decorators = ADMIN

    @blp.response(200, CentreOut)
    def get(self, centre_id: int) -> Any:
        """One trading centre with its settings."""
        return _centre(centre_id)

    @blp.arguments(CentreUpdate)
    @blp.response(200, CentreOut)
    def patch(self, data: dict[str, Any], centre_id: int) -> Any:
        """Rename a centre or change its region."""
        centre = services.update_centre(_me(), _centre(centre_id), **data)
        db.session.commit()
        return centre


@blp.route("/centres/<int:centre_id>/settings")
class CentreSettingsResource(MethodView):
    decorators = ADMIN

    @blp.arguments(CentreSettingsIn)
    @blp.response(200, CentreOut)
    def put(self, data: dict[str, Any], centre_id: int) -> Any:
        """Set the roles that must use two-factor login and the centre's legal-clock overrides."""
        centre = services.update_centre_settings(_me(), _centre(centre_id), **data)
        db.session.commit()
        return centre


@blp.route("/centres/<int:centre_id>/holidays")
class HolidaysResource(MethodView):
    decorators = ADMIN

    @blp.arguments(HolidayQuery, location="query")
    @blp.response(200, HolidayOut(many=True))
    def get(self, args: dict[str, Any], centre_id: int) -> Any:
        """The centre's holidays and make-up workdays (调休), optionally for one year."""
        return queries.holidays(_centre(centre_id), args.get("year"))

    @blp.arguments(HolidayIn)
    @blp.response(201, HolidayOut)
    def post(self, data: dict[str, Any], centre_id: int) -> Any:
        """Add a holiday (weekday off) or a make-up workday (weekend on)."""
        holiday = services.add_holiday(_me(), _centre(centre_id), **data)
        db.session.commit()
        return holiday


@blp.route("/holidays/<int:holiday_id>")
class HolidayResource(MethodView):
    decorators = ADMIN

    @blp.response(204)
    def delete(self, holiday_id: int) -> Any:
        """Remove a day from the centre's calendar."""
        services.remove_holiday(_me(), services.get_or_404(Holiday, holiday_id, _l("日历条目")))
        db.session.commit()


@blp.route("/organisations")
class OrganisationsResource(MethodView):
    decorators = ADMIN

    @blp.arguments(OrganisationQuery, location="query")
    @blp.response(200, AdminOrganisationOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List organisations, newest first (50 per page)."""
        rows, _total = queries.organisations(args["kind"], args["q"], args["page"])
        return rows

    @blp.arguments(OrganisationIn)
    @blp.response(201, AdminOrganisationOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an agency, purchaser, authority, centre or supplier organisation."""
        centre = _centre(data.pop("centre_id"))
        credit = data.pop("credit_code")
        org = services.create_organisation(_me(), credit=credit, centre=centre, **data)
        db.session.commit()
        return org


@blp.route("/organisations/<int:org_id>/blacklist")
class BlacklistResource(MethodView):
    decorators = ADMIN

    @blp.arguments(BlacklistIn)
    @blp.response(200, AdminOrganisationOut)
    def put(self, data: dict[str, Any], org_id: int) -> Any:
        """Put a supplier on the blacklist (失信名单) until a date, with a reason."""
        org = services.blacklist(_me(), _org(org_id), **data)
        db.session.commit()
        return org

    @blp.response(200, AdminOrganisationOut)
    def delete(self, org_id: int) -> Any:
        """Take a supplier off the blacklist."""
        org = services.lift_blacklist(_me(), _org(org_id))
        db.session.commit()
        return org


@blp.route("/users")
class UsersResource(MethodView):
    decorators = ADMIN

    @blp.arguments(UserQuery, location="query")
    @blp.response(200, AdminUserOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List users, newest first (50 per page)."""
        rows, _total = queries.users(args["role"], args["q"], args["page"])
        return rows

    @blp.arguments(UserIn)
    @blp.response(201, AdminUserCreated)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a user with a role; the answer carries the initial password once."""
        org = _org(data.pop("organisation_id"))
        centre = _centre(data.pop("centre_id"))
        user, initial = services.create_user(_me(), organisation=org, centre=centre, **data)
        db.session.commit()
        body = AdminUserOut().dump(user)
        body["initial_password"] = initial
        return body


def _user(user_id: int) -> User:
    return services.get_or_404(User, user_id, _l("用户"))


@blp.route("/users/<int:user_id>/deactivate")
class DeactivateResource(MethodView):
    decorators = ADMIN

    @blp.response(200, AdminUserOut)
    def post(self, user_id: int) -> Any:
        """Deactivate an account (its sessions and tokens stop working)."""
        user = services.set_active(_me(), _user(user_id), False)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/activate")
class ActivateResource(MethodView):
    decorators = ADMIN

    @blp.response(200, AdminUserOut)
    def post(self, user_id: int) -> Any:
        """Reactivate an account."""
        user = services.set_active(_me(), _user(user_id), True)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/reset-password")
class ResetPasswordResource(MethodView):
    decorators = ADMIN

    @blp.response(200, PasswordOut)
    def post(self, user_id: int) -> Any:
        """Give the user a temporary password and end their sessions."""
        password = services.reset_password(_me(), _user(user_id))
        db.session.commit()
        return {"user_id": user_id, "temporary_password": password}


@blp.route("/users/<int:user_id>/logout")
class ForceLogoutResource(MethodView):
    decorators = ADMIN

    @blp.response(200, AdminUserOut)
    def post(self, user_id: int) -> Any:
        """End every browser session of the user."""
        user = services.force_logout(_me(), _user(user_id))
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/role")
class RoleResource(MethodView):
    decorators = ADMIN

    @blp.arguments(RoleIn)
    @blp.response(200, AdminUserOut)
    def put(self, data: dict[str, Any], user_id: int) -> Any:
        """Change the user's role (their sessions end)."""
        user = services.change_role(_me(), _user(user_id), data["role"])
        db.session.commit()
        return user
