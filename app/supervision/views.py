"""Supervision pages: the live monitoring board, bond signals, the audit log browser."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import clock
from app.core.audit.service import verify
from app.core.auth.models import Role
from app.core.auth.policies import ensure_role, require_role
from app.supervision import audit_text
from app.supervision.queries import (
    PAGE_SIZE,
    AuditFilter,
    audit_page,
    shared_payers,
    visible_entries,
)

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.before_request
@require_role("supervisor", "admin")
def _only_supervisors() -> None:
    return None


def _filter() -> AuditFilter:
    a = request.values
    return AuditFilter(
        action=a.get("action", "")[:80],
        actor=a.get("actor", "")[:80],
        object_type=a.get("object_type", "")[:40],
        object_id=a.get("object_id", "")[:64],
    )


@bp.route("/")
def dashboard() -> Any:
    """Live monitoring: every lot of the centre (every centre for the provincial
    supervisor) with its stage and supervision points; `?part=board` is the board alone,
    which the page fetches again when the supervision room says something changed."""
    from app.supervision import live, monitor
    from app.supervision.rules import POINTS

    ensure_role(current_user, Role.SUPERVISOR)
    centre_id = current_user.centre_id
    expand = request.args.get("stage", "")
    board = monitor.board(centre_id, expand=expand if expand in monitor.STAGE_KEYS else "")
    context = {
        "board": board,
        "expand": expand,
        "points": POINTS,
        "centre": current_user.centre,
        "now_utc": clock.now(),
        "room": live.room_for(centre_id),
        "room_seq": live.last_seq(live.room_for(centre_id)),
        "is_supervisor": current_user.role == Role.SUPERVISOR,
    }
    if request.args.get("part") == "board":
        return render_template("supervision/_board.html", **context)
    return render_template("supervision/dashboard.html", **context)


@bp.route("/bond-signals")
def bond_signals() -> Any:
    """One account paying several bidders' bonds on a lot: a collusion signal (串通投标).
    Supervisors only: administrators are kept out of bidding secrets."""
    ensure_role(current_user, Role.SUPERVISOR)
    return render_template(
        "supervision/bond_signals.html",
        signals=shared_payers(current_user.centre_id),
        centre=current_user.centre,
    )


@bp.route("/audit", methods=["GET", "POST"])
def audit() -> Any:
    flt = _filter()
    page_arg = request.args.get("page", "1")
    page = max(int(page_arg), 1) if page_arg.isdigit() else 1
    rows, total = audit_page(flt, page)
    entries = visible_entries(rows, clock.now())
    if flt.actor.strip():
        # Filtering by a supplier's name must not reveal, by what it finds, what is sealed.
        entries = [e for e in entries if not e.sealed]
    # Checking the chain changes nothing, but it reads the whole log, so it is a POST.
    result = verify() if request.method == "POST" else None
    return render_template(
        "supervision/audit.html",
        entries=entries,
        action_text=audit_text.action_text,
        object_text=audit_text.object_text,
        data_items=audit_text.data_items,
        action_choices=audit_text.known_actions(),
        object_choices={k: _l(v) for k, v in audit_text.OBJECT_TEXT.items()},
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        flt=flt,
        result=result,
    )
