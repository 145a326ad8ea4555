"""JSON API of supervision: collusion signals read by the centre's supervisors."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import Role
from app.core.auth.policies import ensure_role
from app.supervision.queries import shared_payers
from app.supervision.schemas import SharedPayerOut

blp = Blueprint(
    "supervision_api", __name__, url_prefix="/api/v1/supervision", description="Supervision"
)


@blp.route("/shared-payers")
class SharedPayersResource(MethodView):
    @login_required
    @blp.response(200, SharedPayerOut(many=True))
    def get(self) -> Any:
        """Bond payments from one account for several bidders of one lot (supervisors only)."""
        ensure_role(current_user, Role.SUPERVISOR)
        return shared_payers(current_user.centre_id)
