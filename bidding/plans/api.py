"""JSON API of procurement plan lines (/api/v1/plan-lines)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.core.extensions import db
from bidding.plans import plans, policies
from bidding.plans.schemas import (
    PlanApprovalIn,
    PlanLineIn,
    PlanLineOut,
    PlanLinePatch,
    PlanPage,
    PlanQuery,
    PlanReturnIn,
)

blp = Blueprint(
    "plans_api",
    __name__,
    url_prefix="/api/v1",
    description="Procurement plan lines (采购计划备案): filing, review and what projects drew",
)


def _line_for_view(line_id: int) -> Any:
    line = plans.get_line(line_id)
    policies.ensure_can_view_line(current_user, line)
    return line


@blp.route("/plan-lines")
class PlanLinesResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanQuery, location="query")
    @blp.response(200, PlanPage)
    def get(self, query: dict[str, Any]) -> Any:
        """Plan lines the caller may see (a purchaser its own; supervisors the centre's;
        agency staff the centre's approved ones), with the totals of the listing."""
        stmt = plans.lines_visible_to(current_user, query["status"])
        total = db.session.execute(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        ).scalar_one()
        page, per_page = query["page"], query["per_page"]
        items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars()
        return {
            "items": list(items),
            "total": total,
            "page": page,
            "per_page": per_page,
            "totals": plans.totals(stmt),
        }

    @blp.arguments(PlanLineIn)
    @blp.response(201, PlanLineOut)
    def post(self, data: dict[str, Any]) -> Any:
        """File a plan line with the finance office (purchaser staff only)."""
        line = plans.file_line(current_user, data)
        db.session.commit()
        return line


@blp.route("/plan-lines/<int:line_id>")
class PlanLineResource(MethodView):
    decorators = [login_required]

    @blp.response(200, PlanLineOut)
    def get(self, line_id: int) -> Any:
        """One plan line with what projects have drawn and what is left."""
        return _line_for_view(line_id)

    @blp.arguments(PlanLinePatch)
    @blp.response(200, PlanLineOut)
    def patch(self, data: dict[str, Any], line_id: int) -> Any:
        """Correct a returned line and file it again; send the version you read."""
        line = plans.get_line(line_id)
        policies.ensure_is_own_line(current_user, line)
        version = data.pop("version")
        plans.resubmit_line(current_user, line, data, version)
        db.session.commit()
        return line


@blp.route("/plan-lines/<int:line_id>/approval")
class PlanApprovalResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanApprovalIn)
    @blp.response(200, PlanLineOut)
    def post(self, data: dict[str, Any], line_id: int) -> Any:
        """The finance office files the line (supervisors of its centre)."""
        line = plans.get_line(line_id)
        plans.approve_line(current_user, line, data["note"])
        db.session.commit()
        return line


@blp.route("/plan-lines/<int:line_id>/return")
class PlanReturnResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanReturnIn)
    @blp.response(200, PlanLineOut)
    def post(self, data: dict[str, Any], line_id: int) -> Any:
        """The finance office returns the line with a reason."""
        line = plans.get_line(line_id)
        plans.return_line(current_user, line, data["reason"])
        db.session.commit()
        return line
