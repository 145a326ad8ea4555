"""澄清: the committee's written questions to one bidder, answered once before a deadline.

- Any acting member may ask (the question is the committee's; the record says who wrote
  it), from the review until the summary is locked. Only the leader records the
  committee's finding on an abnormal-price explanation, as for a majority decision.
- The bidder's own users see only the clarifications addressed to their organisation
  and answer once, before the deadline; an answer is never edited.
- An abnormally low price (`methods.base.screen_prices`) needs a clarification of kind
  "abnormal_price", answered (or its deadline passed unanswered) and judged by the
  leader (`accepted`), before the price is scored: the finding is
  `BidderInput.explained_ok`, and the summary cannot be locked without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, NotFound, TooLate, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.models import Lot
from remote_eval import actions, flow, room
from remote_eval.methods.base import BidderInput, screen_prices, unexplained_low_reason
from remote_eval.models import EvalClarification, EvalMember, EvalSession, Phase
from remote_eval.negotiation.state import final_price as negotiated_final_price
from remote_eval.policies import ensure_can_answer_for, ensure_leader, ensure_may_act
from remote_eval.review import bid_outcome, load_bid, scheme_of, session_bids
from remote_eval.scheme import Scheme

GENERAL = "general"
ABNORMAL_PRICE = "abnormal_price"
KINDS = (GENERAL, ABNORMAL_PRICE)
TEXT_MAX = 5000


def price_of(bid: Bid) -> Decimal | None:
    """The price the committee evaluates: a negotiated lot's read final quote (最后报价)
    once its final round has closed, else the opened total price from the opening
    record, never retyped."""
    final = negotiated_final_price(bid)
    if final is not None:
        return final
    return opened_price(bid)


def opened_price(bid: Bid) -> Decimal | None:
    """The opened total price from the opening record, never retyped."""
    raw = (bid.price_form or {}).get("total_price")
    if raw is None or isinstance(raw, bool):
        return None
    try:
        price = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return price if price.is_finite() else None


def ceiling_of(session: EvalSession) -> Decimal | None:
    lot = db.session.get(Lot, session.lot_id)
    return lot.ceiling_price if lot is not None else None


def price_rejection(session: EvalSession, bid: Bid) -> str:
    """Why the bid's price is rejected on its own (missing, not positive, above the ceiling)."""
    return rejection_of(bid, scheme_of(session), ceiling_of(session))


def rejection_of(bid: Bid, scheme: Scheme, ceiling: Decimal | None) -> str:
    alone = [BidderInput(bid.id, "", price_of(bid), bid.received_at)]
    return screen_prices(alone, scheme, ceiling)[bid.id].rejected_reason


def still_in(session: EvalSession, bid: Bid) -> bool:
    """Passed the review, a valid price, and not found unexplained abnormally low."""
    return (
        bid_outcome(session, bid)[0]
        and not price_rejection(session, bid)
        and not is_rejected_low(session, bid)
    )


def ensure_still_in(session: EvalSession, bid: Bid) -> None:
    # Held for the length of the check: the identity map keeps only what is referenced,
    # and the ceiling and the price (negotiated or not) each read the lot and its project.
    lot = db.session.get(Lot, session.lot_id)
    if lot is not None:
        lot.project  # noqa: B018  (loaded once here, read from memory below)
    if not bid_outcome(session, bid)[0]:
        raise Conflict(_l("该投标人未通过资格或符合性审查，已被否决，不再评分。"))
    reason = price_rejection(session, bid) or (
        unexplained_low_reason(scheme_of(session)) if is_rejected_low(session, bid) else ""
    )
    if reason:
        raise Conflict(_l("该投标已被否决（%(why)s），不再评分。", why=reason))


def flagged_low(session: EvalSession) -> set[int]:
    """Bids still in whose valid price is abnormally low, as the method's screen sees it."""
    screened = [
        bid
        for bid in session_bids(session)
        if bid_outcome(session, bid)[0] and not is_rejected_low(session, bid)
    ]
    return low_among(screened, scheme_of(session), ceiling_of(session))


def low_among(bids: Iterable[Bid], scheme: Scheme, ceiling: Decimal | None) -> set[int]:
    """The bids whose valid price is abnormally low among these (the bids still in)."""
    inputs = [BidderInput(bid.id, "", price_of(bid), bid.received_at) for bid in bids]
    outcomes = screen_prices(inputs, scheme, ceiling)
    return {int(b) for b, o in outcomes.items() if o.abnormally_low}


def _latest_abnormal(session: EvalSession, bid_id: int) -> EvalClarification | None:
    return (
        db.session.execute(
            select(EvalClarification)
            .where(
                EvalClarification.session_id == session.id,
                EvalClarification.bid_id == bid_id,
                EvalClarification.kind == ABNORMAL_PRICE,
            )
            .order_by(EvalClarification.id.desc())
        )
        .scalars()
        .first()
    )


def explained_ok(session: EvalSession, bid: Bid) -> bool:
    found = _latest_abnormal(session, bid.id)
    return bool(found is not None and found.accepted)


def is_rejected_low(session: EvalSession, bid: Bid) -> bool:
    """The committee found the bidder's explanation of its low price unacceptable."""
    found = _latest_abnormal(session, bid.id)
    return found is not None and found.accepted is False


def pending_abnormal(session: EvalSession) -> list[int]:
    """Flagged bids whose explanation has not yet been judged (price not yet scorable)."""
    return sorted(
        b
        for b in flagged_low(session)
        if (c := _latest_abnormal(session, b)) is None or c.accepted is None
    )


