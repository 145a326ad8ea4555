"""Online reverse auction (网上竞价): bids downward by at least the step, soft close on the
server clock, anonymous live updates through the rooms server, replay from the event log.

Every accepted bid is a row and a room event written in one transaction; the rooms
process only relays the log, so a restart of it loses nothing and moves no close time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, DomainError, Forbidden, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from app.core.realtime import RoomEvent, emit
from app.core.rooms import RoomKind
from app.market import actions, agencies, policies
from app.market.models import Bid, Interest, Need, NeedMethod, NeedStatus
from app.market.needs import get_need, money

AUCTION = RoomKind("auction")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def best_bid(need: Need) -> Bid | None:
    return db.session.execute(
        select(Bid).where(Bid.need_id == need.id).order_by(Bid.price, Bid.seq).limit(1)
    ).scalar_one_or_none()


def _counts(need: Need) -> tuple[int, int]:
    n, k = db.session.execute(
        select(func.count(Bid.id), func.count(func.distinct(Bid.org_id))).where(
            Bid.need_id == need.id
        )
    ).one()
    return int(n), int(k)


def phase(need: Need, now: dt.datetime | None = None) -> str:
    """ "waiting", "live" or "closed" by the server clock (the close may not be swept yet)."""
    now = now or clock.now()
    if need.status != NeedStatus.OPEN or (need.closes_at and now >= need.closes_at):
        return "closed"
    if need.starts_at and now < need.starts_at:
        return "waiting"
    return "live"


def _refuse(actor: Any, need: Need, price: Any, exc: DomainError) -> DomainError:
    """Keep the refused attempt in the log (its own transaction), then hand the error back."""
    db.session.rollback()
    record(
        actions.BID_REFUSED,
        object_type="market_need",
        object_id=need.id,
        data={"price": str(price), "reason": str(exc.message)},
        actor=actor,
    )
    db.session.commit()
    return exc


def place_bid(actor: Any, need_id: int, price: Any) -> Bid:
    policies.ensure_agency_user(actor)
    # One bidder at a time per auction: the row lock orders bids (SQLite serialises writers).
    need = db.session.execute(
        select(Need)
        .where(Need.id == need_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if need is None:
        need = get_need(need_id)
    if need.method != NeedMethod.AUCTION:
        raise Conflict(_l("该需求不是网上竞价。"))
    now = clock.now()
    try:
        if need.status != NeedStatus.OPEN or (need.closes_at and now >= need.closes_at):
            raise TooLate(_l("竞价已结束，报价不被接受。"))
        if need.starts_at and now < need.starts_at:
            raise TooEarly(_l("竞价尚未开始。"))
        reason = agencies.refusal(
            db.session.get(agencies.AgencyProfile, actor.organisation_id),
            need.type_code,
            need.required_level,
        )
        if reason is not None:
            raise Forbidden(reason)
        amount = money(price, "price")
        assert amount is not None
        best = best_bid(need)
        step = need.step or Decimal("0.01")
        if best is not None and amount > best.price - step:
            raise ValidationError(
                _l(
                    "报价须比当前最低价 %(b)s 元至少低 %(s)s 元（不高于 %(m)s 元）。",
                    b=best.price,
                    s=step,
                    m=best.price - step,
                ),
                field="price",
            )
        if best is None and need.ceiling is not None and amount > need.ceiling:
            raise ValidationError(
                _l("报价不得高于最高限价 %(c)s 元。", c=need.ceiling), field="price"
            )
    except DomainError as exc:
        raise _refuse(actor, need, price, exc) from None
    seq = (
        db.session.execute(select(func.max(Bid.seq)).where(Bid.need_id == need.id)).scalar() or 0
    ) + 1
    bid = Bid(need_id=need.id, org_id=actor.organisation_id, seq=seq, price=amount, at=now)
    db.session.add(bid)
    if not db.session.execute(
        select(Interest.id).where(Interest.need_id == need.id, Interest.org_id == bid.org_id)
    ).first():
        db.session.add(Interest(need_id=need.id, org_id=bid.org_id, at=now))
    extended = False
    assert need.closes_at is not None
    window = dt.timedelta(minutes=need.extend_window_minutes)
    if need.closes_at - now <= window:
        new_close = now + dt.timedelta(minutes=need.extend_minutes)
        if new_close > need.closes_at:
            old = need.closes_at
            need.closes_at = new_close
            need.extensions += 1
            extended = True
            record(
                actions.AUCTION_EXTENDED,
                need,
                {"from": _iso(old), "to": _iso(new_close), "bid_seq": seq},
                actor=actor,
            )
    db.session.flush()
    record(
        actions.BID_ACCEPTED,
        need,
        {"seq": seq, "price": str(amount), "org_id": bid.org_id},
        actor=actor,
    )
    n, k = _counts(need)
    # Only what every bidder may see: no names, no organisation ids.
    emit(
        AUCTION.name(need.id),
        "bid",
        {
            "bid_seq": seq,
            "best": str(amount),
            "bids": n,
            "bidders": k,
            "closes_at": _iso(need.closes_at),
            "extended": extended,
            "extensions": need.extensions,
            "at": _iso(now),
        },
    )
    return bid


def close_if_due(need: Need) -> bool:
    """Close an auction whose (possibly extended) close time has passed on the server clock."""
    if need.method != NeedMethod.AUCTION or need.status != NeedStatus.OPEN:
        return False
    if need.closes_at is None or clock.now() < need.closes_at:
        return False
    best = best_bid(need)
    n, k = _counts(need)
    need.status = NeedStatus.CLOSED if best is not None else NeedStatus.CANCELLED
    db.session.flush()
    record(
        actions.AUCTION_CLOSED,
        need,
        {
            "bids": n,
            "bidders": k,
            "best": str(best.price) if best else None,
            "extensions": need.extensions,
        },
    )
    emit(
        AUCTION.name(need.id),
        "closed",
        {
            "best": str(best.price) if best else None,
            "bids": n,
            "bidders": k,
            "closes_at": _iso(need.closes_at),
        },
    )
    return True


def close_due() -> int:
    """Scheduler job: close every auction whose time has come."""
    due = (
        db.session.execute(
            select(Need).where(
                Need.method == NeedMethod.AUCTION,
                Need.status == NeedStatus.OPEN,
                Need.closes_at <= clock.now(),
            )
        )
        .scalars()
        .all()
    )
    closed = sum(1 for need in due if close_if_due(need))
    db.session.commit()
    return closed


def lowest_qualified(need: Need) -> Bid | None:
    """The lowest bid of an agency that may still serve the need (qualification valid, not
    suspended): a bidder whose qualification lapsed after bidding does not win."""
    for bid in db.session.execute(
        select(Bid).where(Bid.need_id == need.id).order_by(Bid.price, Bid.seq)
    ).scalars():
        profile = db.session.get(agencies.AgencyProfile, bid.org_id)
        if agencies.refusal(profile, need.type_code, need.required_level) is None:
            return bid
    return None


def state_for(user: Any, need: Need) -> dict[str, Any]:
    """What the user may see of the auction now: best price, counts, close; their own rank."""
    now = clock.now()
    best = best_bid(need)
    n, k = _counts(need)
    step = need.step or Decimal("0.01")
    out: dict[str, Any] = {
        "need_id": need.id,
        "phase": phase(need, now),
        "server_now": _iso(now),
        "starts_at": _iso(need.starts_at),
        "closes_at": _iso(need.closes_at),
        "planned_close_at": _iso(need.planned_close_at),
        "extensions": need.extensions,
        "extend_window_minutes": need.extend_window_minutes,
        "extend_minutes": need.extend_minutes,
        "ceiling": str(need.ceiling) if need.ceiling is not None else None,
        "step": str(step),
        "best": str(best.price) if best else None,
        "max_next": str(best.price - step)
        if best
        else (str(need.ceiling) if need.ceiling else None),
        "bids": n,
        "bidders": k,
        "my_best": None,
        "my_rank": None,
        "last_seq": room_last_seq(need),
    }
    if policies.is_agency_user(user):
        rows = db.session.execute(
            select(Bid.org_id, func.min(Bid.price))
            .where(Bid.need_id == need.id)
            .group_by(Bid.org_id)
        ).all()
        ranked = sorted(rows, key=lambda r: r[1])
        for i, (org_id, price) in enumerate(ranked, start=1):
            if org_id == user.organisation_id:
                out["my_best"], out["my_rank"] = str(price), i
    return out


def room_last_seq(need: Need) -> int:
    return int(
        db.session.execute(
            select(func.max(RoomEvent.seq)).where(RoomEvent.room == AUCTION.name(need.id))
        ).scalar()
        or 0
    )


def replay(need: Need) -> list[RoomEvent]:
    """The auction's whole history as the room saw it, in order."""
    return list(
        db.session.execute(
            select(RoomEvent).where(RoomEvent.room == AUCTION.name(need.id)).order_by(RoomEvent.seq)
        ).scalars()
    )


