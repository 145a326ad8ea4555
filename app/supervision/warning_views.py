"""Warnings pages: the list (supervisors: their centre's; staff: theirs to answer), one
warning with its steps and the form of the step the viewer may take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.extensions import db
from app.supervision import policies, warning_flow, warning_text
from app.supervision.models import SupervisionWarning, WarningStatus

bp = Blueprint("supervision_warnings", __name__, url_prefix="/supervision/warnings")

STEPS = (
    (WarningStatus.PENDING, warning_text.STATUS_TEXT[WarningStatus.PENDING]),
    (WarningStatus.SENT, warning_text.STATUS_TEXT[WarningStatus.SENT]),
    (WarningStatus.ANSWERED, warning_text.STATUS_TEXT[WarningStatus.ANSWERED]),
    (WarningStatus.READ, warning_text.STATUS_TEXT[WarningStatus.READ]),
    (WarningStatus.CLOSED, warning_text.STATUS_TEXT[WarningStatus.CLOSED]),
)
ORDER = [s for s, _label in STEPS]


def may_see_warnings(user: Any) -> bool:
    """The menu entry: supervisors always; anyone else once a warning was sent to them."""
    if policies.is_supervisor(user):
        return True
    return (
        db.session.execute(
            select(SupervisionWarning.id).where(SupervisionWarning.responsible_id == user.id)
        ).first()
        is not None
    )


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return warning_text.helpers()


@bp.get("/")
@login_required
def index() -> Any:
    status = request.args.get("status", "")
    if status not in {"", *(s.value for s in WarningStatus)}:
        status = ""
    lot_arg = request.args.get("lot_id", "")
    lot_id = int(lot_arg) if lot_arg.isdigit() and len(lot_arg) < 10 else None
    rows = warning_flow.warnings_for(current_user, status=status, lot_id=lot_id)
    return render_template(
        "supervision/warnings.html",
        rows=rows,
        status=status,
        lot_id=lot_id,
        statuses=STEPS,
        is_supervisor=policies.is_supervisor(current_user),
    )


@bp.get("/<int:warning_id>")
@login_required
def detail(warning_id: int) -> Any:
    w = warning_flow.get(warning_id, current_user)
    lot, project = warning_flow.lot_of(w)
    handle = policies.can_handle_warning(current_user, w)
    return render_template(
        "supervision/warning.html",
        w=w,
        lot=lot,
        project=project,
        steps=STEPS,
        step_index=ORDER.index(w.status),
        can_handle=handle,
        can_answer=policies.can_answer_warning(current_user, w),
        candidates=warning_flow.responsible_candidates(w) if handle else [],
    )


def _act(warning_id: int, command: str, fn: Callable[[SupervisionWarning], None], done: str) -> Any:
    try:
        w = warning_flow.get(warning_id, current_user)
        fn(w)
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        warning_flow.audit_refusal(warning_id, command, exc, current_user)
        flash(str(exc.message), "error")
    return redirect(url_for("supervision_warnings.detail", warning_id=warning_id))


def _int(name: str) -> int:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


@bp.post("/<int:warning_id>/send")
@login_required
def send(warning_id: int) -> Any:
    return _act(
        warning_id,
        "send",
        lambda w: warning_flow.send(
            w, current_user, _int("responsible_id"), request.form.get("message", "")
        ),
        _("预警已发出。"),
    )


@bp.post("/<int:warning_id>/answer")
@login_required
def answer(warning_id: int) -> Any:
    return _act(
        warning_id,
        "answer",
        lambda w: warning_flow.answer(w, current_user, request.form.get("text", "")),
        _("答复已提交。"),
    )


@bp.post("/<int:warning_id>/read")
@login_required
def read(warning_id: int) -> Any:
    return _act(
        warning_id, "read", lambda w: warning_flow.mark_read(w, current_user), _("已标记为已阅。")
    )


@bp.post("/<int:warning_id>/close")
@login_required
def close(warning_id: int) -> Any:
    return _act(
        warning_id,
        "close",
        lambda w: warning_flow.close(w, current_user, request.form.get("note", "")),
        _("预警已办结。"),
    )


@bp.post("/<int:warning_id>/correction")
@login_required
def correction(warning_id: int) -> Any:
    return _act(
        warning_id,
        "correction",
        lambda w: warning_flow.order_correction(w, current_user, request.form.get("note", "")),
        _("已责令纠错，标段已暂停。"),
    )


@bp.post("/<int:warning_id>/correction/done")
@login_required
def correction_done(warning_id: int) -> Any:
    return _act(
        warning_id,
        "correction_done",
        lambda w: warning_flow.finish_correction(w, current_user),
        _("纠错已完成，标段已恢复。"),
    )
