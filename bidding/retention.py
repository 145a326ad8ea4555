"""Retention: nothing a retained project archive refers to is deleted, by a page, the API
or any other code path.

The archive (a higher floor) says which lots it holds through `hooks.register_retention_hold`;
every service that deletes or withdraws something of a lot asks `ensure_deletable` first,
which refuses with the archive's reason and keeps an audit entry of the attempt. As a
backstop, `install_guard` refuses any ORM deletion of a held lot's rows at flush time, so
a delete path added later cannot slip past the rule.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import actions, hooks
from bidding.models import Lot


def refusal(lot: Lot, what: Any) -> Conflict | None:
    """The refusal to delete `what` (words for people) of the lot, or None when it may go."""
    holds = hooks.retention_holds(lot)
    if not holds:
        return None
    return Conflict(
        _l("%(what)s已收入项目档案（%(why)s），保存期内不得删除。", what=what, why=holds[0])
    )


def ensure_deletable(lot: Lot, what: Any, code: str, user: User | None) -> None:
    """Refuse to delete `what` of a lot held by a retained archive: roll back whatever the
    caller had written, keep one audit entry of the attempt (`code` names what it was),
    and raise the refusal for the page or the API to answer."""
    error = refusal(lot, what)
    if error is None:
        return
    lot_id = lot.id
    db.session.rollback()
    held = db.session.get(Lot, lot_id)
    record(
        actions.DELETE_REFUSED,
        held,
        {"what": code, "reason": str(error.message)},
        actor=user,
    )
    db.session.commit()
    raise error


def _lot_of(session: Session, obj: Any) -> Lot | None:
    if isinstance(obj, Lot):
        return obj
    lot_id = getattr(obj, "lot_id", None)
    return session.get(Lot, lot_id) if isinstance(lot_id, int) else None


def _guard(session: Session, _context: Any, _instances: Any) -> None:
    if not session.deleted:
        return
    with session.no_autoflush:
        for obj in list(session.deleted):
            lot = _lot_of(session, obj)
            if lot is None:
                continue
            error = refusal(lot, _l("该记录"))
            if error is not None:
                raise error


def install_guard() -> None:
    """Refuse, at flush, the deletion of any row of a held lot (the lot, or a row with a
    `lot_id`: bids, documents, announcements, filings, notices, contracts, sittings …)."""
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