def ask(
    session: EvalSession,
    member: EvalMember,
    bid: Bid,
    question: str,
    due_at: dt.datetime,
    kind: str = GENERAL,
) -> EvalClarification:
    flow.ensure_phase(session, Phase.REVIEW, Phase.SCORING, Phase.SUMMARY)
    ensure_may_act(session, member)
    load_bid(session, bid.id)
    if session.summary_locked_at is not None:
        raise Conflict(_l("汇总已锁定，不能再发起澄清。"))
    question = (question or "").strip()
    if not question:
        raise ValidationError(_l("澄清问题不能为空。"), field="question")
    if len(question) > TEXT_MAX:
        raise ValidationError(_l("澄清问题不得超过 %(n)s 字。", n=TEXT_MAX), field="question")
    if kind not in KINDS:
        raise ValidationError(_l("澄清类型无效。"), field="kind")
    if due_at.tzinfo is None:
        raise ValidationError(_l("答复截止时间须带时区。"), field="due_at")
    if due_at <= clock.now():
        raise ValidationError(_l("答复截止时间应晚于当前时间。"), field="due_at")
    if kind == ABNORMAL_PRICE:
        if bid.id not in flagged_low(session):
            raise ValidationError(_l("该投标报价未被识别为异常低价。"), field="kind")
        latest = _latest_abnormal(session, bid.id)
        if latest is not None and (latest.answer is not None or latest.due_at > clock.now()):
            raise Conflict(_l("已就该报价发起异常低价澄清。"))
    item = EvalClarification(
        session_id=session.id,
        bid_id=bid.id,
        kind=kind,
        question=question,
        asked_by_id=member.id,
        asked_at=clock.now(),
        due_at=due_at,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.CLARIFICATION_ASKED,
        item,
        {"bid_id": bid.id, "kind": kind, "due_at": due_at.isoformat()},
        actor=member.user,
    )
    room.publish(
        session,
        "clarification_asked",
        {"clarification_id": item.id, "bid_id": bid.id, "kind": kind, "due_at": due_at.isoformat()},
    )
    return item


def answer(clarification: EvalClarification, user: Any, text: str) -> EvalClarification:
    bid = db.session.get(Bid, clarification.bid_id)
    if bid is None:
        raise NotFound(_l("澄清不存在。"))
    ensure_can_answer_for(user, bid)
    if clarification.answer is not None:
        raise Conflict(_l("澄清答复已提交，不能修改。"))
    if clock.now() > clarification.due_at:
        raise TooLate(_l("已超过答复截止时间，不能再答复。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("答复内容不能为空。"), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationError(_l("答复内容不得超过 %(n)s 字。", n=TEXT_MAX), field="text")
    clarification.answer = text
    clarification.answered_by_id = user.id
    clarification.answered_at = clock.now()
    db.session.flush()
    record(
        actions.CLARIFICATION_ANSWERED,
        clarification,
        {"bid_id": bid.id},
        actor=user,
    )
    session = db.session.get(EvalSession, clarification.session_id)
    assert session is not None
    room.publish(
        session,
        "clarification_answered",
        {"clarification_id": clarification.id, "bid_id": bid.id},
    )
    return clarification


def judge(
    clarification: EvalClarification, leader: EvalMember, accepted: bool
) -> EvalClarification:
    """The committee's finding on an abnormal-price explanation, recorded by the leader."""
    session = db.session.get(EvalSession, clarification.session_id)
    assert session is not None
    flow.ensure_phase(session, Phase.REVIEW, Phase.SCORING, Phase.SUMMARY)
    ensure_leader(session, leader)
    if session.summary_locked_at is not None:
        raise Conflict(_l("汇总已锁定，不能再修改澄清结论。"))
    if clarification.kind != ABNORMAL_PRICE:
        raise Conflict(_l("只有异常低价澄清需要评标委员会认定。"))
    if clarification.accepted is not None:
        raise Conflict(_l("已就该澄清作出认定。"))
    if clarification.answer is None:
        if clock.now() <= clarification.due_at:
            raise Conflict(_l("投标人尚未答复，答复或截止后才能认定。"))
        if accepted:
            raise Conflict(_l("投标人未在截止时间前答复，不能认定其报价合理。"))
    clarification.accepted = accepted
    db.session.flush()
    record(
        actions.CLARIFICATION_JUDGED,
        clarification,
        {"bid_id": clarification.bid_id, "accepted": accepted},
        actor=leader.user,
    )
    room.publish(
        session,
        "clarification_judged",
        {
            "clarification_id": clarification.id,
            "bid_id": clarification.bid_id,
            "accepted": accepted,
        },
    )
    return clarification


def for_session(session: EvalSession) -> list[EvalClarification]:
    return list(
        db.session.execute(
            select(EvalClarification)
            .where(EvalClarification.session_id == session.id)
            .order_by(EvalClarification.id)
        ).scalars()
    )


def for_bidder(user: Any) -> list[EvalClarification]:
    """The clarifications addressed to the user's own organisation, and nothing else."""
    if user.organisation_id is None:
        return []
    return list(
        db.session.execute(
            select(EvalClarification)
            .join(Bid, Bid.id == EvalClarification.bid_id)
            .where(Bid.supplier_id == user.organisation_id)
            .order_by(EvalClarification.id)
        ).scalars()
    )
