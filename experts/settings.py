"""The expert settings, read in one place each.

They are declared with their types and defaults in `config.BaseConfig` (environment
overrides arrive already cast), so nothing here repeats a default or casts a value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask, current_app


def draw_window_hours() -> int:
    """How long before the evaluation a draw may run at the earliest."""
    return current_app.config["EXPERT_DRAW_WINDOW_HOURS"]


def draw_window() -> dt.timedelta:
    return dt.timedelta(hours=draw_window_hours())


def min_reserves() -> int:
    """Reserves each group must draw at least, in order, behind the invited experts."""
    return current_app.config["EXPERT_MIN_RESERVES"]


def answer_time() -> dt.timedelta:
    """How long an invited expert has to answer."""
    return dt.timedelta(hours=current_app.config["EXPERT_ANSWER_HOURS"])


def max_sittings_per_purchaser(centre_settings: dict[str, Any] | None = None) -> int:
    """Sittings per purchaser in a rolling year: the centre's own setting first.

    A centre's settings row is free-form JSON, so its value is cast here.
    """
    own = centre_settings or {}
    if "max_sittings_per_purchaser" in own:
        return int(own["max_sittings_per_purchaser"])
    return current_app.config["EXPERT_MAX_SITTINGS_PER_PURCHASER"]


def avoid_past_years() -> int:
    """Years a past employment still makes an expert avoid that employer."""
    return current_app.config["EXPERT_AVOID_PAST_YEARS"]


def signin_early() -> dt.timedelta:
    """How long before the evaluation sign-in opens."""
    return dt.timedelta(minutes=current_app.config["EXPERT_SIGNIN_EARLY_MINUTES"])


def reveal_after() -> dt.timedelta:
    """How long after the evaluation the sweep reveals a draw's seed."""
    return dt.timedelta(hours=current_app.config["EXPERT_REVEAL_AFTER_HOURS"])


def invitation_sweep_seconds(app: Flask) -> int:
    """Read at start-up, when the sweeps are registered (no application context yet)."""
    return app.config["EXPERT_INVITATION_SWEEP_SECONDS"]


def reveal_sweep_seconds(app: Flask) -> int:
    return app.config["EXPERT_REVEAL_SWEEP_SECONDS"]


def sms_backend() -> str:
    return current_app.config["EXPERT_SMS_BACKEND"]


def sms_log_path() -> str:
    """The development SMS log; unset means the instance folder's sms.log."""
    return current_app.config["EXPERT_SMS_LOG_PATH"] or str(
        Path(current_app.instance_path) / "sms.log"
    )
