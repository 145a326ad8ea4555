"""Who sees a lot's invitee list: like the downloaders, secret until the deadline — the
centre's supervisors see it at any time; the project's agency and the overseers only once
the deadline has passed (before it, they see how many were invited)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.errors import Forbidden
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot, can_supervise_lot


def _deadline_passed(lot: Lot) -> bool:
    return lot.bid_deadline is not None and clock.now() >= lot.bid_deadline


def can_see_invitees(user: Any, lot: Lot) -> bool:
    if can_supervise_lot(user, lot):
        return True
    return (can_manage_lot(user, lot) or can_oversee_lot(user, lot)) and _deadline_passed(lot)


def can_count_invitees(user: Any, lot: Lot) -> bool:
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def ensure_can_count_invitees(user: Any, lot: Lot) -> None:
    if not can_count_invitees(user, lot):
        raise Forbidden(_l("您无权查看本标段的邀请情况。"))
