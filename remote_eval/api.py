"""JSON API of the lot's scoring scheme (/api/v1/lots/<id>/scoring-scheme)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Forbidden
from app.core.extensions import db
from bidding.models import Lot
from bidding.projects import get_lot
from remote_eval import policies, schemes
from remote_eval.schemas import AmendmentIn, SchemeIn, SchemeOut, WithdrawIn

blp = Blueprint(
    "scheme_api",
    __name__,
    url_prefix="/api/v1",
    description="The scoring scheme (评分办法) of a lot",
)


def _out(lot: Lot, *, full: bool) -> dict[str, Any]:
    row = schemes.scheme_of(lot)
    published = row is not None and row.frozen_at is not None
    return {
        "lot_id": lot.id,
        "method": schemes.lot_method(lot) if row is None else row.method,
        "version": schemes.current_version(lot),
        "saved": row is not None,
        "frozen_at": row.frozen_at if row is not None else None,
        "scheme": schemes.working_data(lot),
        # A proposed amendment is the agency's draft until a clarification publishes it.
        "pending": row.pending_data if full and row is not None else None,
        "pending_changes": schemes.pending_changes(lot) if full else [],
        "published_versions": list(row.versions) if published and row is not None else [],
    }


@blp.route("/lots/<int:lot_id>/scoring-scheme")
class SchemeResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SchemeOut)
    def get(self, lot_id: int) -> Any:
        """The lot's scheme: staff and supervisors always; anyone once the notice froze it."""
        lot = get_lot(lot_id)
        if policies.can_read_scheme(current_user, lot):
            return _out(lot, full=True)
        if schemes.published_scheme(lot) is None:
            raise Forbidden(policies.NO_READ)
        return _out(lot, full=False)

    @blp.arguments(SchemeIn)
    @blp.response(200, SchemeOut)
    @blp.alt_response(409, description="stale version, or the scheme is frozen")
    @blp.alt_response(422, description="the scheme breaks a rule; message lists every problem")
    def put(self, data: dict[str, Any], lot_id: int) -> Any:
        """Save the scheme of a draft lot (the lot's agency staff)."""
        lot = get_lot(lot_id)
        policies.ensure_can_edit_scheme(current_user, lot)
        schemes.save_scheme(lot, current_user, data["scheme"], data["version"])
        db.session.commit()
        return _out(lot, full=True)


@blp.route("/lots/<int:lot_id>/scoring-scheme/amendment")
class AmendmentResource(MethodView):
    decorators = [login_required]

    @blp.arguments(AmendmentIn)
    @blp.response(200, SchemeOut)
    @blp.alt_response(409, description="not frozen yet, lot not open, or stale version")
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Propose a change of the frozen scheme; the lot's next clarification publishes it."""
        lot = get_lot(lot_id)
        policies.ensure_can_edit_scheme(current_user, lot)
        schemes.propose_amendment(lot, current_user, data["scheme"], data.get("version"))
        db.session.commit()
        return _out(lot, full=True)

    @blp.arguments(WithdrawIn)
    @blp.response(200, SchemeOut)
    def delete(self, data: dict[str, Any], lot_id: int) -> Any:
        """Withdraw the pending amendment."""
        lot = get_lot(lot_id)
        policies.ensure_can_edit_scheme(current_user, lot)
        schemes.withdraw_amendment(lot, current_user, data.get("version"))
        db.session.commit()
        return _out(lot, full=True)
