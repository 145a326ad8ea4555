"""Scheduler sweeps of the sealed-bid package (idempotent, catching up after downtime)."""

from __future__ import annotations

from bidding.bids.file_hashes import check_pending
from bidding.bids.freeze import sweep_deadlines


def deadline_sweep() -> int:
    """Close every lot whose bid deadline has passed: freeze the bid hashes or declare 流标."""
    return sweep_deadlines()


def refund_sweep() -> int:
    """Flag bond refunds past their legal due time (退还保证金逾期); forget stale bank nonces."""
    from bidding.bids.bank import purge_nonces
    from bidding.bids.refunds import sweep_overdue

    flagged = sweep_overdue()
    purge_nonces()
    return flagged


def file_hashes_sweep() -> int:
    """Hash the plaintext files of opened bids still pending (after a crash or restart)."""
    return check_pending()
