"""Pages of service ratings: what to rate, the rating form, follow-ups to answer or close."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.auth.models import Role
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding.models import Lot

from . import policies, queries, service
from .labels import FOLLOW_UP_LABELS, LEVEL_LABELS, TARGET_LABELS
from .models import LEVELS, RatingFollowUp, ServiceRating

bp = Blueprint("ratings", __name__, url_prefix="/ratings")


def sees_ratings(user: Any) -> bool:
    """Who has a ratings page: bidders, the rated parties (agency staff, centre officers)
    and supervisors. The menu entry and the page share this rule."""
    from bidding.policies import is_agency_staff, is_centre_officer

    if not getattr(user, "is_authenticated", False):
        return False
    return (
        policies.is_supplier(user)
        or user.role == Role.SUPERVISOR
        or is_agency_staff(user)
        or is_centre_officer(user, user.centre_id)
    )


def _labels() -> dict[str, Any]:
    return {
        "level_labels": LEVEL_LABELS,
        "target_labels": TARGET_LABELS,
        "follow_up_labels": FOLLOW_UP_LABELS,
    }


@bp.route("/")
@login_required
def index() -> Any:
    if not sees_ratings(current_user):
        return render_template("error.html", status=403, message=_("您无权访问此页面。")), 403
    mine: list[ServiceRating] = []
    if policies.is_supplier(current_user):
        mine = list(
            db.session.execute(
                select(ServiceRating)
                .where(ServiceRating.supplier_id == current_user.organisation_id)
                .order_by(ServiceRating.rated_at.desc(), ServiceRating.id)
                .limit(100)
            ).scalars()
        )
    return render_template(
        "supervision/ratings/index.html",
        to_rate=queries.lots_to_rate(current_user),
        mine=mine,
        follow_ups=queries.follow_ups_for(current_user),
        is_supplier=policies.is_supplier(current_user),
        **_labels(),
    )


@bp.route("/lots/<int:lot_id>", methods=["GET", "POST"])
@login_required
def rate(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    policies.ensure_can_rate_lot(current_user, lot)
    form = request.form
    if request.method == "POST":
        answers = {
            t: {"level": form.get(f"{t}_level"), "comment": form.get(f"{t}_comment", "")}
            for t in ("centre", "agency")
        }
        try:
            service.rate(current_user, lot, answers)
            db.session.commit()
            flash(_("感谢您的评价。"), "success")
            return redirect(url_for("ratings.index"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
    return render_template(
        "supervision/ratings/rate.html",
        lot=lot,
        window=service.window_for(lot),
        rated=service.has_rated(lot.id, current_user.organisation_id),
        levels=LEVELS,
        form=form,
        **_labels(),
    )


@bp.route("/follow-ups/<int:follow_up_id>")
@login_required
def follow_up(follow_up_id: int) -> Any:
    item = load_or_404(RatingFollowUp, follow_up_id)
    policies.ensure_can_view_follow_up(current_user, item)
    return render_template(
        "supervision/ratings/follow_up.html",
        f=item,
        lot=item.rating.lot,
        can_answer=policies.can_answer_follow_up(current_user, item),
        can_close=policies.can_close_follow_up(current_user, item),
        show_rater=policies.can_see_rater(current_user, item.rating),
        **_labels(),
    )


def _act(follow_up_id: int, fn: Any, done: str) -> Any:
    try:
        fn()
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("ratings.follow_up", follow_up_id=follow_up_id))


@bp.route("/follow-ups/<int:follow_up_id>/answer", methods=["POST"])
@login_required
def answer(follow_up_id: int) -> Any:
    item = load_or_404(RatingFollowUp, follow_up_id)
    text = request.form.get("answer", "")
    return _act(
        follow_up_id,
        lambda: service.answer_follow_up(current_user, item, text),
        _("整改答复已提交。"),
    )


@bp.route("/follow-ups/<int:follow_up_id>/close", methods=["POST"])
@login_required
def close(follow_up_id: int) -> Any:
    item = load_or_404(RatingFollowUp, follow_up_id)
    note = request.form.get("note", "")
    return _act(
        follow_up_id, lambda: service.close_follow_up(current_user, item, note), _("整改已办结。")
    )
