"""The scheduler's sweep of assistance requests left unanswered past their deadline."""

from __future__ import annotations

import logging
from typing import Any

from app.core.extensions import db
from remote_eval.venues import assistance, faults, handover, recordings, start

log = logging.getLogger(__name__)


def sweep_assistance() -> dict[str, int]:
    """Mark overdue requests expired (idempotent: an expired request is no longer pending)."""
    try:
        n = assistance.expire_overdue()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("assistance sweep failed")
        raise
    return {"expired": n}


def sweep_venues() -> dict[str, int]:
    """Mark venues whose terminal went silent as dropped, and close the recordings whose
    terminal stopped sending (both idempotent)."""
    try:
        n = start.sweep_dropped()
        closed = recordings.close_idle()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("venue heartbeat sweep failed")
        raise
    return {"dropped": n, "recordings_interrupted": closed}


def sweep_faults() -> dict[str, int]:
    """Seal evaluations broken off too long (idempotent: a sealed one is not a candidate)."""
    try:
        n = faults.sweep_breaks()
        late = faults.sweep_start_overdue()
        opened = handover.open_due()
        handovers = handover.remind_and_flag()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("evaluation fault sweep failed")
        raise
    return {"sealed": n, "start_overdue": late, "handovers_opened": opened, **handovers}


def register(app: Any) -> None:
    from app.core.scheduler import register_job

    register_job(
        "venues.sweep_assistance",
        sweep_assistance,
        seconds=int(app.config["VENUE_ASSISTANCE_SWEEP_SECONDS"]),
    )
    register_job(
        "venues.sweep_heartbeats",
        sweep_venues,
        seconds=int(app.config["VENUE_HEARTBEAT_SWEEP_SECONDS"]),
    )
    register_job(
        "venues.sweep_faults",
        sweep_faults,
        seconds=int(app.config["EVAL_FAULT_SWEEP_SECONDS"]),
    )
