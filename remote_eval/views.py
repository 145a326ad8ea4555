"""Pages of the lot's scoring scheme: the staff editor and the read-only table that the
supplier's lot page and public notices include."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from bidding.models import Lot
from bidding.projects import get_lot
from remote_eval import forms, methods, policies, refusals, schemes
from remote_eval.scheme import SECTION_LABELS

bp = Blueprint("remote_eval", __name__, template_folder="templates")

_PATH = re.compile(r"^(qualification|compliance|technical|commercial)\[(\d+)\]")


def _by_path(error: DomainError) -> dict[str, Any]:
    """ensure_valid gives every message by path; a single error has only its field."""
    if error.details:
        return dict(error.details)
    return {error.field: error.message} if error.field else {}


def _placed(details: dict[str, Any]) -> dict[str, list[str]]:
    """Error messages by where the editor shows them: "technical-1", "technical", "price"."""
    out: dict[str, list[str]] = {}
    for path, message in details.items():
        match = _PATH.match(path)
        head = path.split(".")[0]
        if match:
            key = f"{match.group(1)}-{match.group(2)}"
        elif head in SECTION_LABELS or head == "price":
            key = head
        else:
            continue  # not a place in the form (version, method): the list above has it
        out.setdefault(key, []).append(str(message))
    return out


def _editor(
    lot: Lot,
    display: dict[str, Any] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> Any:
    row = schemes.scheme_of(lot)
    frozen = row is not None and row.frozen_at is not None
    if display is None:
        source = row.pending_data if frozen and row and row.pending_data else None
        display = forms.display_model(source or schemes.working_data(lot))
    method = methods.find(schemes.lot_method(lot))
    messages = [m for m in str(error.message).split("\n") if m] if error else []
    placed = _placed(_by_path(error)) if error else {}
    return (
        render_template(
            "remote_eval/scheme_editor.html",
            lot=lot,
            row=row,
            frozen=frozen,
            published=schemes.published_scheme(lot),
            display=display,
            method=method,
            uses_scores=bool(method and method.uses_scores),
            average_base="average_base" in (method.price_formulas if method else ()),
            version=schemes.current_version(lot),
            editable=policies.scheme_is_editable(lot),
            can_amend=frozen and policies.amendment_is_possible(lot),
            pending=schemes.pending_changes(lot),
            method_changed=bool(row and not frozen and row.method != schemes.lot_method(lot)),
            messages=messages,
            placed=placed,
            section_labels=SECTION_LABELS,
        ),
        status,
    )


def _lot_to_edit(lot_id: int) -> Lot:
    lot = get_lot(lot_id)
    policies.ensure_can_edit_scheme(current_user, lot)
    return lot


def _version(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise ValidationError(_("页面已过期，请刷新后重新编辑。"), field="version") from None


@bp.route("/staff/lots/<int:lot_id>/scoring-scheme", methods=["GET", "POST"])
@login_required
def scheme_editor(lot_id: int) -> Any:
    if request.method == "GET":
        return _editor(_lot_to_edit(lot_id))
    command = "scheme_amend" if request.form.get("action") == "propose" else "scheme_save"
    # Refusals are audited as the API's are (one `eval.refused` naming the lot).
    with refusals.audited(command, None, lot_id=lot_id):
        lot = _lot_to_edit(lot_id)
    display = None
    try:
        with refusals.audited(command, None, lot_id=lot_id):
            data, display = forms.parse(request.form, schemes.lot_method(lot))
            version = _version(request.form.get("version"))
            if command == "scheme_amend":
                schemes.propose_amendment(lot, current_user, data, version)
                note = _("评分办法修改已保存，将随本标段下一份澄清/更正公告发布。")
            else:
                schemes.save_scheme(lot, current_user, data, version)
                note = _("评分办法已保存。")
            db.session.commit()
    except forms.FormProblems as exc:
        return _editor(get_lot(lot_id), exc.display, exc, exc.status)
    except DomainError as exc:
        return _editor(get_lot(lot_id), display, exc, exc.status)
    flash(note, "success")
    return redirect(url_for("remote_eval.scheme_editor", lot_id=lot_id))


@bp.route("/staff/lots/<int:lot_id>/scoring-scheme/withdraw", methods=["POST"])
@login_required
def scheme_withdraw(lot_id: int) -> Any:
    with refusals.audited("scheme_withdraw", None, lot_id=lot_id):
        lot = _lot_to_edit(lot_id)
    try:
        with refusals.audited("scheme_withdraw", None, lot_id=lot_id):
            version = _version(request.form.get("version"))
            schemes.withdraw_amendment(lot, current_user, version)
            db.session.commit()
    except DomainError as exc:
        return _editor(get_lot(lot_id), None, exc, exc.status)
    flash(_("待发布的评分办法修改已撤回。"), "success")
    return redirect(url_for("remote_eval.scheme_editor", lot_id=lot_id))


def scheme_table(lot: Lot, heading: bool = True) -> Markup:
    """The published scheme as a read-only table; empty before the tender notice."""
    published = schemes.published_scheme(lot)
    if published is None:
        return Markup("")
    scheme, row = published
    return Markup(
        render_template(
            "remote_eval/_scheme_table.html",
            scheme=scheme,
            row=row,
            method=methods.find(scheme.method),
            heading=heading,
        )
    )
