"""The buyer's pages: post a need, select an agency, award, contract, completion, rating."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.extensions import db
from app.market import (
    agencies,
    auction,
    catalogue,
    needs,
    policies,
    ratings,
    sealed_scoring,
    sealed_views,
    selection,
)
from app.market.models import AgencyProfile, NeedMethod

bp = Blueprint("market_buyer", __name__, url_prefix="/market/buyer", template_folder="templates")


@bp.route("/")
@login_required
def index() -> Any:
    policies.ensure_buyer_user(current_user)
    return render_template(
        "market/buyer_needs.html", items=needs.needs_of_buyer(current_user.organisation_id)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    policies.ensure_buyer_user(current_user)
    form: Any = {}
    error_field = None
    if request.method == "POST":
        form = request.form
        try:
            need = needs.post_need(
                current_user,
                form.to_dict()
                | {
                    "gov_commissioned": form.get("gov_commissioned") == "1",
                    "scoring": sealed_views.scoring_from_form(form),
                },
            )
            db.session.commit()
            flash(_("服务需求已发布。"), "success")
            return redirect(url_for("market_buyer.need", need_id=need.id))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            error_field = exc.field
    return render_template(
        "market/buyer_new.html",
        form=form,
        error_field=error_field,
        types=catalogue.leaf_types(),
        competitive_only=needs.COMPETITIVE_ONLY,
        scoring_default=sealed_scoring.DEFAULT,
    ), (422 if error_field else 200)


@bp.route("/needs/<int:need_id>")
@login_required
def need(need_id: int) -> Any:
    item = needs.get_need(need_id)
    policies.ensure_buyer_of(current_user, item)
    auction.close_if_due(item)
    db.session.commit()
    candidates: list[AgencyProfile] = []
    if item.method == NeedMethod.DIRECT:
        ids = agencies.qualified_org_ids(item.type_code, item.required_level)
        candidates = [p for p in (db.session.get(AgencyProfile, i) for i in ids) if p]
    return render_template(
        "market/buyer_need.html",
        need=item,
        candidates=candidates,
        interested=len(needs.interested_ids(item)),
        eligible=len(selection.eligible_ids(item)) if item.method == NeedMethod.RANDOM else 0,
        draw=selection.draw_of(item),
        best=auction.lowest_qualified(item) if item.method == NeedMethod.AUCTION else None,
        phase=auction.phase(item) if item.method == NeedMethod.AUCTION else None,
        rating=ratings.rating_of(item),
        competitive_only=needs.COMPETITIVE_ONLY,
        sealed=sealed_views.buyer_context(current_user, item)
        if item.method == NeedMethod.SEALED
        else None,
    )


def _act(need_id: int, fn: Any, done: str) -> Any:
    item = needs.get_need(need_id)
    try:
        fn(item)
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("market_buyer.need", need_id=need_id))


@bp.route("/needs/<int:need_id>/direct", methods=["POST"])
@login_required
def direct(need_id: int) -> Any:
    f = request.form
    org = f.get("org_id", "")
    return _act(
        need_id,
        lambda n: needs.choose_directly(
            current_user, n, int(org) if org.isdigit() else 0, f.get("price"), f.get("reason", "")
        ),
        _("已直接选定机构，结果已在门户公布。"),
    )


@bp.route("/needs/<int:need_id>/draw", methods=["POST"])
@login_required
def draw(need_id: int) -> Any:
    return _act(
        need_id,
        lambda n: selection.run_draw(current_user, n),
        _("随机抽取已完成，结果和种子已在门户公布。"),
    )


@bp.route("/needs/<int:need_id>/award", methods=["POST"])
@login_required
def award(need_id: int) -> Any:
    return _act(
        need_id,
        lambda n: needs.confirm_auction(current_user, n),
        _("已确认成交，结果已在门户公布。"),
    )


@bp.route("/needs/<int:need_id>/contract", methods=["POST"])
@login_required
def contract(need_id: int) -> Any:
    upload = request.files.get("file")
    return _act(
        need_id,
        lambda n: needs.upload_contract(
            current_user,
            n,
            upload.stream if upload else None,
            (upload.filename or "") if upload else "",
        ),
        _("合同已上传。"),
    )


@bp.route("/needs/<int:need_id>/complete", methods=["POST"])
@login_required
def complete(need_id: int) -> Any:
    return _act(
        need_id,
        lambda n: needs.record_completion(current_user, n, request.form.get("note", "")),
        _("已确认服务完成，请评价。"),
    )


@bp.route("/needs/<int:need_id>/rate", methods=["POST"])
@login_required
def rate(need_id: int) -> Any:
    return _act(
        need_id,
        lambda n: ratings.rate(current_user, n, request.form.to_dict()),
        _("评价已发布。"),
    )


@bp.route("/needs/<int:need_id>/contract")
@login_required
def contract_file(need_id: int) -> Any:
    """The uploaded contract, for the buyer and the agency awarded."""
    from flask import abort, send_file

    from app.core.storage import get_store

    item = needs.get_need(need_id)
    if not (
        policies.is_buyer_of(current_user, item)
        or (
            policies.is_agency_user(current_user)
            and current_user.organisation_id == item.winner_org_id
        )
    ):
        abort(403)
    if not item.contract_sha256:
        abort(404)
    return send_file(
        get_store().open(item.contract_sha256), download_name=item.contract_name, as_attachment=True
    )
