"""The workbench page: the user's to-do items, grouped, soonest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.core.workbench import URGENCY_LABELS, Urgency, groups_for

bp = Blueprint("workbench", __name__)


@bp.get("/workbench")
@login_required
def index() -> Any:
    groups = groups_for(current_user)
    urgent = sum(
        1 for g in groups for i in g.items if i.urgency is not None and i.urgency <= Urgency.TODAY
    )
    return render_template(
        "workbench/index.html",
        groups=groups,
        total=sum(g.count for g in groups),
        urgent=urgent,
        urgency_labels=URGENCY_LABELS,
    )
