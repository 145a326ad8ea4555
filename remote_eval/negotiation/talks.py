"""Between rounds: written amendments to the requirements, suppliers dropped with a
reason, and the conversation the group holds with each supplier separately."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.bids.models import Bid
from remote_eval import actions, flow
from remote_eval.models import EvalMember, EvalSession, Phase
from remote_eval.negotiation import events, state
from remote_eval.negotiation.models import (
    NegotiationAmendment,
    NegotiationDrop,
    NegotiationMessage,
)
from remote_eval.negotiation.rounds import ensure_negotiates
from remote_eval.policies import can_answer_for, ensure_leader, is_acting, member_of

TEXT_MAX = 5000
MESSAGE_MAX = 1000


def _text(raw: Any, field: str, label: Any, limit: int) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValidationError(_l("%(f)s不能为空。", f=label), field=field)
    if len(text) > limit:
        raise ValidationError(_l("%(f)s不得超过 %(n)s 字。", f=label, n=limit), field=field)
    return text


def _between_rounds(session: EvalSession) -> int:
    """The number of the last closed round (0 before the first), refusing mid-round."""
    rounds = state.rounds(session)
    if rounds and rounds[-1].closed_at is None:
        raise Conflict(_l("第 %(n)s 轮进行中，请在本轮结束后再操作。", n=rounds[-1].number))
    if rounds and rounds[-1].final:
        raise Conflict(_l("最后报价已经结束，谈判不再继续。"))
    return rounds[-1].number if rounds else 0


def amend(session: EvalSession, member: EvalMember | None, raw_text: Any) -> NegotiationAmendment:
    """Amend the requirements in writing between rounds; every remaining supplier is told."""
    ensure_negotiates(session)
    flow.ensure_phase(session, Phase.REVIEW)
    member = ensure_leader(session, member)
    after = _between_rounds(session)
    text = _text(raw_text, "text", _l("变更内容"), TEXT_MAX)
    item = NegotiationAmendment(
        session_id=session.id,
        after_round=after,
        text=text,
        made_by_id=member.user_id,
        made_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    remaining = state.remaining_bids(session)
    record(
        actions.NEGO_AMENDED,
        item,
        {"after_round": after, "text": text, "suppliers": [b.supplier_id for b in remaining]},
        actor=member.user,
    )
    title = str(_l("谈判小组变更了采购需求，请在下一轮报价前查阅"))
    for bid in remaining:
        for user in state.supplier_users(bid):
            notify(user, "negotiation", title, body=text, link=state.supplier_link(bid))
        events.to_supplier(bid, "amended", {"amendment_id": item.id, "after_round": after})
    events.to_group(session, "nego_amended", {"amendment_id": item.id, "after_round": after})
    return item


def drop(
    session: EvalSession, member: EvalMember | None, bid: Bid, raw_reason: Any
) -> NegotiationDrop:
    """End the negotiation with one supplier, with the reason it is told."""
    ensure_negotiates(session)
    flow.ensure_phase(session, Phase.REVIEW)
    member = ensure_leader(session, member)
    after = _between_rounds(session)
    if state.drop_of(session, bid) is not None:
        raise Conflict(_l("已终止与该供应商的谈判。"))
    reason = _text(raw_reason, "reason", _l("终止理由"), TEXT_MAX)
    item = NegotiationDrop(
        session_id=session.id,
        bid_id=bid.id,
        after_round=after,
        reason=reason,
        dropped_by_id=member.user_id,
        dropped_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.NEGO_SUPPLIER_DROPPED,
        item,
        {"bid_id": bid.id, "supplier": bid.supplier_id, "after_round": after, "reason": reason},
        actor=member.user,
    )
    title = str(_l("谈判小组已终止与贵单位的谈判"))
    for user in state.supplier_users(bid):
        notify(user, "negotiation", title, body=reason, link=state.supplier_link(bid))
    events.to_supplier(bid, "dropped", {"reason": reason})
    events.to_group(session, "nego_dropped", {"bid_id": bid.id})
    return item


def post(session: EvalSession, user: User, bid: Bid, raw_text: Any) -> NegotiationMessage:
    """A line of the conversation between the group and one supplier (nobody else reads it)."""
    ensure_negotiates(session)
    flow.ensure_phase(session, Phase.REVIEW)
    member = member_of(session, user)
    from_group = member is not None and is_acting(member)
    if not from_group and not can_answer_for(user, bid):
        raise Forbidden(_l("只有谈判小组成员和该供应商可以在此发言。"))
    if not from_group and state.drop_of(session, bid) is not None:
        raise Forbidden(_l("谈判小组已终止与贵单位的谈判，不能再发言。"))
    if state.concluded(session):
        raise Conflict(_l("最后报价已经结束，谈判不再继续。"))
    text = _text(raw_text, "text", _l("发言内容"), MESSAGE_MAX)
    item = NegotiationMessage(
        session_id=session.id,
        bid_id=bid.id,
        author_id=user.id,
        from_group=from_group,
        text=text,
        posted_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.NEGO_MESSAGE_POSTED,
        item,
        {"bid_id": bid.id, "from_group": from_group, "length": len(text)},
        actor=user,
    )
    events.to_supplier(bid, "message", {"message_id": item.id, "from_group": from_group})
    return item
