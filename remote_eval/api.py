"""JSON API of the lot's scoring scheme (/api/v1/lots/<id>/scoring-scheme).

A refused call (not the lot's agency, a frozen scheme, a stale version, a scheme that
breaks a rule, input the schema refuses) is rolled back, answered in the caller's language
and audited once as `eval.refused` naming the lot, as every evaluation API does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Forbidden, NotFound
from bidding.models import Lot
from bidding.projects import get_lot
from remote_eval import policies, refusals, schemes
from remote_eval.schemas import AmendmentIn, SchemeIn, SchemeOut, WithdrawIn

blp = Blueprint(
    "scheme_api",
    __name__,
    url_prefix="/api/v1",
    description="The scoring scheme (评分办法) of a lot",
)
blp.after_request(refusals.audit_other_refusals)


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


def _lot(lot_id: int) -> Lot:
    # An id past the column's range names no lot (PostgreSQL would refuse the query).
    if lot_id > refusals.MAX_ID:
        raise NotFound(_l("标段不存在。"))
    return get_lot(lot_id)


def _edit(command: str, lot_id: int, change: Callable[[Lot], object]) -> dict[str, Any]:
    """One change of the scheme by the lot's agency staff: committed, or refused and audited."""

    def edit() -> Lot:
        lot = _lot(lot_id)
        policies.ensure_can_edit_scheme(current_user, lot)
        change(lot)
        return lot

    return _out(refusals.run(command, None, edit, lot_id=lot_id), full=True)


@blp.route("/lots/<int:lot_id>/scoring-scheme")
class SchemeResource(MethodView):
    decorators = [login_required]

    @blp.response(200, SchemeOut)
    def get(self, lot_id: int) -> Any:
        """The lot's scheme: staff and supervisors always; anyone once the notice froze it."""

        def read() -> dict[str, Any]:
            lot = _lot(lot_id)
            if policies.can_read_scheme(current_user, lot):
                return _out(lot, full=True)
            if schemes.published_scheme(lot) is None:
                raise Forbidden(policies.NO_READ)
            return _out(lot, full=False)

        return refusals.run("scheme_read", None, read, commit=False, lot_id=lot_id)

    @blp.arguments(SchemeIn)
    @blp.response(200, SchemeOut)
    @blp.alt_response(409, description="stale version, or the scheme is frozen")
    @blp.alt_response(422, description="the scheme breaks a rule; message lists every problem")
    def put(self, data: dict[str, Any], lot_id: int) -> Any:
        """Save the scheme of a draft lot (the lot's agency staff)."""
        return _edit(
            "scheme_save",
            lot_id,
            lambda lot: schemes.save_scheme(lot, current_user, data["scheme"], data["version"]),
        )


@blp.route("/lots/<int:lot_id>/scoring-scheme/amendment")
class AmendmentResource(MethodView):
    decorators = [login_required]

    @blp.arguments(AmendmentIn)
    @blp.response(200, SchemeOut)
    @blp.alt_response(409, description="not frozen yet, lot not open, or stale version")
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Propose a change of the frozen scheme; the lot's next clarification publishes it."""
        return _edit(
            "scheme_amend",
            lot_id,
            lambda lot: schemes.propose_amendment(
                lot, current_user, data["scheme"], data.get("version")
            ),
        )

    @blp.arguments(WithdrawIn)
    @blp.response(200, SchemeOut)
    def delete(self, data: dict[str, Any], lot_id: int) -> Any:
        """Withdraw the pending amendment."""
        return _edit(
            "scheme_withdraw",
            lot_id,
            lambda lot: schemes.withdraw_amendment(lot, current_user, data.get("version")),
        )
