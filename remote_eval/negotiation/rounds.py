"""Rounds of sealed quotes: the leader opens a round, each remaining supplier seals one
quote in it, and closing the round reads every quote of the round at once.

A quote is sealed with the platform's secret box under a purpose naming its round and
supplier (so a sealed value cannot be moved to another row) and its `price` stays empty
until the close: no page, API or query of the platform can read it earlier. The last
round is the final quote (最后报价); a remaining supplier that seals none is out of it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.crypto.secretbox import open_secret, seal_secret
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.bids.models import Bid
from remote_eval import actions, flow
from remote_eval.models import EvalMember, EvalSession, Phase
from remote_eval.negotiation import events, state
from remote_eval.negotiation.models import NegotiationQuote, NegotiationRound
from remote_eval.policies import can_answer_for, ensure_leader

CENTS = Decimal("0.01")
PRICE_MAX = Decimal("99999999999.99")


def ensure_negotiates(session: EvalSession) -> None:
    if not state.negotiates(session):
        raise Conflict(_l("本项目的采购方式不进行多轮谈判。"))


def _purpose(round_id: int, supplier_id: int) -> str:
    return f"negotiation-quote:{round_id}:{supplier_id}"


def _lock_session(session: EvalSession) -> None:
    """Serialise the group's commands on one session (a no-op on SQLite)."""
    db.session.execute(select(EvalSession.id).where(EvalSession.id == session.id).with_for_update())


def _lock_round(rnd: NegotiationRound) -> None:
    """A quote and the close of its round meet here, so no quote slips in after the close."""
    db.session.execute(
        select(NegotiationRound.id).where(NegotiationRound.id == rnd.id).with_for_update()
    )
    db.session.refresh(rnd)


# ---------------------------------------------------------------- the group's commands
def open_round(session: EvalSession, member: EvalMember | None, *, final: bool) -> NegotiationRound:
    """The leader opens the next round (or the final quote) for every remaining supplier."""
    ensure_negotiates(session)
    flow.ensure_phase(session, Phase.REVIEW)
    member = ensure_leader(session, member)
    _lock_session(session)
    rounds = state.rounds(session)
    if rounds and rounds[-1].closed_at is None:
        raise Conflict(_l("第 %(n)s 轮尚未结束，结束后才能开始下一轮。", n=rounds[-1].number))
    if rounds and rounds[-1].final:
        raise Conflict(_l("最后报价已经结束，谈判不再继续。"))
    remaining = state.remaining_bids(session)
    if not remaining:
        raise Conflict(_l("已没有仍在谈判中的供应商。"))
    now = clock.now()
    rnd = NegotiationRound(
        session_id=session.id,
        lot_id=session.lot_id,
        number=(rounds[-1].number + 1) if rounds else 1,
        final=final,
        opened_at=now,
        opened_by_id=member.user_id,
    )
    db.session.add(rnd)
    db.session.flush()
    record(
        actions.NEGO_ROUND_OPENED,
        rnd,
        {"round": rnd.number, "final": final, "suppliers": len(remaining)},
        actor=member.user,
    )
    title = (
        _l("请提交最后报价（第 %(n)s 轮）", n=rnd.number)
        if final
        else _l("谈判第 %(n)s 轮已开始，可提交本轮报价", n=rnd.number)
    )
    for bid in remaining:
        for user in state.supplier_users(bid):
            notify(user, "negotiation", str(title), link=state.supplier_link(bid))
        events.to_supplier(bid, "round_opened", {"round": rnd.number, "final": final})
    events.to_group(session, "nego_round_opened", {"round": rnd.number, "final": final})
    return rnd


def close_round(
    session: EvalSession, member: EvalMember | None, rnd: NegotiationRound
) -> NegotiationRound:
    """Close the round and read every quote sealed in it at once."""
    ensure_negotiates(session)
    flow.ensure_phase(session, Phase.REVIEW)
    member = ensure_leader(session, member)
    _lock_round(rnd)
    if rnd.session_id != session.id:
        raise NotFound(_l("谈判轮次不存在。"))
    if rnd.closed_at is not None:
        raise Conflict(_l("第 %(n)s 轮已经结束。", n=rnd.number))
    now = clock.now()
    rnd.closed_at = now
    rnd.closed_by_id = member.user_id
    quotes = state.quotes_of(rnd)
    read: list[dict[str, Any]] = []
    for quote in quotes:
        quote.price = _unseal(quote)
        read.append({"bid_id": quote.bid_id, "price": str(quote.price), "sha256": quote.sha256})
    db.session.flush()
    record(
        actions.NEGO_ROUND_CLOSED,
        rnd,
        {"round": rnd.number, "final": rnd.final, "quotes": read},
        actor=member.user,
    )
    for quote in quotes:
        bid = db.session.get(Bid, quote.bid_id)
        if bid is not None:
            events.to_supplier(
                bid, "round_closed", {"round": rnd.number, "price": str(quote.price)}
            )
    events.to_group(session, "nego_round_closed", {"round": rnd.number, "final": rnd.final})
    return rnd


