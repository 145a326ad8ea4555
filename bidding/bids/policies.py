"""Who may see or do what with sealed bids and the opening hall.

The lot relations (manage, oversee) are those of `bidding.policies`; the ones here follow
from the bids themselves: holding a share, being on the frozen list, owning a receipt.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.core.extensions import db
from app.core.rooms import RoomKind
from bidding.bids.custody import custodian_row
from bidding.bids.eligibility import deadline_passed
from bidding.bids.models import Bid, LotFreeze, get_freeze
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot

# The opening hall of a lot: room "hall:<lot id>".
HALL = RoomKind("hall")


def is_bidder(user: Any, lot: Lot, freeze: LotFreeze | None = None) -> bool:
    """A supplier whose bid is on the list frozen at the deadline."""
    freeze = freeze or get_freeze(lot)
    if freeze is None or user is None or user.role != Role.SUPPLIER:
        return False
    return any(e["supplier_id"] == user.organisation_id for e in freeze.entries)


def is_custodian(user: Any, lot: Lot) -> bool:
    return custodian_row(user, lot) is not None


def can_enter_hall(user: Any, lot: Lot) -> bool:
    return bool(
        can_manage_lot(user, lot)
        or can_oversee_lot(user, lot)
        or is_custodian(user, lot)
        or is_bidder(user, lot)
    )


def ensure_can_enter_hall(user: Any, lot: Lot) -> None:
    if not can_enter_hall(user, lot):
        raise Forbidden(
            _("只有本标段的投标人、代理机构工作人员、密钥保管人和监督人员可以进入开标大厅。")
        )


def may_join_hall(user: Any, room: str) -> bool:
    """Room policy for "hall:<lot id>": bidders, the lot's staff, custodians, supervisors."""
    lot_id = HALL.ident(room)
    lot = db.session.get(Lot, lot_id) if lot_id is not None else None
    return lot is not None and can_enter_hall(user, lot)


def can_see_receipt(user: Any, bid: Bid) -> bool:
    """Its bidder always; the lot's staff and overseers once the deadline has passed."""
    if user.organisation_id == bid.supplier_id:
        return True
    lot = bid.lot
    return deadline_passed(lot) and (can_manage_lot(user, lot) or can_oversee_lot(user, lot))
