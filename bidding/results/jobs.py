"""Scheduled sweeps of the result stages."""

from __future__ import annotations

from bidding.results import filings


def filings_sweep() -> dict[str, int]:
    """Remind answerers of filings falling due; flag late ones to the supervisors."""
    return filings.sweep()  # the scheduler commits
