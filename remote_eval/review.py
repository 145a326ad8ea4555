"""资格审查与符合性审查: each member's pass/fail per bid and item, majority votes, dissents.

Rules (the tender documents' pass/fail items, 财政部令第87号 第四十四条、第六十二条):
- every active member records pass, or fail with a written reason, on every
  qualification and compliance item of every opened bid; a member may change their own
  verdict until the phase ends, except on an item already decided by a vote;
- an item is settled when every active member's verdict agrees, or by an `ItemDecision`;
- where verdicts differ the leader may call a vote once every active member has a
  verdict: the majority of the verdicts decides. A tie decides nothing: the leader is
  refused and the members reconsider (change a verdict) until there is a majority,
  because neither "pass" nor "fail" by default would be the committee's own finding;
- each member in the minority writes a dissent (subject "item"), which goes into the
  report; the phase cannot end without them;
- a bid failing any settled item is out, with the items and the members' reasons.

Verdicts are not independent like scores: each one is visible to the committee and its
value travels in the room event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from remote_eval import actions, flow, room
from remote_eval.models import Dissent, EvalMember, EvalSession, ItemDecision, Phase, Verdict
from remote_eval.policies import acting_members, ensure_leader, ensure_may_act
from remote_eval.scheme import SECTION_LABELS, CheckItem, Scheme

REASON_MAX = 2000


_PARSED = "tenderhall.eval_schemes"


def scheme_of(session: EvalSession) -> Scheme:
    """The session's frozen scheme, parsed once per database session: one command asks
    for it many times (every check of a score or a bid), and parsing it is not free."""
    raw = session.scheme
    parsed: dict[int, tuple[Any, Scheme]] = db.session.info.setdefault(_PARSED, {})
    hit = parsed.get(session.id)
    # The same JSON object, still referenced here, is the same scheme; a reloaded or
    # reassigned column is a new object and is parsed again.
    if hit is not None and hit[0] is raw:
        return hit[1]
    scheme = Scheme.from_dict(raw)
    parsed[session.id] = (raw, scheme)
    return scheme


def session_bids(session: EvalSession) -> list[Bid]:
    """The lot's opened bids, in opening order."""
    return list(
        db.session.execute(
            select(Bid)
            .where(Bid.lot_id == session.lot_id, Bid.status == BidStatus.DECRYPTED)
            .order_by(Bid.id)
        ).scalars()
    )


def load_bid(session: EvalSession, bid_id: int) -> Bid:
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.lot_id != session.lot_id or bid.status != BidStatus.DECRYPTED:
        raise NotFound(_l("本项目没有该投标文件。"))
    return bid


def check_items(scheme: Scheme) -> list[tuple[str, CheckItem]]:
    return [("qualification", i) for i in scheme.qualification] + [
        ("compliance", i) for i in scheme.compliance
    ]


def _check_item(session: EvalSession, item_id: str) -> tuple[str, CheckItem]:
    for section, item in check_items(scheme_of(session)):
        if item.id == item_id:
            return section, item
    raise NotFound(_l("评分办法中没有审查项“%(id)s”。", id=item_id))


@dataclass
class ItemState:
    section: str
    item: CheckItem
    verdicts: dict[int, Verdict] = field(default_factory=dict)  # active member id → verdict
    decision: ItemDecision | None = None
    missing: list[int] = field(default_factory=list)  # active members without a verdict

    @property
    def agreed(self) -> bool:
        return not self.missing and len({v.passed for v in self.verdicts.values()}) == 1

    @property
    def settled(self) -> bool:
        return self.decision is not None or self.agreed

    @property
    def passed(self) -> bool | None:
        """The settled outcome; None while unsettled."""
        if self.decision is not None:
            return self.decision.passed
        if self.agreed:
            return next(iter(self.verdicts.values())).passed
        return None

    @property
    def minority(self) -> list[int]:
        if self.decision is None:
            return []
        return sorted(m for m, v in self.verdicts.items() if v.passed != self.decision.passed)


def build_states(
    scheme: Scheme, members: set[int], verdicts: Iterable[Any], decisions: Mapping[str, Any]
) -> list[ItemState]:
    """Every check item of a bid, in scheme order, from its verdicts and decisions.

    Verdicts and decisions are ORM objects or plain rows with the same attributes, so the
    summary can settle every bid from one query each.
    """
    by_item: dict[str, dict[int, Any]] = {}
    for v in verdicts:
        if v.member_id in members:
            by_item.setdefault(v.item_id, {})[v.member_id] = v
    states = []
    for section, item in check_items(scheme):
        given = by_item.get(item.id, {})
        states.append(
            ItemState(
                section=section,
                item=item,
                verdicts=given,
                decision=decisions.get(item.id),
                missing=sorted(members - set(given)),
            )
        )
    return states


