"""Retention: nothing a retained project archive refers to is deleted, by a page, the API
or any other code path.

The archive (a higher floor) says which lots it holds through `hooks.register_retention_hold`;
every service that deletes or withdraws something of a lot asks `ensure_deletable` first,
which refuses with the archive's reason and keeps an audit entry of the attempt. As a
backstop, `install_guard` refuses any deletion of a held lot's rows through a session: one
object at a time at flush, and a bulk `delete(Model).where(...)` before it runs, so a delete
path added later cannot slip past the rule. Both refusals ask the shell to audit them
(`lot.delete_refused`) once the refused transaction has rolled back.

Not covered: SQL sent past the session (a bare connection, `text("DELETE …")`), which
no service does; the backstop guards the session, the one way services write.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, event, select
from sqlalchemy.orm import ORMExecuteState, Session

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


def _audited(error: Conflict, lot: Lot, table: str) -> Conflict:
    # The same entry as `ensure_deletable` keeps, written by the shell after its rollback.
    error.audited(actions.DELETE_REFUSED, lot, {"what": table, "reason": str(error.message)})
    return error


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
                raise _audited(error, lot, obj.__tablename__)


def _lots_touched(session: Session, table: Table, where: Any) -> list[int]:
    """The ids of the lots whose rows a DELETE on `table` with `where` would remove."""
    if table.name == Lot.__tablename__:
        column = table.c.id
    elif "lot_id" in table.c:
        column = table.c.lot_id
    else:
        return []
    query = select(column).distinct()
    if where is not None:
        query = query.where(where)
    return [i for i in session.execute(query).scalars() if i is not None]


def _bulk_guard(state: ORMExecuteState) -> None:
    if not state.is_delete:
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table):
        return
    session = state.session
    with session.no_autoflush:
        for lot_id in _lots_touched(session, table, state.statement.whereclause):
            lot = session.get(Lot, lot_id)
            error = refusal(lot, _l("这些记录")) if lot is not None else None
            if error is not None:
                raise _audited(error, lot, table.name)


def install_guard() -> None:
    """Refuse the deletion of any row of a held lot (the lot, or a row with a `lot_id`:
    bids, documents, announcements, filings, notices, contracts, sittings …): at flush for
    deleted objects, before execution for bulk DELETE statements."""
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
    if not event.contains(Session, "do_orm_execute", _bulk_guard):
        event.listen(Session, "do_orm_execute", _bulk_guard)
