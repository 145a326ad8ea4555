"""GET /api/v1/workbench: the caller's to-do items, as the workbench page shows them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.workbench import URGENCY_LABELS, Urgency, groups_for
from app.workbench.schemas import WorkbenchOut

blp = Blueprint("workbench_api", __name__, url_prefix="/api/v1", description="The workbench")


@blp.route("/workbench")
class Workbench(MethodView):
    @login_required
    @blp.response(200, WorkbenchOut)
    def get(self) -> Any:
        """What needs the caller now: grouped by kind, soonest first, with counts."""
        groups = groups_for(current_user)
        out = []
        urgent = 0
        for g in groups:
            items = []
            for i in g.items:
                urgency = i.urgency if i.urgency is not None else Urgency.LATER
                urgent += urgency <= Urgency.TODAY
                items.append(
                    {
                        "kind": i.kind,
                        "title": i.title,
                        "detail": i.detail,
                        "url": i.url,
                        "due_at": i.due_at,
                        "due_label": i.due_label,
                        "urgency": urgency.name.lower(),
                        "urgency_label": str(URGENCY_LABELS[urgency]),
                    }
                )
            out.append({"kind": g.kind, "label": g.label, "count": g.count, "items": items})
        return {"count": sum(g["count"] for g in out), "urgent": urgent, "groups": out}
