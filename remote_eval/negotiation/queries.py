"""What each side of the negotiation sees, for the pages and the API alike.

The group sees every supplier, the rounds with how many quotes are sealed in the open one
(never whose or how much) and every quote of a closed round; a supplier sees only its
own quotes, the amendments and its own conversation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.auth.models import User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.labels import method_label
from bidding.models import Lot
from remote_eval import clarifications
from remote_eval.models import EvalSession
from remote_eval.negotiation import events, state
from remote_eval.negotiation.models import NegotiationMessage, NegotiationRound
from remote_eval.negotiation.state import negotiates
from remote_eval.policies import can_answer_for, is_acting, is_leader, member_of


def _round(rnd: NegotiationRound, sealed_count: int) -> dict[str, Any]:
    return {
        "id": rnd.id,
        "number": rnd.number,
        "final": rnd.final,
        "opened_at": rnd.opened_at,
        "closed_at": rnd.closed_at,
        "sealed_count": sealed_count,
    }


def _lot_info(lot: Lot) -> dict[str, Any]:
    return {
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "project_name": lot.project.name,
        "method": method_label(lot.project.method),
    }


def message_out(m: NegotiationMessage) -> dict[str, Any]:
    author = db.session.get(User, m.author_id)
    return {
        "id": m.id,
        "from_group": m.from_group,
        "author": (author.display_name if author is not None else "") if not m.from_group else "",
        "text": m.text,
        "posted_at": m.posted_at,
    }


def group_view(session: EvalSession, user: Any, talk_bid: Bid | None = None) -> dict[str, Any]:
    """The negotiation as the committee sees it (optionally with one supplier's conversation)."""
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    rounds = state.rounds(session)
    quotes = state.quotes_by_bid(session)
    dropped = state.drops(session)
    suppliers = []
    for bid in state.opened_bids(session):
        mine = quotes.get(bid.id, {})
        read = {n: q for n, q in mine.items() if q.price is not None}
        drop = dropped.get(bid.id)
        suppliers.append(
            {
                "bid_id": bid.id,
                "supplier": bid.supplier.name,
                "opened_price": clarifications.opened_price(bid),
                "quotes": [
                    {"round": n, "price": read[n].price, "sha256": read[n].sha256}
                    for n in sorted(read)
                ],
                "by_round": {n: q.price for n, q in read.items()},
                "dropped": drop is not None,
                "drop_reason": drop.reason if drop is not None else "",
                "out_reason": state.out_reason(session, bid),
                "room": events.NEGO.name(bid.id),
            }
        )
    counts = {r.id: len(state.quotes_of(r)) for r in rounds}
    member = member_of(session, user)
    talk = None
    if talk_bid is not None:
        talk = {
            "bid_id": talk_bid.id,
            "supplier": talk_bid.supplier.name,
            "room": events.NEGO.name(talk_bid.id),
            "after": events.last_seq(events.NEGO.name(talk_bid.id)),
            "messages": [message_out(m) for m in state.messages(session, talk_bid)],
        }
    current = state.open_round(session)
    return {
        "session_id": session.id,
        **_lot_info(lot),
        "negotiates": negotiates(session),
        "phase": session.phase.value,
        "is_leader": bool(member is not None and is_leader(session, member)),
        "is_member": bool(member is not None and is_acting(member)),
        "concluded": state.concluded(session),
        "open_round": _round(current, counts[current.id]) if current is not None else None,
        "rounds": [_round(r, counts[r.id]) for r in rounds],
        "suppliers": suppliers,
        "amendments": [
            {"id": a.id, "after_round": a.after_round, "text": a.text, "made_at": a.made_at}
            for a in state.amendments(session)
        ],
        "talk": talk,
    }


def supplier_view(session: EvalSession, bid: Bid) -> dict[str, Any]:
    """The negotiation as the supplier of `bid` sees it: its own side only."""
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    rounds = state.rounds(session)
    mine = state.quotes_by_bid(session).get(bid.id, {})
    drop = state.drop_of(session, bid)
    current = state.open_round(session)
    own = []
    for rnd in rounds:
        q = mine.get(rnd.number)
        own.append(
            {
                "round": rnd.number,
                "final": rnd.final,
                "closed": rnd.closed_at is not None,
                "submitted_at": q.submitted_at if q is not None else None,
                "sha256": q.sha256 if q is not None else "",
                "price": q.price if q is not None else None,
            }
        )
    room_name = events.NEGO.name(bid.id)
    return {
        "session_id": session.id,
        "bid_id": bid.id,
        **_lot_info(lot),
        "supplier": bid.supplier.name,
        "dropped": drop is not None,
        "drop_reason": drop.reason if drop is not None else "",
        "concluded": state.concluded(session),
        "open_round": (
            {
                "id": current.id,
                "number": current.number,
                "final": current.final,
                "quoted": current.number in mine,
            }
            if current is not None
            else None
        ),
        "quotes": own,
        "amendments": [
            {"id": a.id, "after_round": a.after_round, "text": a.text, "made_at": a.made_at}
            for a in state.amendments(session)
        ],
        "messages": [message_out(m) for m in state.messages(session, bid)],
        "room": room_name,
        "after": events.last_seq(room_name),
    }


def supplier_negotiations(user: Any) -> list[tuple[EvalSession, Bid]]:
    """The caller's opened responses whose lot is negotiated in rounds by a sitting group."""
    if not getattr(user, "organisation_id", None):
        return []
    bids = db.session.execute(
        select(Bid)
        .where(Bid.supplier_id == user.organisation_id, Bid.status == BidStatus.DECRYPTED)
        .order_by(Bid.id.desc())
    ).scalars()
    out = []
    for bid in bids:
        if not can_answer_for(user, bid):
            continue
        session = state.session_of_lot(bid.lot_id)
        if session is not None and negotiates(session):
            out.append((session, bid))
    return out
