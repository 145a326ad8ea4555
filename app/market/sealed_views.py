"""Pages of sealed quotes (综合评审): the agency hands in its sealed quote, the buyer opens
them and names the committee, members score, the buyer confirms; the public sees counts
before the award and the score table after it."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.core.errors import DomainError
from app.core.extensions import db
from app.market import needs, policies, sealed, sealed_api, sealed_review
from app.market.models import Need, NeedMethod
from app.market.sealed_models import QuoteStatus

bp = Blueprint("market_sealed", __name__, url_prefix="/market/sealed", template_folder="templates")


def scoring_from_form(form: MultiDict[str, str]) -> dict[str, Any] | None:
    """The scheme typed on the need form; rows left empty are dropped."""
    if form.get("method") != NeedMethod.SEALED.value:
        return None
    items = [
        {"name": form.get(f"item_name_{n}", ""), "maximum": form.get(f"item_max_{n}", "")}
        for n in range(1, 6)
        if (form.get(f"item_name_{n}") or "").strip() or (form.get(f"item_max_{n}") or "").strip()
    ]
    return {"price_weight": form.get("price_weight", ""), "items": items}


def _results(need: Need) -> list[Any]:
    result = sealed_review.evaluation(need)
    if result is None:
        return []
    return sorted(result.results, key=lambda r: (r.rank is None, r.rank or 0))


def public_context(need: Need) -> dict[str, Any]:
    return {
        "count": len(sealed.quotes(need)),
        "scheme": need.scoring or {},
        "results": _results(need) if need.status in needs.PUBLISHED else [],
    }


def buyer_context(user: Any, need: Need) -> dict[str, Any]:
    rows = sealed.quotes(need)
    team = sealed_review.members(need)
    return {
        "count": len(rows),
        "quotes": rows if any(q.status != QuoteStatus.SEALED for q in rows) else [],
        "deadline_passed": sealed.deadline_passed(need),
        "members": team,
        "representatives": sealed_review.representatives(need),
        "is_member": sealed_review.member_of(user, need) is not None,
        "results": _results(need),
        "scheme": need.scoring or {},
    }


def _back(need_id: int, fn: Any, done: str, target: str = "market_buyer.need") -> Any:
    try:
        fn()
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        sealed.record_refusal(exc, current_user)
        flash(str(exc.message), "error")
    return redirect(url_for(target, need_id=need_id))


@bp.route("/<int:need_id>/quote", methods=["GET", "POST"])
@login_required
def quote(need_id: int) -> Any:
    need = needs.get_need(need_id)
    policies.ensure_agency_user(current_user)
    if request.method == "POST":
        upload = request.files.get("file")
        return _back(
            need_id,
            lambda: sealed.submit_quote(
                current_user,
                need,
                upload.stream if upload else None,
                (upload.filename or "") if upload else "",
            ),
            _("密封报价已提交，回执已签发。"),
            "market_sealed.quote",
        )
    return render_template(
        "market/sealed_quote.html",
        need=need,
        mine=sealed.quote_of(need, current_user.organisation_id),
        deadline_passed=sealed.deadline_passed(need),
        lot_code=sealed.lot_code(need),
        org=current_user.organisation,
        key_pem=sealed.opening_key(need).public_pem if need.method == NeedMethod.SEALED else "",
    )


@bp.route("/<int:need_id>/key.pem")
def key_pem(need_id: int) -> Any:
    need = needs.get_need(need_id)
    return Response(
        sealed.opening_key(need).public_pem,
        mimetype="application/x-pem-file",
        headers={"Content-Disposition": f"attachment; filename=need-{need.id}-key.pem"},
    )


@bp.route("/<int:need_id>/receipt.json")
@login_required
def receipt(need_id: int) -> Any:
    need = needs.get_need(need_id)
    policies.ensure_agency_user(current_user)
    mine = sealed.quote_of(need, current_user.organisation_id)
    if mine is None:
        return redirect(url_for("market_sealed.quote", need_id=need_id))
    return Response(
        json.dumps(mine.receipt, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=quote-receipt-{need.id}.json"},
    )


@bp.route("/<int:need_id>/open", methods=["POST"])
@login_required
def open_quotes(need_id: int) -> Any:
    need = needs.get_need(need_id)
    return _back(need_id, lambda: sealed.open_quotes(current_user, need), _("报价已开启。"))


@bp.route("/<int:need_id>/committee", methods=["POST"])
@login_required
def committee(need_id: int) -> Any:
    need = needs.get_need(need_id)
    ids = [int(i) for i in request.form.getlist("user_ids") if i.isdigit()]
    return _back(
        need_id,
        lambda: sealed_review.form_committee(current_user, need, ids),
        _("评审小组已组建。"),
    )


@bp.route("/<int:need_id>/finish", methods=["POST"])
@login_required
def finish(need_id: int) -> Any:
    need = needs.get_need(need_id)
    return _back(
        need_id, lambda: sealed_review.finish(current_user, need), _("评审结果已确认并公示。")
    )


@bp.route("/<int:need_id>/review", methods=["GET", "POST"])
@login_required
def review(need_id: int) -> Any:
    need = needs.get_need(need_id)
    if request.method == "POST":
        sheets: dict[str, dict[str, str]] = {}
        for key, value in request.form.items():
            if key.startswith("q") and "_" in key:
                quote_id, item_id = key[1:].split("_", 1)
                sheets.setdefault(quote_id, {})[item_id] = value
        try:
            sealed_review.submit_scores(current_user, need, sheets)
            db.session.commit()
            flash(_("评分已提交。"), "success")
            return redirect(url_for("market_sealed.review", need_id=need_id))
        except DomainError as exc:
            # The member keeps what was typed; only the refused field is marked.
            db.session.rollback()
            sealed.record_refusal(exc, current_user)
            flash(str(exc.message), "error")
            return _review_page(need, request.form, exc.field), exc.status
    return _review_page(need, {}, None)


def _review_page(need: Need, form: Any, error_field: str | None) -> Any:
    member = sealed_review.member_of(current_user, need)
    if member is None:
        sealed_review.ensure_may_follow(current_user, need)
    return render_template(
        "market/sealed_review.html",
        need=need,
        member=member,
        quotes=sealed_review.opened_quotes(need),
        scheme=need.scoring or {},
        members=sealed_review.members(need),
        form=form,
        error_field=error_field,
    )


@bp.route("/<int:need_id>/quotes/<int:quote_id>/files/<int:index>")
@login_required
def quote_file(need_id: int, quote_id: int, index: int) -> Any:
    return sealed_api.QuoteFileResource().get(need_id, quote_id, index)
