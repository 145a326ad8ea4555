"""Rows named in the URL of a bids page or API call, or a 404 with the domain's message."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import NotFound
from app.core.extensions import db
from bidding.bids.models import BidBond
from bidding.models import Lot


def load_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(_("标段不存在。"))
    return lot


def load_bond(bond_id: int) -> BidBond:
    bond = db.session.get(BidBond, bond_id)
    if bond is None:
        raise NotFound(_("保证金记录不存在。"))
    return bond
