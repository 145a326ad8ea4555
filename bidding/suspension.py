"""Suspending a lot on an order from outside its own procedure (a supervisor's correction,
纠错) and resuming it where it stood. Objections suspend and resume in objections.py."""

from __future__ import annotations

from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import actions
from bidding.models import Lot, LotStatus

# A lot that has ended cannot be suspended: there is nothing left to stop.
_ENDED = (LotStatus.CONTRACTED, LotStatus.TERMINATED, LotStatus.FAILED, LotStatus.DRAFT)


def suspend(lot: Lot, user: User, reason: str, *, why: str) -> LotStatus:
    """Suspend the lot; returns the status it had, to resume to."""
    from flask_babel import lazy_gettext as _l

    if lot.status in _ENDED:
        raise Conflict(_l("该标段已结束或尚未发布，不能暂停。"))
    previous = lot.status
    lot.status = LotStatus.SUSPENDED
    lot.status_reason = reason
    db.session.flush()
    record(actions.LOT_SUSPENDED, lot, {"reason": why, "was": previous.value}, actor=user)
    return previous


def resume(lot: Lot, user: User, status: LotStatus, *, why: str) -> None:
    if lot.status != LotStatus.SUSPENDED:
        return
    lot.status = status
    lot.status_reason = ""
    db.session.flush()
    record(actions.LOT_RESUMED, lot, {"reason": why, "to": status.value}, actor=user)
