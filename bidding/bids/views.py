"""Pages of sealed bids: the supplier's bid page, receipts, freeze list and the opening hall."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from bidding.bids import opening as hall
from bidding.bids import services
from bidding.bids.api import can_see_receipt, load_lot
from bidding.bids.models import Bid, LotOpeningKey
from bidding.models import Lot, LotStatus

bp = Blueprint("bids", __name__, url_prefix="/bids", template_folder="templates")


@bp.route("/")
@login_required
def my_bids() -> Any:
    """A supplier's lots: those in the bid period and those it has bid on."""
    org_id = current_user.organisation_id
    bid_lots = set(
        db.session.execute(select(Bid.lot_id).where(Bid.supplier_id == org_id)).scalars()
    )
    open_lots = db.session.execute(
        select(Lot)
        .join(LotOpeningKey, LotOpeningKey.lot_id == Lot.id)
        .where(Lot.status == LotStatus.PUBLISHED)
    ).scalars()
    lots = {lot.id: lot for lot in open_lots}
    for lot_id in bid_lots:
        lots.setdefault(lot_id, db.session.get(Lot, lot_id))  # type: ignore[arg-type]
    return render_template("bidding/bids_home.html", lots=sorted(lots.values(), key=lambda x: x.id))


@bp.route("/custody")
@login_required
def custody_home() -> Any:
    """Lots whose hall the user may enter (staff, supervisors, custodians)."""
    lots = [
        lot
        for lot in db.session.execute(
            select(Lot)
            .join(LotOpeningKey, LotOpeningKey.lot_id == Lot.id)
            .order_by(Lot.id.desc())
            .limit(200)
        ).scalars()
        if services.manages_lot(current_user, lot)
        or services.oversees_lot(current_user, lot)
        or hall.is_custodian(current_user, lot)
    ]
    return render_template("bidding/bids_home.html", lots=lots)


@bp.route("/lots/<int:lot_id>")
@login_required
def lot_page(lot_id: int) -> Any:
    lot = load_lot(lot_id)
    org = current_user.organisation
    if org is None:
        abort(403)
    return render_template(
        "bidding/bids_lot.html",
        lot=lot,
        problems=services.bid_problems(lot, org),
        key=db.session.execute(
            select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
        ).scalar_one_or_none(),
        bids=services.my_bids(lot, org),
    )


@bp.route("/lots/<int:lot_id>/withdraw", methods=["POST"])
@login_required
def withdraw(lot_id: int) -> Any:
    lot = load_lot(lot_id)
    try:
        services.withdraw_bid(lot, current_user)
        db.session.commit()
        flash(_("投标文件已撤回。"), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("bids.lot_page", lot_id=lot.id))


@bp.route("/receipts/<int:bid_id>")
@login_required
def receipt(bid_id: int) -> Any:
    bid = db.session.get(Bid, bid_id)
    if bid is None or not can_see_receipt(current_user, bid):
        abort(404)
    return render_template("bidding/bids_receipt.html", bid=bid, doc=bid.receipt)


@bp.route("/receipts/<int:bid_id>.json")
@login_required
def receipt_json(bid_id: int) -> Any:
    bid = db.session.get(Bid, bid_id)
    if bid is None or not can_see_receipt(current_user, bid):
        abort(404)
    return Response(
        json.dumps(bid.receipt, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=receipt-{bid.id}.json"},
    )


@bp.route("/lots/<int:lot_id>/freeze")
@login_required
def freeze(lot_id: int) -> Any:
    lot = load_lot(lot_id)
    frozen = services.get_freeze(lot)
    if frozen is None:
        abort(404)
    hall.ensure_can_enter_hall(current_user, lot)
    return render_template("bidding/bids_freeze.html", lot=lot, freeze=frozen)


@bp.route("/lots/<int:lot_id>/hall")
@login_required
def hall_page(lot_id: int) -> Any:
    lot = load_lot(lot_id)
    hall.ensure_can_enter_hall(current_user, lot)
    return render_template(
        "bidding/bids_hall.html",
        lot=lot,
        state=hall.hall_state(lot),
        is_staff=services.manages_lot(current_user, lot),
        is_custodian=hall.is_custodian(current_user, lot),
        is_bidder=hall.is_bidder(current_user, lot),
    )
