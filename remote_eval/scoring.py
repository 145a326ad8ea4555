"""详细评审: each member scores each scored item of each bid still in, independent first.

- A member saves scores (a draft) and then submits the sheet for that bid: every item
  scored, each value allowed by the item (`methods.base.score_problem`). A submitted
  sheet is frozen for this cycle.
- Independent first: until a member has submitted their own sheet for a bid, they see
  no other member's scores for it. Watchers (host, venue staff, supervisors) see who has
  submitted, never values, until the scoring phase is over. Room events carry no values.
- Objective items (客观分) must agree: once every active member's sheet for a bid is in,
  an objective item with different values blocks the phase. A member may then reopen
  their own sheet for that bid, and only in that case; a reopened sheet accepts changes
  to objective items only (subjective judgements stay as submitted), and is submitted
  again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid
from remote_eval import actions, flow, room
from remote_eval.clarifications import ensure_still_in, still_in
from remote_eval.methods.base import score_problem
from remote_eval.models import EvalMember, EvalSession, Phase, Score, ScoreSheet
from remote_eval.policies import (
    acting_members,
    ensure_may_act,
    is_acting,
    is_observer,
    member_of,
)
from remote_eval.review import load_bid, scheme_of, session_bids
from remote_eval.scheme import Scheme, ScoredItem, num


def _sheet(session: EvalSession, member_id: int, bid_id: int) -> ScoreSheet | None:
    return db.session.execute(
        select(ScoreSheet).where(
            ScoreSheet.session_id == session.id,
            ScoreSheet.cycle == session.cycle,
            ScoreSheet.member_id == member_id,
            ScoreSheet.bid_id == bid_id,
        )
    ).scalar_one_or_none()


def sheets(session: EvalSession, bid_id: int) -> dict[int, ScoreSheet]:
    """member id → sheet, for this bid and cycle (submitted or reopened)."""
    rows = db.session.execute(
        select(ScoreSheet).where(
            ScoreSheet.session_id == session.id,
            ScoreSheet.cycle == session.cycle,
            ScoreSheet.bid_id == bid_id,
        )
    ).scalars()
    return {s.member_id: s for s in rows}


def scores(session: EvalSession, bid_id: int) -> dict[int, dict[str, Decimal]]:
    """member id → item id → points, drafts included (callers filter by visibility)."""
    out: dict[int, dict[str, Decimal]] = {}
    rows = db.session.execute(
        select(Score).where(
            Score.session_id == session.id, Score.cycle == session.cycle, Score.bid_id == bid_id
        )
    ).scalars()
    for s in rows:
        out.setdefault(s.member_id, {})[s.item_id] = Decimal(s.value)
    return out


def _ensure_may_score(session: EvalSession, member: EvalMember, bid: Bid) -> None:
    if session.summary_locked_at is not None:
        raise Conflict(_l("汇总已锁定，不能再评分。"))
    flow.ensure_phase(session, Phase.SCORING)
    ensure_may_act(session, member)
    load_bid(session, bid.id)
    ensure_still_in(session, bid)


def _parse(item: ScoredItem, raw: Any) -> Decimal:
    bad = ValidationError(
        _l("“%(item)s”（%(id)s）的评分应为数字。", item=item.name, id=item.id),
        field=f"scores.{item.id}",
    )
    if isinstance(raw, bool):
        raise bad
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise bad from None
    if not value.is_finite():
        raise bad
    return value


def save_scores(
    session: EvalSession, member: EvalMember, bid: Bid, values: Mapping[str, Any]
) -> list[Score]:
    """Save (or change) the member's draft scores for a bid: all valid, or nothing written."""
    _ensure_may_score(session, member, bid)
    if not values:
        raise ValidationError(_l("请至少填写一项评分。"), field="scores")
    sheet = _sheet(session, member.id, bid.id)
    if sheet is not None and sheet.reopened_at is None:
        raise Conflict(_l("您已提交该投标人的评分表，不能再修改。"))
    scheme = scheme_of(session)
    parsed: dict[str, Decimal] = {}
    for item_id, raw in values.items():
        item = scheme.item(item_id)
        if item is None:
            raise ValidationError(
                _l("评分办法中没有评分项“%(id)s”。", id=item_id), field=f"scores.{item_id}"
            )
        if sheet is not None and not item.objective:
            raise Conflict(
                _l("评分表重新打开后只能修改客观分；“%(item)s”是主观分，不能修改。", item=item.name)
            )
        value = _parse(item, raw)
        problem = score_problem(item, value)
        if problem:
            raise ValidationError(
                _l(
                    "“%(item)s”（%(id)s）的评分 %(v)s 无效：%(why)s",
                    item=item.name,
                    id=item.id,
                    v=num(value),
                    why=problem,
                ),
                field=f"scores.{item_id}",
            )
        parsed[item_id] = value
    existing = {
        s.item_id: s
        for s in db.session.execute(
            select(Score).where(
                Score.session_id == session.id,
                Score.cycle == session.cycle,
                Score.member_id == member.id,
                Score.bid_id == bid.id,
            )
        ).scalars()
    }
    saved = []
    for item_id, value in parsed.items():
        row = existing.get(item_id)
        if row is None:
            row = Score(
                session_id=session.id,
                cycle=session.cycle,
                member_id=member.id,
                bid_id=bid.id,
                item_id=item_id,
            )
            db.session.add(row)
        row.value = value
        row.at = clock.now()
        saved.append(row)
    db.session.flush()
    # Values stay out of the audit data: watchers read the trail while scoring is independent.
    record(
        actions.SCORES_SAVED,
        object_type="eval_session",
        object_id=session.id,
        data={"bid_id": bid.id, "member_id": member.id, "items": sorted(parsed)},
        actor=member.user,
    )
    return saved


