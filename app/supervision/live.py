"""The supervision room: dashboards of a centre (and the provincial one) learn live that
lots' supervision points or stages changed, and fetch the new state."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.extensions import db
from app.core.realtime import emit
from app.core.rooms import RoomKind
from bidding.models import Lot, Project

log = logging.getLogger(__name__)
SUPERVISION = RoomKind("supervision")
ALL = "all"  # the provincial room: every centre


def room_for(centre_id: int | None) -> str:
    return SUPERVISION.name(centre_id if centre_id is not None else ALL)


def lots_changed(lot_ids: list[int], kind: str = "lots") -> None:
    """Tell the dashboards of the lots' centres, and the provincial one, in this transaction.

    A lost race on the room's sequence (two commits at once) only costs a refresh the
    dashboard's periodic check makes up for: it must never undo the caller's change."""
    if not lot_ids:
        return
    rows = db.session.execute(
        select(Lot.id, Project.centre_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Lot.id.in_(lot_ids))
    ).all()
    by_centre: dict[int, list[int]] = {}
    for lot_id, centre_id in rows:
        by_centre.setdefault(centre_id, []).append(lot_id)
    for centre_id, ids in [*by_centre.items(), (None, sorted(lot_ids))]:
        _emit(room_for(centre_id), kind, {"lots": ids[:500]})


def last_seq(room: str) -> int:
    """Where a page that has just rendered the board starts following the room."""
    from sqlalchemy import func

    from app.core.realtime import RoomEvent

    return int(
        db.session.execute(select(func.max(RoomEvent.seq)).where(RoomEvent.room == room)).scalar()
        or 0
    )


def _emit(room: str, kind: str, payload: dict[str, Any]) -> None:
    try:
        with db.session.begin_nested():
            emit(room, kind, payload)
    except IntegrityError:
        log.info("supervision room %s: event lost to a concurrent one", room)


def may_join(user: Any, room: str) -> bool:
    """Supervisors of the room's centre; the provincial supervisor joins every room."""
    from app.supervision.policies import can_watch_centre, is_provincial

    if room == room_for(None):
        return is_provincial(user)
    centre_id = SUPERVISION.ident(room)
    return centre_id is not None and can_watch_centre(user, centre_id)
