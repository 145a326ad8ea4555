"""Refused attempts against an evaluation: answered with their reason and audited once.

Every command of the evaluation's JSON API (and the reading of bid files) runs through
`run()`: a `DomainError` (a step out of order, a non-member, a score out of range, a second
vote, a verdict after the lock, ...) or a lost race on the same rows rolls back whatever
the command had written, leaves one `eval.refused` entry naming the command, the caller
and the reason, and is then answered as usual (a 4xx with the message in the caller's
language). Nested calls audit only once: the innermost one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import record
from app.core.errors import Conflict, DomainError
from app.core.extensions import db
from remote_eval import actions

T = TypeVar("T")
MAX_ID = 2**31 - 1
STALE = _l("数据已被他人更新，请刷新后重试。")


@contextmanager
def audited(command: str, session_id: int | None) -> Iterator[None]:
    """Answer a refused command with its reason, and keep one record of the attempt."""
    try:
        yield
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        error = Conflict(STALE)
        _audit(command, session_id, error)
        raise error from exc
    except DomainError as exc:
        db.session.rollback()
        _audit(command, session_id, exc)
        raise


def _audit(command: str, session_id: int | None, exc: DomainError) -> None:
    if getattr(exc, "_eval_refusal_audited", False):
        return  # an inner command already recorded this refusal
    record(
        actions.REFUSED,
        object_type="eval_session",
        object_id=session_id if session_id is not None and 0 < session_id <= MAX_ID else "",
        data={"command": command, "error": exc.code, "message": str(exc.message)},
    )
    db.session.commit()
    exc._eval_refusal_audited = True  # type: ignore[attr-defined]


def run(command: str, session_id: int | None, fn: Callable[[], T], *, commit: bool = True) -> T:
    """Call one command; commit its transaction, or audit and re-raise its refusal."""
    with audited(command, session_id):
        result = fn()
        if commit:
            db.session.commit()
    return result
