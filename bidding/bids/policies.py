"""Who may see or do what with sealed bids and the opening hall."""

from __future__ import annotations

from typing import Any

from app.core.extensions import db
from bidding.models import Lot


def may_join_hall(user: Any, room: str) -> bool:
    """Room policy for "hall:<lot id>": bidders, the lot's staff, custodians, supervisors."""
    from bidding.bids.opening import can_enter_hall

    try:
        lot_id = int(room.split(":", 1)[1])
    except (IndexError, ValueError):
        return False
    lot = db.session.get(Lot, lot_id)
    return lot is not None and can_enter_hall(user, lot)
