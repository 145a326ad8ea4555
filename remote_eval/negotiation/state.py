"""What the negotiation's rows say: rounds, who is still in, each supplier's quotes.

Read-only helpers shared by the commands, the pages, the API and the evaluation's price
(`final_price`): a price is read only from a closed round (`price` is empty before).
"""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.methods import rule_for
from bidding.models import Lot
from remote_eval.models import EvalSession
from remote_eval.negotiation.models import (
    NegotiationAmendment,
    NegotiationDrop,
    NegotiationMessage,
    NegotiationQuote,
    NegotiationRound,
)


def rounds(session: EvalSession) -> list[NegotiationRound]:
    return list(
        db.session.execute(
            select(NegotiationRound)
            .where(NegotiationRound.session_id == session.id)
            .order_by(NegotiationRound.number)
        ).scalars()
    )


def open_round(session: EvalSession) -> NegotiationRound | None:
    found = rounds(session)
    return found[-1] if found and found[-1].closed_at is None else None


def concluded(session: EvalSession) -> bool:
    found = rounds(session)
    return bool(found and found[-1].final and found[-1].closed_at is not None)


def opened_bids(session: EvalSession) -> list[Bid]:
    return list(
        db.session.execute(
            select(Bid)
            .where(Bid.lot_id == session.lot_id, Bid.status == BidStatus.DECRYPTED)
            .order_by(Bid.id)
        ).scalars()
    )


def drops(session: EvalSession) -> dict[int, NegotiationDrop]:
    rows = db.session.execute(
        select(NegotiationDrop).where(NegotiationDrop.session_id == session.id)
    ).scalars()
    return {d.bid_id: d for d in rows}


def drop_of(session: EvalSession, bid: Bid) -> NegotiationDrop | None:
    return db.session.execute(
        select(NegotiationDrop).where(
            NegotiationDrop.session_id == session.id, NegotiationDrop.bid_id == bid.id
        )
    ).scalar_one_or_none()


def remaining_bids(session: EvalSession) -> list[Bid]:
    dropped = drops(session)
    return [b for b in opened_bids(session) if b.id not in dropped]


def quotes_of(rnd: NegotiationRound) -> list[NegotiationQuote]:
    return list(
        db.session.execute(
            select(NegotiationQuote)
            .where(NegotiationQuote.round_id == rnd.id)
            .order_by(NegotiationQuote.id)
        ).scalars()
    )


def quote_in(rnd: NegotiationRound, bid: Bid) -> NegotiationQuote | None:
    return db.session.execute(
        select(NegotiationQuote).where(
            NegotiationQuote.round_id == rnd.id, NegotiationQuote.supplier_id == bid.supplier_id
        )
    ).scalar_one_or_none()


def quotes_by_bid(session: EvalSession) -> dict[int, dict[int, NegotiationQuote]]:
    """bid id → round number → its quote (sealed or read)."""
    numbers = {r.id: r.number for r in rounds(session)}
    out: dict[int, dict[int, NegotiationQuote]] = {}
    if not numbers:
        return out
    rows = db.session.execute(
        select(NegotiationQuote).where(NegotiationQuote.round_id.in_(numbers))
    ).scalars()
    for q in rows:
        out.setdefault(q.bid_id, {})[numbers[q.round_id]] = q
    return out


def amendments(session: EvalSession) -> list[NegotiationAmendment]:
    return list(
        db.session.execute(
            select(NegotiationAmendment)
            .where(NegotiationAmendment.session_id == session.id)
            .order_by(NegotiationAmendment.id)
        ).scalars()
    )


def messages(session: EvalSession, bid: Bid) -> list[NegotiationMessage]:
    return list(
        db.session.execute(
            select(NegotiationMessage)
            .where(NegotiationMessage.session_id == session.id, NegotiationMessage.bid_id == bid.id)
            .order_by(NegotiationMessage.id)
        ).scalars()
    )


def supplier_users(bid: Bid) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.organisation_id == bid.supplier_id,
                User.role == Role.SUPPLIER,
                User.is_active_flag.is_(True),
            )
        ).scalars()
    )


def supplier_link(bid: Bid) -> str:
    try:
        return url_for("negotiation.supplier_page", bid_id=bid.id)
    except RuntimeError:  # outside a request (the demo's seeding): a relative link
        return f"/negotiations/{bid.id}"


# ---------------------------------------------------------------- the evaluation's price
def session_of_lot(lot_id: int) -> EvalSession | None:
    return db.session.execute(
        select(EvalSession).where(EvalSession.lot_id == lot_id, EvalSession.sealed_at.is_(None))
    ).scalar_one_or_none()


def lot_negotiates(lot_id: int) -> bool:
    """Whether the lot's method is negotiated in rounds. Read from rows the identity map
    usually holds already, so the other methods' evaluations pay no query per bid here."""
    lot = db.session.get(Lot, lot_id)
    return lot is not None and rule_for(lot.project.method).negotiates_in_rounds


def negotiates(session: EvalSession) -> bool:
    """Whether the session's lot is negotiated in rounds (its method says so)."""
    return lot_negotiates(session.lot_id)


def final_price(bid: Bid) -> Decimal | None:
    """The bid's read final quote, once the final round has closed; else None."""
    if not lot_negotiates(bid.lot_id):
        return None
    row = db.session.execute(
        select(NegotiationQuote.price)
        .join(NegotiationRound, NegotiationRound.id == NegotiationQuote.round_id)
        .where(
            NegotiationRound.lot_id == bid.lot_id,
            NegotiationRound.final.is_(True),
            NegotiationRound.closed_at.is_not(None),
            NegotiationQuote.bid_id == bid.id,
        )
    ).first()
    return row[0] if row is not None else None


def out_reasons(session: EvalSession) -> dict[int, str]:
    """bid id → why the negotiation left it out of the evaluation, for every bid it left
    out; in a few queries for the whole lot, as the summary asks for all bids at once."""
    if not lot_negotiates(session.lot_id):
        return {}
    out = {
        bid_id: str(_l("谈判小组终止谈判：%(r)s", r=drop.reason))
        for bid_id, drop in drops(session).items()
    }
    if concluded(session):
        finals = {
            bid_id
            for (bid_id,) in db.session.execute(
                select(NegotiationQuote.bid_id)
                .join(NegotiationRound, NegotiationRound.id == NegotiationQuote.round_id)
                .where(
                    NegotiationRound.session_id == session.id,
                    NegotiationRound.final.is_(True),
                    NegotiationRound.closed_at.is_not(None),
                )
            )
        }
        for bid in opened_bids(session):
            if bid.id not in out and bid.id not in finals:
                out[bid.id] = str(_l("未提交最后报价。"))
    return out


def out_reason(session: EvalSession, bid: Bid) -> str:
    """Why the negotiation left the bid out of the evaluation ("" while it is in)."""
    return out_reasons(session).get(bid.id, "")
