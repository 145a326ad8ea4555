"""The scheduler's sweep that records the default rating (默认好评) after the window."""

from __future__ import annotations

from .service import default_overdue

SWEEP_SECONDS = 600


def default_ratings() -> int:
    return default_overdue()  # the scheduler commits
