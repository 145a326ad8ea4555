"""JSON API of service ratings: rate a lot, answer and close follow-ups."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.extensions import db
from app.core.http import load_or_404
from bidding.models import Lot

from . import policies, queries, service
from .models import RatingFollowUp
from .schemas import (
    FollowUpAnswerIn,
    FollowUpCloseIn,
    FollowUpOut,
    RateIn,
    RatingOut,
    ToRateOut,
)

blp = Blueprint(
    "ratings_api", __name__, url_prefix="/api/v1/ratings", description="Service ratings (好差评)"
)


@blp.route("/to-rate")
class ToRateResource(MethodView):
    @login_required
    @blp.response(200, ToRateOut(many=True))
    def get(self) -> Any:
        """Awarded lots the caller's organisation bid on and has not yet rated."""
        return queries.lots_to_rate(current_user)


@blp.route("/lots/<int:lot_id>")
class RateResource(MethodView):
    @login_required
    @blp.arguments(RateIn)
    @blp.response(201, RatingOut(many=True))
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Rate the centre's and the agency's service on one lot (once, within 5 working days)."""
        lot = load_or_404(Lot, lot_id)
        rows = service.rate(current_user, lot, data)
        db.session.commit()
        return rows


@blp.route("/follow-ups")
class FollowUpsResource(MethodView):
    @login_required
    @blp.response(200, FollowUpOut(many=True))
    def get(self) -> Any:
        """Follow-ups of bad ratings the caller answers or closes."""
        return queries.follow_ups_for(current_user)


@blp.route("/follow-ups/<int:follow_up_id>")
class FollowUpResource(MethodView):
    @login_required
    @blp.response(200, FollowUpOut)
    def get(self, follow_up_id: int) -> Any:
        follow_up = load_or_404(RatingFollowUp, follow_up_id)
        policies.ensure_can_view_follow_up(current_user, follow_up)
        return follow_up


@blp.route("/follow-ups/<int:follow_up_id>/answer")
class FollowUpAnswerResource(MethodView):
    @login_required
    @blp.arguments(FollowUpAnswerIn)
    @blp.response(200, FollowUpOut)
    def post(self, data: dict[str, Any], follow_up_id: int) -> Any:
        """The rated party says what it corrected (整改)."""
        follow_up = load_or_404(RatingFollowUp, follow_up_id)
        service.answer_follow_up(current_user, follow_up, data["answer"])
        db.session.commit()
        return follow_up


@blp.route("/follow-ups/<int:follow_up_id>/close")
class FollowUpCloseResource(MethodView):
    @login_required
    @blp.arguments(FollowUpCloseIn)
    @blp.response(200, FollowUpOut)
    def post(self, data: dict[str, Any], follow_up_id: int) -> Any:
        """The centre's supervisor closes an answered follow-up."""
        follow_up = load_or_404(RatingFollowUp, follow_up_id)
        service.close_follow_up(current_user, follow_up, data["note"])
        db.session.commit()
        return follow_up
