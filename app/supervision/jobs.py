"""Scheduled work of supervision: the full sweep of every rule, then escalations."""

from __future__ import annotations

from typing import Any

from app.core.extensions import db
from app.supervision import runner, warning_flow


def sweep() -> dict[str, Any]:
    report = runner.run()
    db.session.commit()
    escalated = warning_flow.escalate_overdue()
    db.session.commit()
    return {**report.as_dict(), "escalated": escalated}
