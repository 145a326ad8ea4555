"""The archive page of a lot: its packages, a button to build one, downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.archive import build, policies
from app.core.errors import DomainError
from app.core.extensions import db
from bidding.projects import get_lot

bp = Blueprint("archive", __name__, url_prefix="/archive", template_folder="templates")


@bp.route("/lots/<int:lot_id>")
@login_required
def lot_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_archive(current_user, lot)
    return render_template(
        "archive/lot.html",
        lot=lot,
        archives=build.archives_of(lot),
        archivable=lot.status in build.ARCHIVABLE,
    )


@bp.route("/lots/<int:lot_id>/build", methods=["POST"])
@login_required
def build_now(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_archive(current_user, lot)
    try:
        row = build.build_archive(lot, current_user)
        db.session.commit()
        flash(_("项目档案已生成：%(n)s 个文件。", n=row.files), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("archive.lot_page", lot_id=lot_id))