def submit_sheet(session: EvalSession, member: EvalMember, bid: Bid) -> ScoreSheet:
    _ensure_may_score(session, member, bid)
    sheet = _sheet(session, member.id, bid.id)
    if sheet is not None and sheet.reopened_at is None:
        raise Conflict(_l("您已提交该投标人的评分表。"))
    given = scores(session, bid.id).get(member.id, {})
    missing = [i.name for i in scheme_of(session).scored_items if i.id not in given]
    if missing:
        raise ValidationError(
            _l("以下评分项尚未打分：%(items)s。", items="、".join(missing)), field="scores"
        )
    if sheet is None:
        sheet = ScoreSheet(
            session_id=session.id, cycle=session.cycle, member_id=member.id, bid_id=bid.id
        )
        db.session.add(sheet)
    sheet.submitted_at = clock.now()
    sheet.reopened_at = None
    db.session.flush()
    record(
        actions.SHEET_SUBMITTED,
        sheet,
        {"bid_id": bid.id, "member_id": member.id},
        actor=member.user,
    )
    room.publish(session, "sheet_submitted", {"member_id": member.id, "bid_id": bid.id})
    if all_in(session, bid):
        for d in objective_disagreements(session, bid):
            room.publish(
                session, "objective_disagreement", {"bid_id": bid.id, "item_id": d.item_id}
            )
        for a in dispersion_alerts(session, bid):
            room.publish(
                session,
                "dispersion_alert",
                {"bid_id": bid.id, "item_id": a.item_id, "member_id": a.member_id},
            )
    return sheet


def reopen_sheet(session: EvalSession, member: EvalMember, bid: Bid) -> ScoreSheet:
    """Reopen one's own submitted sheet, only to settle an objective disagreement."""
    _ensure_may_score(session, member, bid)
    sheet = _sheet(session, member.id, bid.id)
    if sheet is None or sheet.reopened_at is not None:
        raise Conflict(_l("您的评分表尚未提交，无需重新打开。"))
    if not any(member.id in d.values for d in objective_disagreements(session, bid)):
        raise Conflict(_l("只有全部评分表提交后客观分不一致时，才能重新打开评分表。"))
    sheet.reopened_at = clock.now()
    db.session.flush()
    record(
        actions.SHEET_REOPENED,
        sheet,
        {"bid_id": bid.id, "member_id": member.id},
        actor=member.user,
    )
    room.publish(session, "sheet_reopened", {"member_id": member.id, "bid_id": bid.id})
    return sheet


