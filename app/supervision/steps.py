"""The deadline of each step of a warning (pending → sent → answered → read → closed)."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from app.supervision.models import WarningStatus

_HOURS = {
    WarningStatus.PENDING: "SUPERVISION_SEND_HOURS",
    WarningStatus.SENT: "SUPERVISION_ANSWER_HOURS",
    WarningStatus.ANSWERED: "SUPERVISION_READ_HOURS",
    WarningStatus.READ: "SUPERVISION_CLOSE_HOURS",
}


def step_due(status: WarningStatus, at: dt.datetime) -> dt.datetime:
    """When the step a warning has just entered at `at` must be done."""
    key = _HOURS.get(status)
    if key is None:
        return at
    return at + dt.timedelta(hours=int(current_app.config.get(key, 48)))


def escalated_due(at: dt.datetime) -> dt.datetime:
    return at + dt.timedelta(hours=int(current_app.config.get("SUPERVISION_ESCALATE_HOURS", 24)))
