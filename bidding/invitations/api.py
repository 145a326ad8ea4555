"""JSON API of invitations (邀请招标): recommend, draw, and the (secret) invitee list."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.extensions import db
from bidding.invitations import invitations, policies
from bidding.invitations.schemas import DrawIn, InviteeOut, InviteesOut, RecommendIn
from bidding.projects import get_lot

blp = Blueprint(
    "invitations_api",
    __name__,
    url_prefix="/api/v1",
    description="Invited suppliers of a lot (邀请招标): recommendation, random draw, letters",
)


@blp.route("/lots/<int:lot_id>/invitees")
class InviteesResource(MethodView):
    decorators = [login_required]

    @blp.response(200, InviteesOut)
    def get(self, lot_id: int) -> Any:
        """How many suppliers are invited; who, for supervisors, and for the agency and
        overseers once the deadline has passed."""
        lot = get_lot(lot_id)
        policies.ensure_can_count_invitees(current_user, lot)
        rows = invitations.invitees(lot)
        visible = policies.can_see_invitees(current_user, lot)
        return {"count": len(rows), "visible": visible, "items": rows if visible else []}

    @blp.arguments(RecommendIn)
    @blp.response(201, InviteeOut(many=True))
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Invite suppliers by written recommendation (a reason each); letters are sent."""
        lot = get_lot(lot_id)
        rows = invitations.recommend(current_user, lot, data["picks"], data["short_reason"])
        db.session.commit()
        return rows


@blp.route("/lots/<int:lot_id>/invitee-draw")
class InviteeDrawResource(MethodView):
    decorators = [login_required]

    @blp.arguments(DrawIn)
    @blp.response(201, InviteesOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Draw suppliers at random from the centre's supplier library (verifiable: the
        audit entry holds the seed, its commitment, the public value and the pool). The
        names stay secret to the agency until the deadline."""
        lot = get_lot(lot_id)
        rows = invitations.draw_invitees(current_user, lot, data["count"], data["short_reason"])
        db.session.commit()
        visible = policies.can_see_invitees(current_user, lot)
        return {"count": len(rows), "visible": visible, "items": rows if visible else []}
