"""The agency's invitation panel of a lot (邀请招标): recommend a supplier with a reason, or
draw suppliers at random; the names stay hidden from the agency until the deadline."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding.invitations import invitations, policies
from bidding.methods import Audience, rule_for
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, ensure_can_manage_lot

bp = Blueprint("invitations", __name__, template_folder="templates")


@bp.app_template_global("invitation_panel")
def invitation_panel(lot: Lot) -> dict[str, Any] | None:
    """What the project page shows of a lot's invitations (None: the method invites nobody)."""
    if rule_for(lot.project.method).audience != Audience.INVITEES:
        return None
    if not policies.can_count_invitees(current_user, lot):
        return None
    rows = invitations.invitees(lot)
    visible = policies.can_see_invitees(current_user, lot)
    return {
        "count": len(rows),
        "minimum": rule_for(lot.project.method).min_suppliers,
        "rows": rows if visible else [],
        "visible": visible,
        "can_invite": can_manage_lot(current_user, lot) and lot.status == LotStatus.DRAFT,
        "library": invitations.library_choices(lot) if can_manage_lot(current_user, lot) else [],
    }


def _back(lot: Lot) -> Any:
    return redirect(url_for("bidding.project_detail", project_id=lot.project_id))


@bp.route("/lots/<int:lot_id>/invitees/recommend", methods=["POST"])
@login_required
def recommend(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    ensure_can_manage_lot(current_user, lot)
    pick = {
        "supplier_id": request.form.get("supplier_id", type=int),
        "reason": request.form.get("reason", ""),
    }
    try:
        invitations.recommend(current_user, lot, [pick], request.form.get("short_reason", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("已邀请并发出投标邀请书。"), "success")
    return _back(lot)


@bp.route("/lots/<int:lot_id>/invitees/draw", methods=["POST"])
@login_required
def draw(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    ensure_can_manage_lot(current_user, lot)
    try:
        rows = invitations.draw_invitees(
            current_user,
            lot,
            request.form.get("count", type=int) or 0,
            request.form.get("short_reason", ""),
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(
            _("已随机抽取 %(n)s 家供应商并发出投标邀请书；名单在投标截止后可见。", n=len(rows)),
            "success",
        )
    return _back(lot)