# What the outcome needs of a verdict and of a decision: the still-in check, asked on every
# score and sheet, reads only these columns as plain rows; the pages read the entities.
_VERDICT_COLUMNS = (Verdict.member_id, Verdict.item_id, Verdict.passed, Verdict.reason)
_DECISION_COLUMNS = (ItemDecision.item_id, ItemDecision.passed)


def _states(session: EvalSession, bid: Bid, *, rows: bool) -> list[ItemState]:
    members = {m.id for m in acting_members(session)}
    verdicts = db.session.execute(
        (select(*_VERDICT_COLUMNS) if rows else select(Verdict))
        .where(
            Verdict.session_id == session.id,
            Verdict.cycle == session.cycle,
            Verdict.bid_id == bid.id,
        )
        .order_by(Verdict.id)
    )
    decisions = db.session.execute(
        (select(*_DECISION_COLUMNS) if rows else select(ItemDecision)).where(
            ItemDecision.session_id == session.id,
            ItemDecision.cycle == session.cycle,
            ItemDecision.bid_id == bid.id,
        )
    )
    return build_states(
        scheme_of(session),
        members,
        verdicts.all() if rows else verdicts.scalars().all(),
        {d.item_id: d for d in (decisions.all() if rows else decisions.scalars())},
    )


def item_states(session: EvalSession, bid: Bid) -> list[ItemState]:
    """Every check item of the bid, in scheme order, as the active members stand now."""
    return _states(session, bid, rows=False)


def outcome_of(states: Iterable[ItemState]) -> tuple[bool, list[str]]:
    """(still in, reasons it is out) from a bid's item states."""
    reasons = []
    for state in states:
        if state.passed is False:
            why = "；".join(
                dict.fromkeys(
                    v.reason for v in state.verdicts.values() if not v.passed and v.reason
                )
            )
            reasons.append(
                str(
                    _l(
                        "%(section)s“%(item)s”不通过：%(why)s",
                        section=SECTION_LABELS[state.section],
                        item=state.item.name,
                        why=why,
                    )
                )
            )
    return not reasons, reasons


def bid_outcome(session: EvalSession, bid: Bid) -> tuple[bool, list[str]]:
    """(still in, reasons it is out): out when it fails any settled item."""
    return outcome_of(_states(session, bid, rows=True))


def record_verdict(
    session: EvalSession, member: EvalMember, bid: Bid, item_id: str, passed: bool, reason: str
) -> Verdict:
    flow.ensure_phase(session, Phase.REVIEW)
    ensure_may_act(session, member)
    load_bid(session, bid.id)
    _check_item(session, item_id)
    reason = (reason or "").strip()
    if not passed and not reason:
        raise ValidationError(_l("判定不通过时必须填写理由。"), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_l("理由不得超过 %(n)s 字。", n=REASON_MAX), field="reason")
    if _decision(session, bid, item_id) is not None:
        raise Conflict(_l("该审查项已由组长提请表决决定，不能再更改意见。"))
    verdict = db.session.execute(
        select(Verdict).where(
            Verdict.session_id == session.id,
            Verdict.cycle == session.cycle,
            Verdict.member_id == member.id,
            Verdict.bid_id == bid.id,
            Verdict.item_id == item_id,
        )
    ).scalar_one_or_none()
    if verdict is None:
        verdict = Verdict(
            session_id=session.id,
            cycle=session.cycle,
            member_id=member.id,
            bid_id=bid.id,
            item_id=item_id,
        )
        db.session.add(verdict)
    verdict.passed = passed
    verdict.reason = reason if not passed else ""
    verdict.at = clock.now()
    db.session.flush()
    record(
        actions.VERDICT_RECORDED,
        verdict,
        {"bid_id": bid.id, "item_id": item_id, "passed": passed, "reason": verdict.reason},
        actor=member.user,
    )
    room.publish(
        session,
        "verdict_recorded",
        {"member_id": member.id, "bid_id": bid.id, "item_id": item_id, "passed": passed},
    )
    return verdict


def _decision(session: EvalSession, bid: Bid, item_id: str) -> ItemDecision | None:
    return db.session.execute(
        select(ItemDecision).where(
            ItemDecision.session_id == session.id,
            ItemDecision.cycle == session.cycle,
            ItemDecision.bid_id == bid.id,
            ItemDecision.item_id == item_id,
        )
    ).scalar_one_or_none()


