"""Credit pages: the public list of suppliers' records, and the supervisors' desk."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.auth.models import Organisation, OrgKind
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from app.credit import policies, queries, records
from app.credit.labels import kind_badge, kind_label
from app.credit.models import CreditKind, CreditRecord
from experts.models import Expert

bp = Blueprint("credit", __name__, url_prefix="/credit", template_folder="templates")


def _filter() -> queries.Filter:
    a = request.args
    kind = a.get("kind", "")
    return queries.Filter(
        q=a.get("q", "").strip()[:100],
        kind=kind if kind in {k.value for k in CreditKind} else "",
        in_force=a.get("in_force") == "1",
    )


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "credit_kind_label": kind_label,
        "credit_kind_badge": kind_badge,
        "credit_state": queries.state_label,
        "credit_last_day": queries.end_day,
    }


@bp.route("/")
def public_list() -> Any:
    """信用信息公示: suppliers' records, for everyone."""
    f = _filter()
    return render_template(
        "credit/public.html",
        rows=queries.supplier_records(f),
        f=f,
        kinds=[(k.value, kind_label(k)) for k in CreditKind],
    )


@bp.route("/records.csv")
def public_csv() -> Any:
    text = queries.csv_text(queries.supplier_records(_filter()))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=credit-records.csv"},
    )


def _act(action: Any, success: str) -> Any:
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("credit.manage"))


def _form() -> dict[str, Any]:
    f = request.form
    return {
        k: f.get(k, "") for k in ("kind", "authority", "basis", "result", "start_date", "end_date")
    }


@bp.route("/manage")
@login_required
def manage() -> Any:
    policies.ensure_can_record_credit(current_user)
    suppliers = db.session.execute(
        select(Organisation)
        .where(Organisation.kind == OrgKind.SUPPLIER)
        .order_by(Organisation.name)
    ).scalars()
    experts = db.session.execute(
        select(Expert).where(Expert.centre_id == current_user.centre_id).order_by(Expert.name)
    ).scalars()
    return render_template(
        "credit/manage.html",
        rows=queries.supplier_records(),
        expert_rows=queries.expert_records(current_user.centre_id),
        suppliers=list(suppliers),
        experts=list(experts),
        kinds=[(k.value, kind_label(k)) for k in CreditKind],
    )


@bp.route("/manage/suppliers", methods=["POST"])
@login_required
def add_supplier() -> Any:
    policies.ensure_can_record_credit(current_user)

    def run() -> None:
        org = db.session.get(Organisation, request.form.get("organisation_id", type=int) or 0)
        if org is None:
            raise DomainError(_("请选择供应商。"))
        records.add_supplier_record(current_user, org, _form())

    return _act(run, _("信用记录已登记并公示。"))


@bp.route("/manage/experts", methods=["POST"])
@login_required
def add_expert() -> Any:
    policies.ensure_can_record_credit(current_user)

    def run() -> None:
        expert = db.session.get(Expert, request.form.get("expert_id", type=int) or 0)
        if expert is None:
            raise DomainError(_("请选择专家。"))
        records.add_expert_record(current_user, expert, _form())

    return _act(run, _("专家信用记录已登记。"))


@bp.route("/manage/records/<int:record_id>/lift", methods=["POST"])
@login_required
def lift(record_id: int) -> Any:
    policies.ensure_can_record_credit(current_user)
    item = load_or_404(CreditRecord, record_id)
    return _act(
        lambda: records.lift(current_user, item, request.form.get("reason", "")),
        _("失信记录已解除。"),
    )
