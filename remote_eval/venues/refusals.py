"""Refused attempts on rooms, bookings and assistance: rolled back, audited once, answered.

A refusal's transaction is rolled back whole (nothing half-saved), then one
`venue.refused` entry names the command, the caller and the reason in its own commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import record
from app.core.errors import Conflict, DomainError
from app.core.extensions import db
from remote_eval.venues import actions

T = TypeVar("T")
STALE = _l("数据已被他人更新，请刷新后重试。")


def run(command: str, obj: tuple[str, Any], actor: Any, fn: Callable[[], T]) -> T:
    """Run one command and commit it; on refusal roll back, audit the attempt, re-raise."""
    try:
        result = fn()
        db.session.commit()
        return result
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        error = Conflict(STALE)
        _audit(command, obj, actor, error)
        raise error from exc
    except DomainError as exc:
        db.session.rollback()
        _audit(command, obj, actor, exc)
        raise


def _audit(command: str, obj: tuple[str, Any], actor: Any, exc: DomainError) -> None:
    kind, ident = obj
    record(
        actions.REFUSED,
        object_type=kind,
        object_id=ident if ident is not None else "",
        data={"command": command, "error": exc.code, "message": str(exc.message)},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    db.session.commit()