def submitted_members(session: EvalSession, bid_id: int) -> list[int]:
    return sorted(m for m, s in sheets(session, bid_id).items() if s.reopened_at is None)


def all_in(session: EvalSession, bid: Bid) -> bool:
    done = set(submitted_members(session, bid.id))
    active = {m.id for m in acting_members(session)}
    return bool(active) and active <= done


@dataclass(frozen=True)
class Disagreement:
    item_id: str
    values: dict[int, Decimal]  # member id → points


def objective_disagreements(session: EvalSession, bid: Bid) -> list[Disagreement]:
    """Objective items with different values, once every active member's sheet exists."""
    active = {m.id for m in acting_members(session)}
    if not active or not active <= set(sheets(session, bid.id)):
        return []
    given = scores(session, bid.id)
    out = []
    for item in scheme_of(session).scored_items:
        if not item.objective:
            continue
        values = {m: given[m][item.id] for m in active if item.id in given.get(m, {})}
        if len(set(values.values())) > 1:
            out.append(Disagreement(item.id, values))
    return out


@dataclass(frozen=True)
class Alert:
    item_id: str
    member_id: int
    value: Decimal
    mean: Decimal


def dispersion_alerts(session: EvalSession, bid: Bid) -> list[Alert]:
    """Scores further from the panel's mean than `dispersion_share` × the item's maximum."""
    if not all_in(session, bid):
        return []
    active = [m.id for m in acting_members(session)]
    return alerts_from(scheme_of(session), active, scores(session, bid.id))


def alerts_from(
    scheme: Scheme, active: list[int], given: Mapping[int, Mapping[str, Decimal]]
) -> list[Alert]:
    """The dispersion alerts of one bid whose sheets are all in (member → item → points)."""
    out = []
    for item in scheme.scored_items:
        values = {m: given[m][item.id] for m in active if item.id in given.get(m, {})}
        if not values:
            continue
        mean = sum(values.values(), Decimal("0")) / len(values)
        limit = scheme.price.dispersion_share * item.maximum
        for m, v in sorted(values.items()):
            if abs(v - mean) > limit:
                out.append(Alert(item.id, m, v, mean))
    return out


def visible_scores(session: EvalSession, viewer: Any, bid: Bid) -> dict[str, Any]:
    """What the viewer may see of a bid's scores: who submitted, and the values allowed."""
    load_bid(session, bid.id)
    submitted = submitted_members(session, bid.id)
    phase_over = flow.ORDER.index(session.phase) > flow.ORDER.index(Phase.SCORING)
    member = member_of(session, viewer)
    all_scores = scores(session, bid.id)
    own_sheet = member is not None and member.id in sheets(session, bid.id)
    if member is not None and is_acting(member):
        visible = {member.id: all_scores.get(member.id, {})}
        if own_sheet or phase_over:
            shown = set(sheets(session, bid.id))
            visible.update({m: v for m, v in all_scores.items() if m in shown})
    elif is_observer(viewer, session):
        visible = {m: v for m, v in all_scores.items() if m in submitted} if phase_over else {}
    else:
        raise Forbidden(_l("您无权查看本项目的评分。"))
    return {
        "bid_id": bid.id,
        "submitted": submitted,
        "scores": {
            str(m): {i: str(v) for i, v in sorted(items.items())}
            for m, items in sorted(visible.items())
        },
    }


def scoring_problems(session: EvalSession) -> list[Any]:
    """What keeps scoring from ending: sheets not in, objective items not agreed."""
    problems: list[Any] = []
    for bid in session_bids(session):
        if not still_in(session, bid):
            continue
        name = bid.supplier.name
        if not all_in(session, bid):
            problems.append(_l("“%(bidder)s”的评分表尚未全部提交。", bidder=name))
            continue
        scheme = scheme_of(session)
        for d in objective_disagreements(session, bid):
            item = scheme.item(d.item_id)
            problems.append(
                _l(
                    "“%(bidder)s”的客观分“%(item)s”各评委打分不一致。",
                    bidder=name,
                    item=item.name if item else d.item_id,
                )
            )
    return problems


flow.register_exit_check(Phase.SCORING, scoring_problems)
