"""Pages of the result stages: one page per lot for the agency, the centre's supervisors
and the lot's bidders (each sees what queries.result_view lets them), and the forms."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.auth.models import Role
from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids.models import Bid
from bidding.models import Lot, LotStatus, Project
from bidding.policies import can_oversee_centre
from bidding.projects import get_lot
from bidding.results import (
    award,
    contracts,
    failure,
    filings,
    negotiation,
    policies,
    publicity,
    queries,
    rules,
)
from bidding.results.models import ResultNotice

bp = Blueprint("results", __name__, url_prefix="/results", template_folder="templates")

RESULT_STATUSES = (
    LotStatus.FAILED,
    LotStatus.EVALUATED,
    LotStatus.PUBLICITY,
    LotStatus.AWARDED,
    LotStatus.CONTRACTED,
)


def _back(lot_id: int) -> Any:
    return redirect(url_for("results.lot_page", lot_id=lot_id))


def _act(lot_id: int, fn: Any, done: str) -> Any:
    """Run one service call from a form: commit and say so, or roll back and show why."""
    try:
        fn()
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return _back(lot_id)


@bp.route("/")
@login_required
def home() -> Any:
    """Lots in their result stages that the caller may follow."""
    query = select(Lot).join(Project).where(Lot.status.in_(RESULT_STATUSES))
    user = current_user
    if user.role == Role.SUPPLIER:
        bid_lots = select(Bid.lot_id).where(Bid.supplier_id == (user.organisation_id or -1))
        query = query.where(Lot.id.in_(bid_lots))
    elif user.role == Role.STAFF:
        org = user.organisation_id or -1
        query = query.where((Project.agency_id == org) | (Project.purchaser_id == org))
    elif user.role in (Role.SUPERVISOR, Role.ADMIN):
        lots = db.session.execute(query).scalars().all()
        return render_template(
            "bidding/results_home.html",
            lots=[x for x in lots if can_oversee_centre(user, x.project.centre_id)],
        )
    else:
        abort(403)
    lots = db.session.execute(query.order_by(Lot.id.desc())).scalars().all()
    return render_template("bidding/results_home.html", lots=lots)


@bp.route("/lots/<int:lot_id>")
@bp.route("/lots/<int:lot_id>/mine")
@login_required
def lot_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    view = queries.result_view(lot, current_user)
    return render_template("bidding/results_lot.html", lot=lot, r=view)


@bp.route("/lots/<int:lot_id>/publicity", methods=["POST"])
@login_required
def publish(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    raw = (request.form.get("days") or "").strip()

    def run() -> None:
        if raw and not raw.isdigit():
            raise ValidationError(_("公示天数应为整数。"), field="days")
        publicity.publish_publicity(lot, current_user, int(raw) if raw else None)

    return _act(lot_id, run, _("中标候选人公示已发布。"))


@bp.route("/lots/<int:lot_id>/negotiation", methods=["POST"])
@login_required
def negotiate(lot_id: int) -> Any:
    lot = get_lot(lot_id)

    def run() -> None:
        negotiation.record_negotiation(
            current_user, lot, request.form.get("price"), request.form.get("minutes")
        )

    return _act(lot_id, run, _("价格谈判已记录，评审结果已生成。"))


@bp.route("/lots/<int:lot_id>/failure", methods=["POST"])
@login_required
def announce_failure(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    form = request.form
    return _act(
        lot_id,
        lambda: failure.announce_failure(
            lot, current_user, form.get("reason", ""), form.get("next_step", "")
        ),
        _("流标/废标公告已发布。"),
    )


@bp.route("/lots/<int:lot_id>/filings", methods=["POST"])
@login_required
def file(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    uploads = [
        (f.filename or "", f.stream) for f in request.files.getlist("attachments") if f.filename
    ]

    def run() -> None:
        follows = None
        raw = (request.form.get("follows_id") or "").strip()
        if raw.isdigit():
            follows = filings.get_filing(int(raw), current_user)
        filings.file_filing(
            lot,
            current_user,
            request.form.get("kind", ""),
            request.form.get("text", ""),
            attachments=uploads,
            follows=follows,
        )

    return _act(lot_id, run, _("已提交，答复后您会收到通知。"))


@bp.route("/filings/<int:filing_id>/answer", methods=["POST"])
@login_required
def answer(filing_id: int) -> Any:
    filing = filings.get_filing(filing_id, current_user)
    return _act(
        filing.lot_id,
        lambda: filings.answer_filing(filing, current_user, request.form.get("answer", "")),
        _("答复已发送。"),
    )


@bp.route("/filings/<int:filing_id>/files/<int:n>")
@login_required
def filing_file(filing_id: int, n: int) -> Any:
    filing = filings.get_filing(filing_id, current_user)
    if n >= len(filing.attachments):
        abort(404)
    entry = filing.attachments[n]
    data = get_store().open(entry["sha256"]).read()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=entry["name"])


@bp.route("/lots/<int:lot_id>/award", methods=["POST"])
@login_required
def confirm(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    form = request.form

    def run() -> None:
        raw = (form.get("rank") or "1").strip()
        if not raw.isdigit():
            raise ValidationError(_("请选择%(w)s。", w=_(rules.words(lot).winner)), field="rank")
        rank = int(raw)
        passed = [
            {"rank": r, "reason": form.get(f"reason_{r}", ""), "note": form.get(f"note_{r}", "")}
            for r in range(1, rank)
        ]
        award.confirm_award(lot, current_user, rank=rank, passed_over=passed)

    return _act(lot_id, run, _(rules.words(lot).confirmed))


@bp.route("/notices/<int:notice_id>.pdf")
@login_required
def notice_pdf(notice_id: int) -> Any:
    notice = db.session.get(ResultNotice, notice_id)
    if notice is None:
        abort(404)
    lot = get_lot(notice.lot_id)
    mine = current_user.organisation_id == notice.supplier_id
    if not (mine or policies.can_read_result(current_user, lot)):
        abort(403)
    data = get_store().open(notice.pdf_sha256).read()
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", download_name=f"notice-{notice.id}.pdf"
    )


@bp.route("/lots/<int:lot_id>/contract", methods=["POST"])
@login_required
def contract(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    form, upload = request.form, request.files.get("file")

    def run() -> None:
        raw = (form.get("supplier_id") or "").strip()
        contracts.file_contract(
            lot,
            current_user,
            number=form.get("number", ""),
            lot_code=form.get("lot_code", ""),
            supplier_id=int(raw) if raw.isdigit() else -1,
            price=form.get("price", ""),
            signed_on=form.get("signed_on", ""),
            filename=upload.filename if upload else "",
            stream=upload.stream if upload and upload.filename else None,
        )

    return _act(lot_id, run, _("合同已备案，合同公告已发布。"))


@bp.route("/lots/<int:lot_id>/amend", methods=["POST"])
@login_required
def amend(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    form, upload = request.form, request.files.get("file")
    return _act(
        lot_id,
        lambda: contracts.amend_contract(
            lot,
            current_user,
            reason=form.get("reason", ""),
            price=form.get("price", ""),
            signed_on=form.get("signed_on", ""),
            filename=upload.filename if upload else "",
            stream=upload.stream if upload and upload.filename else None,
        ),
        _("合同变更已备案。"),
    )


@bp.route("/contracts/<int:contract_id>/file")
@login_required
def contract_file(contract_id: int) -> Any:
    from bidding.results.models import Contract

    row = db.session.get(Contract, contract_id)
    if row is None:
        abort(404)
    lot = get_lot(row.lot_id)
    # The announcement is public; the signed contract itself: staff, overseers, the winner.
    winner = current_user.organisation_id == row.supplier_id
    if not (policies.can_read_result(current_user, lot) or winner):
        abort(403)
    data = get_store().open(row.sha256).read()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=row.filename)
