"""Idempotent sweeps the scheduler runs: unanswered invitations, reserves, 补抽, seed reveal."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.notify import notify
from experts import actions, settings
from experts.draws import reveal_draw, supplementary_draw
from experts.invitations import fill_vacancies, reserve_answer_due, vacancies
from experts.models import Draw, DrawStatus, Invitation, InvitationState

log = logging.getLogger(__name__)

SITTING_LOOKBACK = dt.timedelta(days=1)


def sweep_invitations() -> dict[str, int]:
    """Expire unanswered invitations, pull reserves, and run a 补抽 when reserves ran out."""
    now = clock.now()
    stats = {"no_answer": 0, "invited": 0, "supplementary": 0, "short": 0}
    expired = list(
        db.session.execute(
            select(Invitation).where(
                Invitation.state == InvitationState.INVITED, Invitation.answer_due_at <= now
            )
        ).scalars()
    )
    for inv in expired:
        inv.state = InvitationState.NO_ANSWER
        record(
            actions.INVITATION_EXPIRED,
            inv,
            {"due": inv.answer_due_at.isoformat() if inv.answer_due_at else None},
        )
        stats["no_answer"] += 1
    db.session.flush()
    # Roots whose evaluation is still to come, or began within the last day and may still
    # sit (reserve_answer_due decides; a seat freed in session is refilled here as well).
    roots = list(
        db.session.execute(
            select(Draw).where(
                Draw.parent_id.is_(None),
                Draw.status.in_((DrawStatus.DRAWN, DrawStatus.REVEALED)),
                Draw.evaluation_at > now - SITTING_LOOKBACK,
            )
        ).scalars()
    )
    for root in roots:
        if reserve_answer_due(root) is None:
            continue
        before = vacancies(root)
        if not before:
            continue
        short = fill_vacancies(root)
        stats["invited"] += sum(before.values()) - sum(short.values())
        if short:
            try:
                with db.session.begin_nested():
                    supplementary_draw(root, short)
                stats["supplementary"] += 1
            except DomainError as exc:
                stats["short"] += 1
                _report_shortfall(root, str(exc.message))
    db.session.flush()
    return stats


def _report_shortfall(root: Draw, message: str) -> None:
    key = f"shortfall:{message}"
    if key in (root.note or ""):
        return  # reported already; the sweep keeps retrying silently
    root.note = ((root.note or "") + "\n" + key).strip()
    record(actions.DRAW_FELL_SHORT, root, {"message": message})
    notify(root.requested_by, "expert_draw", _("专家补抽无法完成"), message)


def sweep_reveal() -> int:
    """Reveal seeds of draws whose evaluation is over, so that anyone can verify them."""
    after = settings.reveal_after()
    due = list(
        db.session.execute(
            select(Draw).where(
                Draw.status == DrawStatus.DRAWN, Draw.evaluation_at <= clock.now() - after
            )
        ).scalars()
    )
    for item in due:
        reveal_draw(item, None)
    db.session.flush()
    return len(due)


def register(app: Any) -> None:
    """Hook the sweeps into the scheduler."""
    from app.core.scheduler import register_job

    register_job(
        "experts.sweep_invitations",
        sweep_invitations,
        seconds=settings.invitation_sweep_seconds(app),
    )
    register_job("experts.sweep_reveal", sweep_reveal, seconds=settings.reveal_sweep_seconds(app))