def replay_check(need: Need) -> bool:
    """The log replays to the stored result: the same bids in order, the same best price
    and close time."""
    events = [e for e in replay(need) if e.kind == "bid"]
    bids = list(
        db.session.execute(select(Bid).where(Bid.need_id == need.id).order_by(Bid.seq)).scalars()
    )
    if [e.payload["bid_seq"] for e in events] != [b.seq for b in bids]:
        return False
    if [Decimal(e.payload["best"]) for e in events] != [b.price for b in bids]:
        return False
    return not (events and events[-1].payload["closes_at"] != _iso(need.closes_at))


def bids_with_names(need: Need) -> list[Bid]:
    """For the buyer and supervisors once the auction is over."""
    return list(
        db.session.execute(select(Bid).where(Bid.need_id == need.id).order_by(Bid.seq)).scalars()
    )


def may_join(user: Any, room: str) -> bool:
    need_id = AUCTION.ident(room)
    need = db.session.get(Need, need_id) if need_id is not None else None
    if need is None or need.method != NeedMethod.AUCTION:
        return False
    if policies.can_watch_auction(user, need):
        return True
    if policies.is_agency_user(user):
        profile = db.session.get(agencies.AgencyProfile, user.organisation_id)
        return agencies.refusal(profile, need.type_code, need.required_level) is None
    return False
