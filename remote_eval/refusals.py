"""Refused attempts against an evaluation: answered with their reason and audited once.

Every command of the evaluation's JSON API (and the reading of bid files) runs through
`run()`: a `DomainError` (a step out of order, a non-member, a score out of range, a second
vote, a verdict after the lock, ...) or a lost race on the same rows rolls back whatever
the command had written, leaves one `eval.refused` entry naming the command, the caller
and the reason, and is then answered as usual (a 4xx with the message in the caller's
language). Nested calls audit only once: the innermost one. A refusal that comes before
any command (input the schema refuses) is audited by `audit_other_refusals`, which every
evaluation API blueprint runs after each request. A command on a lot's scoring scheme has no
session yet: its refusal names the lot instead (`lot_id=`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Response, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import record
from app.core.errors import Conflict, DomainError
from app.core.extensions import db
from remote_eval import actions

T = TypeVar("T")
MAX_ID = 2**31 - 1
# Set on the request once its refusal is audited (per request: `g` may outlive one in tests).
_AUDITED = "tenderhall.eval_refusal_audited"
STALE = _l("数据已被他人更新，请刷新后重试。")


@contextmanager
def audited(command: str, session_id: int | None, *, lot_id: int | None = None) -> Iterator[None]:
    """Answer a refused command with its reason, and keep one record of the attempt."""
    target = _target(session_id, lot_id)
    try:
        yield
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        error = Conflict(STALE)
        _audit(command, target, error)
        raise error from exc
    except DomainError as exc:
        db.session.rollback()
        _audit(command, target, exc)
        raise


def _target(session_id: Any, lot_id: Any) -> tuple[str, Any]:
    """What a refusal names: the session, or the lot when there is no session yet."""
    if session_id is None and lot_id is not None:
        return "lot", lot_id
    return "eval_session", session_id


def _audit(command: str, target: tuple[str, Any], exc: DomainError) -> None:
    if getattr(exc, "_eval_refusal_audited", False):
        return  # an inner command already recorded this refusal
    _record(command, target, exc.code, str(exc.message))
    exc._eval_refusal_audited = True  # type: ignore[attr-defined]


def _record(command: str, target: tuple[str, Any], code: str, message: str) -> None:
    kind, ident = target
    # Ids come from the URL: one past the integer range names nothing.
    ident = ident if isinstance(ident, int) and 0 < ident <= MAX_ID else ""
    record(
        actions.REFUSED,
        object_type=kind,
        object_id=ident,
        data={"command": command, "error": code, "message": message},
    )
    db.session.commit()
    if has_request_context():
        request.environ[_AUDITED] = True


def audit_other_refusals(resp: Response) -> Response:
    """After every call of the evaluation's APIs: a refusal that never reached a command
    (input its schema refused, a bad query string) is audited here, once, the same way.
    Anonymous calls (401) name nobody and are left to the login rate limits."""
    if (
        400 <= resp.status_code < 500
        and resp.status_code != 401
        and not request.environ.get(_AUDITED)
    ):
        body = resp.get_json(silent=True) if resp.is_json else None
        body = body if isinstance(body, dict) else {}
        args = request.view_args or {}
        _record(
            request.endpoint or request.path,
            _target(args.get("session_id"), args.get("lot_id")),
            str(body.get("error") or resp.status_code),
            str(body.get("message") or ""),
        )
    return resp


def run(
    command: str,
    session_id: int | None,
    fn: Callable[[], T],
    *,
    commit: bool = True,
    lot_id: int | None = None,
) -> T:
    """Call one command; commit its transaction, or audit and re-raise its refusal."""
    with audited(command, session_id, lot_id=lot_id):
        result = fn()
        if commit:
            db.session.commit()
    return result


def record_room_refusal(room: str, code: int, reason: str, user_id: int | None, peer: str) -> None:
    """A refused websocket attempt on the rooms server (a bad first frame, an expired,
    replayed or foreign token, a room one may not join, a frame sent to a push-only
    room): one `rooms.refused` entry, naming the user when the token did."""
    from app.core.auth.models import User

    user = db.session.get(User, user_id) if user_id else None
    record(
        actions.ROOM_REFUSED,
        object_type="room",
        object_id=room[:64],
        data={"room": room, "code": code, "reason": reason, "user_id": user_id, "peer": peer},
        actor=user,
    )
    db.session.commit()
