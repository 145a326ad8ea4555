"""Who may see or do what with sealed bids and the opening hall."""

from __future__ import annotations

from typing import Any

from app.core.extensions import db
from app.core.rooms import RoomKind
from bidding.models import Lot

# The opening hall of a lot: room "hall:<lot id>".
HALL = RoomKind("hall")


def may_join_hall(user: Any, room: str) -> bool:
    """Room policy for "hall:<lot id>": bidders, the lot's staff, custodians, supervisors."""
    from bidding.bids.opening import can_enter_hall

    lot_id = HALL.ident(room)
    lot = db.session.get(Lot, lot_id) if lot_id is not None else None
    return lot is not None and can_enter_hall(user, lot)