def decide_by_majority(
    session: EvalSession, leader: EvalMember, bid: Bid, item_id: str
) -> ItemDecision:
    flow.ensure_phase(session, Phase.REVIEW)
    ensure_leader(session, leader)
    load_bid(session, bid.id)
    _check_item(session, item_id)
    state = next(s for s in item_states(session, bid) if s.item.id == item_id)
    if state.decision is not None:
        raise Conflict(_l("该审查项已经表决。"))
    if state.missing:
        raise Conflict(
            _l("还有 %(n)s 名评委未对该项发表意见，全部表态后才能表决。", n=len(state.missing))
        )
    if state.agreed:
        raise Conflict(_l("评委意见一致，无需表决。"))
    ayes = sum(1 for v in state.verdicts.values() if v.passed)
    noes = len(state.verdicts) - ayes
    if ayes == noes:
        raise Conflict(
            _l(
                "通过与不通过各 %(n)s 票，无法形成多数意见；请评委复核后重新表态再表决。",
                n=ayes,
            )
        )
    decision = ItemDecision(
        session_id=session.id,
        cycle=session.cycle,
        bid_id=bid.id,
        item_id=item_id,
        passed=ayes > noes,
        called_by_id=leader.id,
        decided_at=clock.now(),
    )
    db.session.add(decision)
    db.session.flush()
    state.decision = decision
    record(
        actions.ITEM_DECIDED,
        decision,
        {
            "bid_id": bid.id,
            "item_id": item_id,
            "passed": decision.passed,
            "for": ayes,
            "against": noes,
        },
        actor=leader.user,
    )
    room.publish(
        session,
        "item_decided",
        {
            "bid_id": bid.id,
            "item_id": item_id,
            "passed": decision.passed,
            "minority": state.minority,
        },
    )
    return decision


def write_dissent(
    session: EvalSession, member: EvalMember, bid: Bid, item_id: str, text: str
) -> Dissent:
    """A minority member's written disagreement with a decided item."""
    flow.ensure_phase(session, Phase.REVIEW)
    ensure_may_act(session, member)
    load_bid(session, bid.id)
    _check_item(session, item_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("不同意见不能为空。"), field="text")
    if len(text) > REASON_MAX:
        raise ValidationError(_l("不同意见不得超过 %(n)s 字。", n=REASON_MAX), field="text")
    state = next(s for s in item_states(session, bid) if s.item.id == item_id)
    if member.id not in state.minority:
        raise Conflict(_l("您不是该审查项表决中的少数方，无需书面说明不同意见。"))
    if _dissent(session, member.id, bid.id, item_id) is not None:
        raise Conflict(_l("您已就该审查项提交不同意见。"))
    dissent = Dissent(
        session_id=session.id,
        cycle=session.cycle,
        member_id=member.id,
        subject="item",
        bid_id=bid.id,
        item_id=item_id,
        text=text,
        at=clock.now(),
    )
    db.session.add(dissent)
    db.session.flush()
    record(
        actions.DISSENT_WRITTEN,
        dissent,
        {"bid_id": bid.id, "item_id": item_id},
        actor=member.user,
    )
    room.publish(
        session, "dissent_written", {"member_id": member.id, "bid_id": bid.id, "item_id": item_id}
    )
    return dissent


def _dissent(session: EvalSession, member_id: int, bid_id: int, item_id: str) -> Dissent | None:
    return db.session.execute(
        select(Dissent).where(
            Dissent.session_id == session.id,
            Dissent.cycle == session.cycle,
            Dissent.member_id == member_id,
            Dissent.subject == "item",
            Dissent.bid_id == bid_id,
            Dissent.item_id == item_id,
        )
    ).scalar_one_or_none()


def review_problems(session: EvalSession) -> list[Any]:
    """What keeps the review from ending: unsettled items and missing dissents."""
    problems: list[Any] = []
    for bid in session_bids(session):
        name = bid.supplier.name
        for state in item_states(session, bid):
            if not state.settled:
                problems.append(
                    _l(
                        "“%(bidder)s”的“%(item)s”尚未形成一致意见。",
                        bidder=name,
                        item=state.item.name,
                    )
                )
            for member_id in state.minority:
                if _dissent(session, member_id, bid.id, state.item.id) is None:
                    problems.append(
                        _l(
                            "评委 %(m)s 尚未就“%(bidder)s”的“%(item)s”书面说明不同意见。",
                            m=member_id,
                            bidder=name,
                            item=state.item.name,
                        )
                    )
    return problems


flow.register_exit_check(Phase.REVIEW, review_problems)
