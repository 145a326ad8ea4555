"""汇总: totals per member and averaged, spreads, dispersion alerts, ranking, candidates.

The method computes (`methods.get(code).evaluate`) from what the room recorded: the
opened prices, the review outcome, the submitted sheets and the abnormal-price findings.
A price the committee found unexplained is rejected before the rest are scored, as the
law requires (财政部令第87号 第六十条), so the base price and the abnormal threshold are
those of the remaining valid prices (a price newly flagged by that needs its own
clarification and finding before the lock).

The leader locks the summary once every dispersion alert has its justification and
every abnormally low price its finding; after that no score changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import hooks
from bidding.models import Lot
from remote_eval import actions, clarifications, flow, methods, room, scoring
from remote_eval.methods.base import BidderInput, Evaluation, unexplained_low_reason
from remote_eval.models import EvalMember, EvalSession, Justification, Phase
from remote_eval.negotiation.state import out_reasons as negotiation_out_reasons
from remote_eval.policies import (
    ensure_can_watch,
    ensure_leader,
    ensure_may_act,
)
from remote_eval.review import load_bid
from remote_eval.summary_data import SummaryData

TEXT_MAX = 2000


def bidder_inputs(session: EvalSession) -> list[BidderInput]:
    """One input per opened bid, in opening order, from the rows of this evaluation."""
    return _inputs(SummaryData.load(session))


def _inputs(data: SummaryData) -> list[BidderInput]:
    uses_scores = flow.uses_scores(data.session)
    active = set(data.active)
    inputs = []
    left_out_of = negotiation_out_reasons(data.session)
    for bid in data.bids:
        passed, reasons = data.outcomes[bid.id]
        if passed and data.rejected_low(bid):
            passed, reasons = False, [unexplained_low_reason(data.scheme)]
        left_out = left_out_of.get(bid.id, "")
        if left_out:
            passed, reasons = False, [*reasons, left_out]
        member_scores: dict[str, dict[str, Decimal]] = {}
        if uses_scores and passed:
            given = data.scores.get(bid.id, {})
            for member_id in data.submitted_members(bid):
                if member_id in active:
                    member_scores[str(member_id)] = given.get(member_id, {})
        inputs.append(
            BidderInput(
                bid_id=bid.id,
                name=bid.supplier.name,
                price=clarifications.price_of(bid),
                submitted_at=bid.received_at,
                passed=passed,
                fail_reasons=reasons,
                member_scores=member_scores,
                explained_ok=data.explained_ok(bid),
            )
        )
    return inputs


def compute(session: EvalSession) -> tuple[list[BidderInput], Evaluation]:
    return _compute(SummaryData.load(session))


def _compute(data: SummaryData) -> tuple[list[BidderInput], Evaluation]:
    inputs = _inputs(data)
    return inputs, methods.get(data.session.method).evaluate(inputs, data.scheme, data.ceiling)


def missing_justifications(session: EvalSession) -> list[tuple[int, str, int]]:
    """(bid id, item id, member id) of dispersion alerts without a justification."""
    return SummaryData.load(session).missing_justifications()


def write_justification(
    session: EvalSession, member: EvalMember, bid_id: int, item_id: str, text: str
) -> Justification:
    flow.ensure_phase(session, Phase.SCORING, Phase.SUMMARY)
    if session.summary_locked_at is not None:
        raise Conflict(_l("汇总已锁定，不能再提交说明。"))
    ensure_may_act(session, member)
    bid = load_bid(session, bid_id)
    clarifications.ensure_still_in(session, bid)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("说明理由不能为空。"), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationError(_l("说明理由不得超过 %(n)s 字。", n=TEXT_MAX), field="text")
    alerted = {(a.item_id, a.member_id) for a in scoring.dispersion_alerts(session, bid)}
    if (item_id, member.id) not in alerted:
        raise Conflict(_l("您对该项的评分未触发偏离提示，无需说明理由。"))
    exists = db.session.execute(
        select(Justification.id).where(
            Justification.session_id == session.id,
            Justification.cycle == session.cycle,
            Justification.member_id == member.id,
            Justification.bid_id == bid.id,
            Justification.item_id == item_id,
        )
    ).first()
    if exists is not None:
        raise Conflict(_l("您已就该项评分提交说明。"))
    item = Justification(
        session_id=session.id,
        cycle=session.cycle,
        member_id=member.id,
        bid_id=bid.id,
        item_id=item_id,
        text=text,
        at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.JUSTIFICATION_WRITTEN,
        item,
        {"bid_id": bid.id, "item_id": item_id},
        actor=member.user,
    )
    room.publish(
        session,
        "justification_written",
        {"member_id": member.id, "bid_id": bid.id, "item_id": item_id},
    )
    return item


def lock_problems(session: EvalSession) -> list[Any]:
    return _lock_problems(SummaryData.load(session))


def _lock_problems(data: SummaryData) -> list[Any]:
    problems: list[Any] = []
    missing = data.missing_justifications()
    if missing:
        problems.append(_l("还有 %(n)s 项评分偏离提示尚未说明理由。", n=len(missing)))
    pending = data.pending_abnormal()
    if pending:
        problems.append(_l("还有 %(n)s 个异常低价尚未澄清并由评标委员会认定。", n=len(pending)))
    return problems


def lock_summary(session: EvalSession, leader: EvalMember) -> EvalSession:
    flow.ensure_phase(session, Phase.SUMMARY)
    ensure_leader(session, leader)
    if session.summary_locked_at is not None:
        raise Conflict(_l("汇总已锁定。"))
    data = SummaryData.load(session)
    problems = _lock_problems(data)
    if problems:
        raise Conflict("\n".join(str(p) for p in problems))
    _inputs, run = _compute(data)
    session.summary_locked_at = clock.now()
    db.session.flush()
    ranking = [r.bid_id for r in sorted(run.results, key=lambda r: (r.rank is None, r.rank or 0))]
    candidates = [c.bid_id for c in run.candidates]
    record(
        actions.SUMMARY_LOCKED,
        session,
        {"ranking": ranking, "candidates": candidates},
        actor=leader.user,
    )
    room.publish(session, "summary_locked", {"candidates": candidates})
    lot = db.session.get(Lot, session.lot_id)
    if lot is not None:
        hooks.lot_event(lot, "scored")
    return session


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def summary_table(session: EvalSession, viewer: Any) -> dict[str, Any]:
    """The summary as the page and the report show it (JSON-able; amounts as strings)."""
    ensure_can_watch(viewer, session)
    if flow.ORDER.index(session.phase) < flow.ORDER.index(Phase.SUMMARY):
        raise Conflict(_l("评分结束后才能查看汇总。"))
    data = SummaryData.load(session)
    scheme = data.scheme
    inputs, run = _compute(data)
    pending = set(data.pending_abnormal())
    alerts_missing = set(data.missing_justifications())
    rows = []
    for bid, b, r in zip(data.bids, inputs, run.results, strict=True):
        per_member = {
            m: {
                "items": {i: str(v) for i, v in items.items()},
                "total": str(sum(items.values(), Decimal("0"))),
            }
            for m, items in b.member_scores.items()
        }
        spread = {}
        alerts = []
        if b.member_scores:
            for item in scheme.scored_items:
                values = [s[item.id] for s in b.member_scores.values() if item.id in s]
                spread[item.id] = str(max(values) - min(values)) if values else None
            alerts = [
                {
                    "item_id": a.item_id,
                    "member_id": a.member_id,
                    "justified": (bid.id, a.item_id, a.member_id) not in alerts_missing,
                }
                for a in data.alerts(bid)
            ]
        price_pending = b.bid_id in pending
        rows.append(
            {
                "bid_id": b.bid_id,
                "name": b.name,
                "price": _s(b.price),
                "submitted_at": b.submitted_at.isoformat(),
                "valid": r.valid,
                "rejected_reason": r.rejected_reason,
                "abnormally_low": r.abnormally_low,
                "price_pending": price_pending,
                "price_score": None if price_pending else _s(r.price_score),
                "technical": _s(r.technical),
                "commercial": _s(r.commercial),
                "total": None if price_pending else _s(r.total),
                "rank": None if pending else r.rank,
                "members": per_member,
                "spread": spread,
                "dispersion_alerts": alerts,
            }
        )
    method = methods.get(session.method)
    return {
        "session_id": session.id,
        "method": session.method,
        "method_label": str(method.label),
        "uses_scores": method.uses_scores,
        "tie_rule": str(method.tie_rule),
        "locked_at": session.summary_locked_at.isoformat() if session.summary_locked_at else None,
        "bidders": rows,
        "candidates": [] if pending else [c.bid_id for c in run.candidates],
        "problems": [str(p) for p in _lock_problems(data)],
    }


def summary_problems(session: EvalSession) -> list[Any]:
    if session.summary_locked_at is None:
        return [_l("组长尚未锁定汇总结果。")]
    return []


flow.register_exit_check(Phase.SUMMARY, summary_problems)
