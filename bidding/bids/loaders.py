"""Rows of the bids domain named in a URL, or a 404 with the domain's message (lots: bidding.projects.get_lot)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import NotFound
from app.core.extensions import db
from bidding.bids.models import BidBond


def load_bond(bond_id: int) -> BidBond:
    bond = db.session.get(BidBond, bond_id)
    if bond is None:
        raise NotFound(_("保证金记录不存在。"))
    return bond
