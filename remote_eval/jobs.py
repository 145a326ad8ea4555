"""Idempotent sweeps the scheduler runs for evaluations."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from remote_eval.committee import sync_members
from remote_eval.models import EvalMember, EvalSession, MemberKind, MemberStatus, Phase

log = logging.getLogger(__name__)
SYNC_SECONDS = 60


def sweep_replacements() -> dict[str, int]:
    """Seat the reserves who accepted since a member was removed (safe to re-run)."""
    ids = list(
        db.session.execute(
            select(EvalSession.id)
            .join(EvalMember, EvalMember.session_id == EvalSession.id)
            .where(
                EvalSession.phase != Phase.DONE,
                EvalMember.kind == MemberKind.EXPERT,
                EvalMember.status == MemberStatus.REMOVED,
            )
            .distinct()
        ).scalars()
    )
    seated = 0
    for ident in ids:
        session = db.session.get(EvalSession, ident)
        if session is None:
            continue
        try:
            seated += len(sync_members(session))
            db.session.commit()
        except Exception:  # one session's trouble must not stop the others
            db.session.rollback()
            log.exception("evaluation %s: seating replacements failed", ident)
    return {"sessions": len(ids), "seated": seated}


def register(app: Any) -> None:
    from app.core.scheduler import register_job

    register_job(
        "remote_eval.sweep_replacements",
        sweep_replacements,
        seconds=int(app.config.get("EVAL_SYNC_SECONDS", SYNC_SECONDS)),
    )
