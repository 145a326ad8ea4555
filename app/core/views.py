from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import clock
from app.core.extensions import db
from app.core.notify import Notification

bp = Blueprint("core", __name__)


@bp.route("/lang/<code>")
def set_language(code: str) -> Any:
    if code in ("zh_CN", "en"):
        session["lang"] = code
    nxt = request.args.get("next") or url_for("portal.index")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = url_for("portal.index")
    resp = redirect(nxt.rstrip("?"))
    if code in ("zh_CN", "en"):
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


@bp.route("/healthz")
def healthz() -> Any:
    """Trivial endpoint: the baseline every benchmark compares against."""
    return jsonify(status="ok")


@bp.route("/inbox")
@login_required
def inbox() -> Any:
    notes = (
        db.session.execute(
            select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.id.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    return render_template("core/inbox.html", notes=notes)


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_read() -> Any:
    for note in db.session.execute(
        select(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None)
        )
    ).scalars():
        note.read_at = clock.now()
    db.session.commit()
    return redirect(url_for("core.inbox"))
