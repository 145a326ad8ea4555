"""Seat a prequalification's review committee from a finished expert draw: the agency's
form (on the prequalification page) and the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from app.core.extensions import db
from app.core.http import load_or_404
from bidding.prequal.models import Prequalification
from bidding.prequal.schemas import PrequalMemberOut
from bidding.prequal.views import attempt
from experts.models import Draw
from experts.prequal_committee import form_committee

bp = Blueprint("expert_prequal", __name__)
blp = ApiBlueprint(
    "expert_prequal_api",
    __name__,
    url_prefix="/api/v1",
    description="The prequalification review committee, seated from an expert draw",
)


class PrequalSeatIn(Schema):
    draw_id = fields.Integer(required=True)
    representative_ids = fields.List(fields.Integer(), load_default=list)


@bp.route("/prequal/<int:prequal_id>/committee", methods=["POST"])
@login_required
def seat(prequal_id: int) -> Any:
    item = load_or_404(Prequalification, prequal_id)
    draw = load_or_404(Draw, request.form.get("draw_id", type=int) or 0)
    reps = [int(i) for i in request.form.getlist("representative_id") if i.isdigit()]
    attempt(
        lambda: form_committee(current_user, item, draw, reps),
        _("资格审查委员会已组建，成员已收到审查通知。"),
    )
    return redirect(url_for("prequal.manage", lot_id=item.lot_id))


@blp.route("/prequalifications/<int:prequal_id>/committee")
class CommitteeResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PrequalSeatIn)
    @blp.response(201, PrequalMemberOut(many=True))
    def post(self, data: dict[str, Any], prequal_id: int) -> Any:
        """Seat the committee: the draw's confirmed experts and the purchaser's named
        representatives (as many as the draw reserved)."""
        item = load_or_404(Prequalification, prequal_id)
        draw = load_or_404(Draw, data["draw_id"])
        form_committee(current_user, item, draw, data["representative_ids"])
        db.session.commit()
        return item.members
