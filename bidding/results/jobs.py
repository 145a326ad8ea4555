"""Scheduled sweeps of the result stages."""

from __future__ import annotations

from bidding.results import filings


def filings_sweep() -> dict[str, int]:
    """Remind answerers of filings falling due; flag late filings, an unpublished publicity
    and an unfiled contract to the supervisors."""
    return {**filings.sweep(), **filings.sweep_result_deadlines()}  # the scheduler commits
