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
from bidding.policies import (
    can_manage_lot,
    can_oversee_lot,
    can_supervise_lot,
    is_centre_officer,
)

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


# ---------------------------------------------------------------- bid bonds
# Who intends to bid is secret until the deadline (DOMAIN.md §3): before it, a bond is seen
# by its own supplier, by the centre's officers only as far as their task needs (a
# guarantee to check, a payment to match), and by supervisors; never by the agency.


def can_see_bond_list(user: Any, lot: Lot) -> bool:
    """The list of a lot's bonds: supervisors at any time; its staff and overseers after the deadline."""
    if can_supervise_lot(user, lot):
        return True
    return deadline_passed(lot) and (can_manage_lot(user, lot) or can_oversee_lot(user, lot))


def ensure_can_see_bond_list(user: Any, lot: Lot) -> None:
    if not can_see_bond_list(user, lot):
        raise Forbidden(_("投标截止前，任何人不得查看投标保证金缴纳情况。"))


def can_see_payer_accounts(user: Any, lot: Lot) -> bool:
    """Paying accounts (a collusion signal) are for supervisors and the centre's officers only."""
    return can_supervise_lot(user, lot) or is_centre_officer(user, lot.project.centre_id)


def can_run_bond_account(user: Any, centre_id: int | None) -> bool:
    """Import statements, settle held payments, check guarantees, record refunds."""
    return is_centre_officer(user, centre_id)


def ensure_can_run_bond_account(user: Any, centre_id: int | None) -> None:
    if not can_run_bond_account(user, centre_id):
        raise Forbidden(_("只有交易中心的工作人员可以办理保证金账户业务。"))


def can_register_bank_keys(user: Any, centre_id: int | None) -> bool:
    """A bank's key belongs to one centre: nobody registers one for no centre."""
    if centre_id is None:
        return False
    if user is not None and getattr(user, "role", None) == Role.ADMIN:
        return user.centre_id is None or user.centre_id == centre_id
    return is_centre_officer(user, centre_id)


def ensure_can_register_bank_keys(user: Any, centre_id: int | None) -> None:
    if not can_register_bank_keys(user, centre_id):
        raise Forbidden(_("只有管理员或交易中心工作人员可以登记银行密钥。"))


def can_read_guarantee(user: Any, bond: Any, lot: Lot) -> bool:
    """A guarantee letter: its supplier, the centre's officers who check it, and whoever may
    see the lot's bond list (supervisors; the agency only after the deadline)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        user.organisation_id == bond.supplier_id
        or can_run_bond_account(user, lot.project.centre_id)
        or can_see_bond_list(user, lot)
    )
