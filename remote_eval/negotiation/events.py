"""The negotiation's live rooms: the group's (the evaluation room) and one per supplier.

The group meets each supplier separately, so each supplier's conversation, quotes and
notices go to the room "nego:<bid id>", which only that supplier's users and the acting
members of the committee may join; the evaluation room hears only counts until a round
closes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.auth.models import Role
from app.core.extensions import db
from app.core.realtime import RoomEvent, emit
from app.core.rooms import RoomKind
from bidding.bids.models import Bid
from remote_eval import room
from remote_eval.models import EvalSession
from remote_eval.policies import is_acting, member_of

NEGO = RoomKind("nego")


def to_supplier(bid: Bid, kind: str, payload: dict[str, Any]) -> RoomEvent:
    return emit(NEGO.name(bid.id), kind, {"bid_id": bid.id, **payload})


def to_group(session: EvalSession, kind: str, payload: dict[str, Any]) -> RoomEvent:
    return room.publish(session, kind, payload)


def last_seq(room_name: str) -> int:
    from sqlalchemy import func

    return int(
        db.session.execute(
            select(func.max(RoomEvent.seq)).where(RoomEvent.room == room_name)
        ).scalar()
        or 0
    )


def may_join(user: Any, room_name: str) -> bool:
    """The supplier's own users, and the acting members of the lot's open committee."""
    bid_id = NEGO.ident(room_name)
    bid = db.session.get(Bid, bid_id) if bid_id else None
    if bid is None:
        return False
    if user.role == Role.SUPPLIER:
        return user.organisation_id == bid.supplier_id
    from remote_eval.negotiation.state import session_of_lot

    session = session_of_lot(bid.lot_id)
    member = member_of(session, user) if session is not None else None
    return member is not None and is_acting(member)
