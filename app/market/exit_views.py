"""Pages of the exit mechanism: supervisors suspend, remove or restore an agency and decide
appeals on its public page; the agency appeals from its own profile page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from app.market import agencies, exits
from app.market.models import AgencyStatus, Appeal

bp = Blueprint("market_exits", __name__, url_prefix="/market")


def _done(fn: Any, message: str, target: str) -> Any:
    try:
        fn()
        db.session.commit()
        flash(message, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(target)


@bp.route("/agencies/<int:org_id>/status", methods=["POST"])
@login_required
def set_status(org_id: int) -> Any:
    profile = agencies.get_profile(org_id)

    def run() -> None:
        try:
            status = AgencyStatus(request.form.get("status", ""))
        except ValueError as exc:
            raise ValidationError(_("请选择状态。"), field="status") from exc
        exits.set_status(current_user, profile, status, request.form.get("reason", ""))

    return _done(run, _("机构状态已更新。"), url_for("market.agency_page", org_id=org_id))


@bp.route("/my/appeals", methods=["POST"])
@login_required
def file_appeal() -> Any:
    return _done(
        lambda: exits.file_appeal(current_user, request.form.get("text", "")),
        _("申诉已提交，请等待监督人员处理。"),
        url_for("market.my_profile"),
    )


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
@login_required
def decide(appeal_id: int) -> Any:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    return _done(
        lambda: exits.decide_appeal(
            current_user,
            appeal,
            request.form.get("upheld") == "1",
            request.form.get("answer", ""),
        ),
        _("申诉已处理。"),
        url_for("market.agency_page", org_id=appeal.org_id),
    )
