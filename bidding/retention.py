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
from sqlalchemy import Table, and_, event, inspect, select, true
from sqlalchemy.orm import ORMExecuteState, Session

from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import actions, hooks
from bidding.models import Lot, Project


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


def _audited(error: Conflict, lot: Lot, table: str) -> Conflict:
    # The same entry as `ensure_deletable` keeps, written by the shell after its rollback.
    error.audited(actions.DELETE_REFUSED, lot, {"what": table, "reason": str(error.message)})
    return error


def _lot_ids(session: Session, table: Table, where: Any, params: Any = None) -> set[int]:
    """The lots whose archive may refer to the rows of `table` that `where` selects: the
    lot itself, a row with a `lot_id`, a row of the lot's project that belongs to no lot
    (project-wide notices) or the project itself, and a row one foreign key away from a
    lot's row (a report of its evaluation session, an objection raised at its opening)."""

    def ids(query: Any) -> set[int]:
        if where is not None:
            query = query.where(where)
        # The DELETE's own bound parameters (one set each for an executemany).
        sets = params if isinstance(params, list) else [params or {}]
        return {
            i for p in sets for i in session.execute(query.distinct(), p).scalars() if i is not None
        }

    if table.name == Lot.__tablename__:
        return ids(select(table.c.id))
    if table.name == Project.__tablename__:
        return ids(select(Lot.id).where(Lot.project_id == table.c.id))
    found: set[int] = set()
    if "lot_id" in table.c:
        found |= ids(select(table.c.lot_id))
    if "project_id" in table.c:
        lotless = table.c.lot_id.is_(None) if "lot_id" in table.c else true()
        found |= ids(select(Lot.id).where(Lot.project_id == table.c.project_id, lotless))
    if "lot_id" not in table.c:
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name == Lot.__tablename__:
                found |= ids(select(fk.parent))
            elif "lot_id" in parent.c and parent is not table:
                found |= ids(select(parent.c.lot_id).where(fk.column == fk.parent))
    return found


def _refuse_if_held(session: Session, lot_ids: set[int], what: Any, table: str) -> None:
    for lot_id in sorted(lot_ids):
        lot = session.get(Lot, lot_id)
        error = refusal(lot, what) if lot is not None else None
        if error is not None:
            raise _audited(error, lot, table)


def _guard(session: Session, _context: Any, _instances: Any) -> None:
    if not session.deleted:
        return
    with session.no_autoflush:
        for obj in list(session.deleted):
            table = obj.__table__
            key = inspect(obj).identity
            if key is None:
                continue
            where = and_(*(c == v for c, v in zip(table.primary_key.columns, key, strict=True)))
            lot_ids = _lot_ids(session, table, where)
            if isinstance(getattr(obj, "lot_id", None), int):  # as changed in this session
                lot_ids.add(obj.lot_id)
            _refuse_if_held(session, lot_ids, _l("该记录"), table.name)


def _bulk_guard(state: ORMExecuteState) -> None:
    if not state.is_delete:
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table):
        return
    session = state.session
    with session.no_autoflush:
        lot_ids = _lot_ids(session, table, state.statement.whereclause, state.parameters)
        _refuse_if_held(session, lot_ids, _l("这些记录"), table.name)


def install_guard() -> None:
    """Refuse the deletion of any row of a held lot (see `_lot_ids`: bids, documents,
    announcements, filings, notices, contracts, sittings, the rows of its evaluation and
    opening …): at flush for deleted objects, before execution for bulk DELETE statements."""
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
    if not event.contains(Session, "do_orm_execute", _bulk_guard):
        event.listen(Session, "do_orm_execute", _bulk_guard)
