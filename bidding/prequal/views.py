"""Pages of prequalification: the agency's page of a lot's prequalification (publish,
applicants, committee, conclusion, invitations), the suppliers' list and apply page, and
the committee members' review page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError, Forbidden
from app.core.extensions import db
from app.core.http import load_or_404
from app.core.i18n import N_
from app.core.storage import get_store
from bidding.documents.files import stage_file
from bidding.invitations import invitations
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, ensure_can_manage_lot
from bidding.prequal import applications, changes, notice, policies, review
from bidding.prequal.models import (
    Outcome,
    PrequalApplication,
    Prequalification,
    PrequalStatus,
)

bp = Blueprint("prequal", __name__, url_prefix="/prequal", template_folder="templates")

# Hooks a higher floor fills: what the committee panel of the agency's page offers (the
# lot's finished draws and the purchaser's representatives) and the form's target.
committee_panel_source: list[Callable[[Prequalification], dict[str, Any]]] = []


STATUS_LABELS = {
    PrequalStatus.OPEN: N_("接受申请"),
    PrequalStatus.REVIEWING: N_("审查中"),
    PrequalStatus.CONCLUDED: N_("已出结果"),
    PrequalStatus.WITHDRAWN: N_("已终止"),
}


@bp.app_template_global("prequal_status_label")
def prequal_status_label(status: PrequalStatus) -> str:
    return _(STATUS_LABELS[status])


@bp.app_template_global("prequal_link")
def prequal_link(lot: Lot) -> dict[str, Any] | None:
    """What the project page says of a lot's prequalification (None: nothing to say)."""
    if not can_manage_lot(current_user, lot):
        return None
    item = notice.prequal_of(lot)
    if item is None and lot.status != LotStatus.DRAFT:
        return None
    return {"item": item, "url": url_for("prequal.manage", lot_id=lot.id)}


def attempt(action: Callable[[], Any], done: str) -> bool:
    """Run one service call as the page's transaction; a refusal is flashed, rolled back
    and, where the rules ask, audited in a transaction of its own."""
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.refusal_audit is not None:
            from app.core.audit import record

            act, obj, data = exc.refusal_audit
            record(act, obj, data | {"message": str(exc.message)}, actor=current_user)
            db.session.commit()
        flash(str(exc.message), "error")
        return False
    flash(done, "success")
    return True


def _file_response(sha256: str, name: str, mimetype: str = "application/octet-stream") -> Any:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    resp = Response(get_store().iter_verified(sha256), mimetype=mimetype, direct_passthrough=True)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    resp.headers["X-Content-SHA256"] = sha256
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ------------------------------------------------------------------ agency


