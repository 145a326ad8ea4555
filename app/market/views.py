"""Market pages: the public section, agency registration and the agency's own pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, ValidationError
from app.core.extensions import db, limiter
from app.core.storage import get_store
from app.market import (
    agencies,
    auction,
    catalogue,
    exits,
    labels,
    needs,
    policies,
    ratings,
    sealed_views,
    selection,
)
from app.market.models import AgencyStatus, NeedMethod, Qualification, Rating

bp = Blueprint("market", __name__, url_prefix="/market", template_folder="templates")


@bp.app_context_processor
def market_helpers() -> dict[str, Any]:
    return {
        "market_labels": labels,
        "type_name": catalogue.type_name,
    }


# ---------------------------------------------------------------- public section
@bp.route("/")
def index() -> Any:
    return render_template(
        "market/index.html",
        open_needs=needs.open_needs(50),
        results=needs.results(20),
        agencies_count=agencies.count_listed(),
        phase=auction.phase,
    )


@bp.route("/needs/<int:need_id>")
def need_page(need_id: int) -> Any:
    need = needs.get_need(need_id)
    return render_template(
        "market/need.html",
        need=need,
        draw=selection.draw_of(need),
        published=need.status in needs.PUBLISHED,
        rating=ratings.rating_of(need),
        phase=auction.phase(need) if need.method == NeedMethod.AUCTION else None,
        bids=needs.bids_count(need),
        may_bid=policies.is_agency_user(current_user),
        sealed=sealed_views.public_context(need) if need.method == NeedMethod.SEALED else None,
    )


@bp.route("/needs/<int:need_id>/draw.json")
def draw_record(need_id: int) -> Any:
    item = selection.draw_of(needs.get_need(need_id))
    if item is None:
        abort(404)
    return selection.export_record(item)


@bp.route("/agencies")
def directory() -> Any:
    q = request.args.get("q", "")[:60]
    type_code = request.args.get("type", "")[:20]
    level = request.args.get("level", "")
    found = agencies.directory(q, type_code, int(level) if level in ("1", "2", "3") else None)
    return render_template(
        "market/agencies.html",
        found=found,
        q=q,
        type_code=type_code,
        level=level,
        types=catalogue.leaf_types(),
        listed_types=agencies.listed_types,
    )


@bp.route("/agencies/<int:org_id>")
def agency_page(org_id: int) -> Any:
    profile = agencies.get_profile(org_id)
    return render_template(
        "market/agency.html",
        profile=profile,
        types=agencies.listed_types(profile),
        credit=ratings.credit_parts(org_id),
        formula=ratings.CREDIT_FORMULA,
        ratings=ratings.ratings_of(org_id),
        won=[n for n in needs.won_by(org_id) if n.status in needs.PUBLISHED],
        today=agencies.today(),
        supervise=policies.can_supervise_market(current_user),
        appeals=exits.appeals_of(org_id),
        statuses=list(AgencyStatus),
    )


@bp.route("/qualifications/<int:qual_id>/certificate")
def certificate(qual_id: int) -> Any:
    qual = db.session.get(Qualification, qual_id)
    if qual is None:
        abort(404)
    return send_file(
        get_store().open(qual.cert_sha256), download_name=qual.cert_name, as_attachment=True
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register() -> Any:
    if request.method == "GET":
        return render_template("market/register.html", form={})
    f = request.form
    try:
        if f.get("password") != f.get("password2"):
            raise ValidationError(_("两次输入的密码不一致。"), field="password2")
        agencies.register_agency(
            name=f.get("name", ""),
            credit=f.get("credit_code", ""),
            username=f.get("username", ""),
            password=f.get("password", ""),
            contact_name=f.get("contact_name", ""),
            email=f.get("email", ""),
            phone=f.get("phone", ""),
            region=f.get("region", ""),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return render_template("market/register.html", form=f, error_field=exc.field), exc.status
    db.session.commit()
    flash(_("入驻成功，请登录后完善机构资料并登记资质。"), "success")
    return redirect(url_for("auth.login", next=url_for("market.my_profile")))


# ---------------------------------------------------------------- the agency's pages
def _lines(text: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """One row per line, fields separated by "|" (the page says so)."""
    rows = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if any(parts):
            rows.append(dict(zip(keys, parts + [""] * len(keys), strict=False)))
    return rows


@bp.route("/my/profile", methods=["GET", "POST"])
@login_required
def my_profile() -> Any:
    profile = agencies.profile_of(current_user)
    if request.method == "POST":
        f = request.form
        try:
            agencies.save_profile(
                current_user,
                {
                    "intro": f.get("intro", ""),
                    "staff": _lines(f.get("staff", ""), agencies.STAFF_KEYS),
                    "fees": _lines(f.get("fees", ""), agencies.FEE_KEYS),
                    "cases": _lines(f.get("cases", ""), agencies.CASE_KEYS),
                    "type_codes": f.getlist("type_codes"),
                },
            )
            db.session.commit()
            flash(_("机构资料已保存。"), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        return redirect(url_for("market.my_profile"))
    return render_template(
        "market/my_profile.html",
        profile=profile,
        types=catalogue.leaf_types(),
        declared={s.type_code for s in profile.services},
        credit=ratings.credit_parts(profile.org_id),
        today=agencies.today(),
        appeals=exits.appeals_of(profile.org_id),
        open_appeal=exits.open_appeal(profile.org_id),
    )


@bp.route("/my/qualifications", methods=["POST"])
@login_required
def add_qualification() -> Any:
    upload = request.files.get("certificate")
    try:
        agencies.add_qualification(
            current_user,
            request.form.to_dict(),
            upload.stream if upload else None,
            upload.filename or "" if upload else "",
        )
        db.session.commit()
        flash(_("资质已登记。"), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("market.my_profile"))


@bp.route("/my/needs")
@login_required
def my_needs() -> Any:
    policies.ensure_agency_user(current_user)
    org_id = current_user.organisation_id
    return render_template(
        "market/my_needs.html",
        items=needs.needs_for_agency(org_id),
        signed={n.id for n in needs.needs_for_agency(org_id) if org_id in needs.interested_ids(n)},
        won=needs.won_by(org_id),
        ratings=ratings.ratings_of(org_id),
        phase=auction.phase,
    )


@bp.route("/needs/<int:need_id>/sign-up", methods=["POST"])
@login_required
def sign_up(need_id: int) -> Any:
    try:
        needs.sign_up(current_user, needs.get_need(need_id))
        db.session.commit()
        flash(_("已报名。"), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("market.my_needs"))


@bp.route("/ratings/<int:rating_id>/reply", methods=["POST"])
@login_required
def reply(rating_id: int) -> Any:
    rating = db.session.get(Rating, rating_id)
    if rating is None:
        abort(404)
    try:
        ratings.reply(current_user, rating, request.form.get("reply", ""))
        db.session.commit()
        flash(_("回复已发布。"), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("market.my_needs"))


# ---------------------------------------------------------------- the auction room
@bp.route("/needs/<int:need_id>/auction")
@login_required
def auction_room(need_id: int) -> Any:
    need = needs.get_need(need_id)
    room = auction.AUCTION.name(need.id)
    if need.method != NeedMethod.AUCTION or not auction.may_join(current_user, room):
        abort(403)
    return render_template(
        "market/auction.html",
        need=need,
        room=room,
        state=auction.state_for(current_user, need),
        bidder=policies.is_agency_user(current_user),
    )


@bp.route("/needs/<int:need_id>/replay")
@login_required
def replay(need_id: int) -> Any:
    need = needs.get_need(need_id)
    if need.method != NeedMethod.AUCTION or not auction.may_join(
        current_user, auction.AUCTION.name(need.id)
    ):
        abort(403)
    over = auction.phase(need) == "closed"
    return render_template(
        "market/replay.html",
        need=need,
        events=auction.replay(need),
        consistent=auction.replay_check(need),
        bids=auction.bids_with_names(need)
        if over and policies.can_watch_auction(current_user, need)
        else [],
    )


# ---------------------------------------------------------------- the catalogue (admin)
@bp.route("/admin/types", methods=["GET", "POST"])
@login_required
def types() -> Any:
    policies.ensure_can_edit_catalogue(current_user)
    if request.method == "POST":
        f = request.form
        try:
            catalogue.save_type(
                current_user,
                {
                    "code": f.get("code", ""),
                    "name": f.get("name", ""),
                    "name_en": f.get("name_en", ""),
                    "parent_code": f.get("parent_code", ""),
                    "sort": f.get("sort", "0") if f.get("sort", "0").lstrip("-").isdigit() else 0,
                    "active": f.get("active") == "1",
                },
            )
            db.session.commit()
            flash(_("服务类别已保存。"), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        return redirect(url_for("market.types"))
    return render_template("market/types.html", tree=catalogue.tree())


@bp.app_template_filter("market_org_name")
def org_name(org_id: int | None) -> str:
    from app.core.auth.models import Organisation

    org = db.session.get(Organisation, org_id) if org_id else None
    return org.name if org is not None else "—"


@bp.app_template_filter("market_amount")
def amount(value: str | None) -> str:
    """An exact amount with thousands separators, for figures whose unit the label names."""
    from decimal import Decimal

    return f"{Decimal(value):,.2f}" if value else "—"