def _unseal(quote: NegotiationQuote) -> Decimal:
    body = json.loads(open_secret(quote.sealed, _purpose(quote.round_id, quote.supplier_id)))
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    if hashlib.sha256(raw).hexdigest() != quote.sha256:
        raise Conflict(_l("密封报价校验未通过，请联系平台管理员。"))
    return Decimal(body["price"])


# ---------------------------------------------------------------- the supplier's quote
def clean_price(raw: Any) -> Decimal:
    try:
        price = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_l("报价应为金额数字，如 1234.56。"), field="price") from None
    if not price.is_finite() or price <= 0:
        raise ValidationError(_l("报价应大于 0。"), field="price")
    if price != price.quantize(CENTS) or price > PRICE_MAX:
        raise ValidationError(_l("报价最多精确到分，且不超过一千亿元。"), field="price")
    return price


def submit_quote(rnd: NegotiationRound, user: User, bid: Bid, raw_price: Any) -> NegotiationQuote:
    """The supplier seals its quote for the open round: once, while the round is open."""
    if not can_answer_for(user, bid) or bid.lot_id != rnd.lot_id:
        raise Forbidden(_l("只有参加本次谈判的供应商本人可以提交报价。"))
    session = db.session.get(EvalSession, rnd.session_id)
    assert session is not None
    flow.ensure_not_blocked(session)
    _lock_round(rnd)
    if rnd.closed_at is not None:
        raise Conflict(_l("第 %(n)s 轮已经结束，不能再提交本轮报价。", n=rnd.number))
    drop = state.drop_of(session, bid)
    if drop is not None:
        raise Forbidden(_l("谈判小组已终止与贵单位的谈判（%(r)s），不能再报价。", r=drop.reason))
    if state.quote_in(rnd, bid) is not None:
        raise Conflict(_l("贵单位已提交第 %(n)s 轮报价，每轮只能报价一次。", n=rnd.number))
    price = clean_price(raw_price)
    ceiling = bid.lot.ceiling_price
    if ceiling is not None and price > ceiling:
        raise ValidationError(
            _l("报价不得超过最高限价 %(c)s 元。", c=formatting.money(ceiling)), field="price"
        )
    # A random salt keeps the receipt's hash from revealing a guessable price.
    body = {"price": str(price), "salt": secrets.token_hex(16), "bid_id": bid.id}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    quote = NegotiationQuote(
        round_id=rnd.id,
        bid_id=bid.id,
        supplier_id=bid.supplier_id,
        sealed="",
        sha256=hashlib.sha256(raw).hexdigest(),
        submitted_at=clock.now(),
        submitted_by_id=user.id,
    )
    db.session.add(quote)
    db.session.flush()
    quote.sealed = seal_secret(raw, _purpose(rnd.id, bid.supplier_id))
    db.session.flush()
    record(
        actions.NEGO_QUOTE_SEALED,
        quote,
        {"round": rnd.number, "bid_id": bid.id, "sha256": quote.sha256},
        actor=user,
    )
    events.to_supplier(bid, "quote_sealed", {"round": rnd.number, "sha256": quote.sha256})
    events.to_group(
        session, "nego_quote_in", {"round": rnd.number, "count": len(state.quotes_of(rnd))}
    )
    return quote


# ---------------------------------------------------------------- the phase's exit check
def review_exit_check(session: EvalSession) -> list[Any]:
    """A negotiated lot leaves the review only after its final quote has been read."""
    if not state.negotiates(session):
        return []
    rounds = state.rounds(session)
    if not rounds or not rounds[-1].final or rounds[-1].closed_at is None:
        return [_l("谈判尚未完成：须结束最后报价轮，才能进入下一阶段。")]
    return []


flow.register_exit_check(Phase.REVIEW, review_exit_check)