@bp.route("/lots/<int:lot_id>", methods=["GET", "POST"])
@login_required
def manage(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    item = notice.prequal_of(lot)
    if item is None:
        ensure_can_manage_lot(current_user, lot)
    else:
        policies.ensure_can_count_applicants(current_user, lot)
    if request.method == "POST" and item is None:
        upload = request.files.get("file")

        def publish() -> None:
            staged = stage_file(
                upload.stream if upload else None, upload.filename if upload else ""
            )
            notice.publish(current_user, lot, dict(request.form), staged)

        if attempt(publish, _("资格预审公告已发布，资格预审文件开始发售。")):
            return redirect(url_for("prequal.manage", lot_id=lot.id))
    rows = applications.applications(item) if item else []
    visible = bool(item) and policies.can_see_applicants(current_user, item)
    invited = {i.supplier_id for i in invitations.invitees(lot)}
    panel: dict[str, Any] = {}
    if item is not None and item.status == PrequalStatus.OPEN and can_manage_lot(current_user, lot):
        for source in committee_panel_source:
            panel.update(source(item))
    return render_template(
        "prequal/manage.html",
        lot=lot,
        item=item,
        rows=rows if visible else [],
        count=len(rows),
        visible=visible,
        manage=can_manage_lot(current_user, lot),
        missing=review.missing(item) if item and item.status == PrequalStatus.REVIEWING else 0,
        panel=panel,
        invited=invited,
        corrections=changes.corrections_of(item) if item else [],
        to_invite=any(r.outcome == Outcome.PASSED and r.supplier_id not in invited for r in rows),
        form=request.form if request.method == "POST" else {},
    )


@bp.route("/lots/<int:lot_id>/correct", methods=["POST"])
@login_required
def correct(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    item = notice.prequal_of(lot) or abort(404)
    upload = request.files.get("file")

    def publish() -> None:
        changes.ensure_may_correct(current_user, item)
        staged = stage_file(upload.stream, upload.filename) if upload and upload.filename else None
        changes.correct(current_user, item, dict(request.form), staged)

    attempt(publish, _("资格预审更正公告已发布，已通知申请人。"))
    return redirect(url_for("prequal.manage", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/withdraw", methods=["POST"])
@login_required
def withdraw(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    item = notice.prequal_of(lot) or abort(404)
    attempt(
        lambda: changes.withdraw(current_user, item, request.form.get("reason", "")),
        _("资格预审已终止，终止公告已发布，已通知申请人。"),
    )
    return redirect(url_for("prequal.manage", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/conclude", methods=["POST"])
@login_required
def conclude(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    item = notice.prequal_of(lot) or abort(404)
    attempt(lambda: review.conclude(current_user, item), _("资格审查结果已确定，通知书已发出。"))
    return redirect(url_for("prequal.manage", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/invite", methods=["POST"])
@login_required
def invite(lot_id: int) -> Any:
    lot = load_or_404(Lot, lot_id)
    ids = [int(i) for i in request.form.getlist("supplier_id") if i.isdigit()]
    attempt(
        lambda: invitations.invite_prequalified(
            current_user, lot, ids or None, request.form.get("short_reason", "")
        ),
        _("已向通过资格预审的申请人发出投标邀请书。"),
    )
    return redirect(url_for("prequal.manage", lot_id=lot.id))


# ------------------------------------------------------------------ suppliers


@bp.route("/")
@login_required
def supplier_list() -> Any:
    """Prequalifications open to apply, and the supplier's own applications."""
    if not policies.is_supplier(current_user):
        raise Forbidden(_("只有供应商账户可以申请资格预审。"))
    now = clock.now()
    open_items = list(
        db.session.execute(
            select(Prequalification)
            .where(
                Prequalification.status == PrequalStatus.OPEN,
                Prequalification.application_deadline > now,
            )
            .order_by(Prequalification.application_deadline)
        ).scalars()
    )
    mine = list(
        db.session.execute(
            select(PrequalApplication)
            .where(PrequalApplication.supplier_id == current_user.organisation_id)
            .order_by(PrequalApplication.submitted_at.desc())
        ).scalars()
    )
    applied = {a.prequal_id for a in mine}
    return render_template(
        "prequal/supplier_list.html",
        open_items=[i for i in open_items if i.id not in applied],
        mine=mine,
    )


@bp.route("/<int:prequal_id>", methods=["GET", "POST"])
@login_required
def supplier_page(prequal_id: int) -> Any:
    item = notice.get_prequal(prequal_id)
    if not policies.is_supplier(current_user):
        raise Forbidden(_("只有供应商账户可以申请资格预审。"))
    if request.method == "POST":
        upload = request.files.get("file")

        def submit() -> None:
            applications.ensure_may_apply(current_user, item)
            staged = stage_file(
                upload.stream if upload else None, upload.filename if upload else ""
            )
            applications.apply(current_user, item, staged)

        if attempt(submit, _("资格预审申请文件已递交，回执已签发。")):
            return redirect(url_for("prequal.supplier_page", prequal_id=item.id))
    mine = applications.application_of(item, current_user.organisation_id)
    return render_template(
        "prequal/supplier.html",
        item=item,
        lot=item.lot,
        mine=mine,
        passed=Outcome.PASSED,
        corrections=changes.corrections_of(item),
    )


@bp.route("/<int:prequal_id>/document")
@login_required
def document(prequal_id: int) -> Any:
    """The prequalification documents: on offer from the start of the offer (hash-checked)."""
    item = notice.get_prequal(prequal_id)
    if clock.now() < item.offer_start_at and not can_manage_lot(current_user, item.lot):
        raise Forbidden(_("资格预审文件尚未开始发售。"))
    return _file_response(item.document_sha256, item.document_name)


@bp.route("/applications/<int:application_id>/file")
@login_required
def application_file(application_id: int) -> Any:
    """An application's file: its supplier, the committee members, the agency after the deadline."""
    row = load_or_404(PrequalApplication, application_id)
    own = policies.is_supplier(current_user) and current_user.organisation_id == row.supplier_id
    member = policies.member_of(current_user, row.prequal) is not None
    if not (own or member or policies.can_see_applicants(current_user, row.prequal)):
        raise Forbidden(_("您无权查看该申请文件。"))
    return _file_response(row.file_sha256, row.file_name)


@bp.route("/applications/<int:application_id>/notice")
@login_required
def notice_pdf(application_id: int) -> Any:
    row = load_or_404(PrequalApplication, application_id)
    own = policies.is_supplier(current_user) and current_user.organisation_id == row.supplier_id
    if not own and not policies.can_see_applicants(current_user, row.prequal):
        raise Forbidden(_("您无权查看该通知书。"))
    if not row.notice_sha256:
        abort(404)
    return _file_response(row.notice_sha256, f"prequal-notice-{row.id}.pdf", "application/pdf")


# ------------------------------------------------------------------ committee


@bp.route("/<int:prequal_id>/review", methods=["GET", "POST"])
@login_required
def review_page(prequal_id: int) -> Any:
    item = notice.get_prequal(prequal_id)
    member = policies.member_of(current_user, item)
    if request.method == "POST":
        row = load_or_404(PrequalApplication, request.form.get("application_id", type=int) or 0)
        passed = request.form.get("passed") == "1"
        if attempt(
            lambda: review.give_verdict(current_user, row, passed, request.form.get("reason", "")),
            _("审查意见已记录。"),
        ):
            return redirect(url_for("prequal.review_page", prequal_id=item.id))
    if member is None:
        raise Forbidden(_("您不是本次资格审查委员会的成员，不能审查申请人。"))
    given = review.verdicts(item)
    return render_template(
        "prequal/review.html",
        item=item,
        lot=item.lot,
        member=member,
        rows=applications.applications(item),
        given=given,
    )
