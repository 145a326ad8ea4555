"""Aggregate queries behind each statistic: one GROUP BY per series, never a row per lot
in Python. Each takes the period and a centre (None: every centre)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from app.core import clock
from app.core.auth.models import Centre, Organisation
from app.core.extensions import db
from bidding.bids.models import CURRENT_STATUSES, Bid, Opening
from bidding.documents.models import Objection
from bidding.models import Lot, LotStatus, Project
from bidding.results.models import Contract, LotResult
from experts.models import Appraisal, Draw, Invitation, InvitationState

from .period import Period
from .sql import days_between, month_of

Row = dict[str, Any]
NOT_HELD = (LotStatus.DRAFT, LotStatus.PUBLISHED, LotStatus.SUSPENDED)


def _in_centre(stmt: Select[Any], centre_id: int | None) -> Select[Any]:
    return stmt if centre_id is None else stmt.where(Project.centre_id == centre_id)


def _rate(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def volume(period: Period, centre_id: int | None) -> list[Row]:
    """Lots by the month of their deadline, per centre: count, budgets and awards."""
    month = month_of(Lot.bid_deadline).label("month")
    stmt = (
        select(
            Centre.name,
            month,
            func.count(Lot.id),
            func.sum(Lot.budget),
            func.sum(LotResult.award_price),
        )
        .select_from(Lot)
        .join(Project, Project.id == Lot.project_id)
        .join(Centre, Centre.id == Project.centre_id)
        .outerjoin(LotResult, LotResult.lot_id == Lot.id)
        .where(
            Lot.bid_deadline >= period.start_at,
            Lot.bid_deadline < period.end_at,
            Lot.status != LotStatus.DRAFT,
        )
        .group_by(Centre.id, Centre.name, month)
        .order_by(month, Centre.name)
    )
    return [
        {
            "centre": name,
            "month": m,
            "lots": n,
            "budget": budget or Decimal("0.00"),
            "awarded": award or Decimal("0.00"),
        }
        for name, m, n, budget, award in db.session.execute(_in_centre(stmt, centre_id))
    ]


def savings(period: Period, centre_id: int | None) -> list[Row]:
    """Budget against award price of the lots awarded in each month (节支率)."""
    month = month_of(LotResult.awarded_at).label("month")
    stmt = (
        select(month, func.count(Lot.id), func.sum(Lot.budget), func.sum(LotResult.award_price))
        .select_from(LotResult)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(
            LotResult.awarded_at >= period.start_at,
            LotResult.awarded_at < period.end_at,
            LotResult.award_price.is_not(None),
        )
        .group_by(month)
        .order_by(month)
    )
    rows = []
    for m, n, budget, award in db.session.execute(_in_centre(stmt, centre_id)):
        budget = budget or Decimal("0.00")
        award = award or Decimal("0.00")
        rows.append(
            {
                "month": m,
                "lots": n,
                "budget": budget,
                "awarded": award,
                "saved": budget - award,
                "rate": _rate(budget - award, budget),
            }
        )
    return rows


BID_BUCKETS = ((0, 0, "0"), (1, 1, "1"), (2, 2, "2"), (3, 3, "3"), (4, 5, "4–5"), (6, 9, "6–9"))


def bids_per_lot(period: Period, centre_id: int | None) -> list[Row]:
    """How many lots received 0, 1, 2 … bids (the lots whose deadline passed in the period)."""
    end = min(period.end_at, clock.now())
    per_lot = (
        _in_centre(
            select(Lot.id.label("lot_id"), func.count(Bid.id).label("n"))
            .select_from(Lot)
            .join(Project, Project.id == Lot.project_id)
            .outerjoin(Bid, and_(Bid.lot_id == Lot.id, Bid.status.in_(CURRENT_STATUSES)))
            .where(
                Lot.bid_deadline >= period.start_at,
                Lot.bid_deadline < end,
                Lot.status.not_in(NOT_HELD),
            )
            .group_by(Lot.id),
            centre_id,
        )
    ).subquery()
    counts = dict(db.session.execute(select(per_lot.c.n, func.count()).group_by(per_lot.c.n)).all())
    total = sum(counts.values())
    rows = []
    for low, high, label in BID_BUCKETS:
        lots = sum(v for k, v in counts.items() if low <= k <= high)
        rows.append({"bids": label, "lots": lots, "share": _rate(lots, total)})
    more = sum(v for k, v in counts.items() if k >= 10)
    rows.append({"bids": "10+", "lots": more, "share": _rate(more, total)})
    return rows


def failure(period: Period, centre_id: int | None) -> list[Row]:
    """Lots whose deadline passed, by month, and how many failed (流标)."""
    end = min(period.end_at, clock.now())
    month = month_of(Lot.bid_deadline).label("month")
    stmt = (
        select(
            month,
            func.count(Lot.id),
            func.sum(case((Lot.status == LotStatus.FAILED, 1), else_=0)),
        )
        .select_from(Lot)
        .join(Project, Project.id == Lot.project_id)
        .where(
            Lot.bid_deadline >= period.start_at,
            Lot.bid_deadline < end,
            Lot.status.not_in(NOT_HELD),
        )
        .group_by(month)
        .order_by(month)
    )
    return [
        {"month": m, "lots": n, "failed": int(f or 0), "rate": _rate(f or 0, n)}
        for m, n, f in db.session.execute(_in_centre(stmt, centre_id))
    ]


def _first_contracts() -> Any:
    return (
        select(Contract.lot_id, func.min(Contract.filed_at).label("filed_at"))
        .where(Contract.amends_id.is_(None))
        .group_by(Contract.lot_id)
        .subquery()
    )


def stage_durations(period: Period, centre_id: int | None) -> list[Row]:
    """Average days each stage took, over the lots whose deadline fell in the period."""
    from flask_babel import gettext as _

    contract = _first_contracts()
    stages = (
        ("bid_period", _("招标（发售文件至投标截止）"), Lot.doc_start_at, Lot.bid_deadline),
        ("opening", _("开标（开始至记录签署）"), Opening.started_at, Opening.signed_at),
        ("evaluation", _("评标（投标截止至评标报告）"), Lot.bid_deadline, LotResult.report_at),
        ("award", _("定标（评标报告至确定中标人）"), LotResult.report_at, LotResult.awarded_at),
        ("contract", _("合同（定标至合同备案）"), LotResult.awarded_at, contract.c.filed_at),
    )
    cols = []
    for _key, _label, a, b in stages:
        span = days_between(a, b)
        cols += [func.avg(span), func.count(span)]
    stmt = (
        select(*cols)
        .select_from(Lot)
        .join(Project, Project.id == Lot.project_id)
        .outerjoin(Opening, Opening.lot_id == Lot.id)
        .outerjoin(LotResult, LotResult.lot_id == Lot.id)
        .outerjoin(contract, contract.c.lot_id == Lot.id)
        .where(
            Lot.bid_deadline >= period.start_at,
            Lot.bid_deadline < period.end_at,
            Lot.status != LotStatus.DRAFT,
        )
    )
    values = db.session.execute(_in_centre(stmt, centre_id)).one()
    rows = []
    for i, (key, label, _a, _b) in enumerate(stages):
        avg, n = values[2 * i], values[2 * i + 1]
        rows.append(
            {
                "stage": key,
                "label": label,
                "lots": int(n or 0),
                "days": round(float(avg), 2) if avg is not None and n else None,
            }
        )
    return rows


def experts(period: Period, centre_id: int | None) -> list[Row]:
    """Invitations answered by month: confirmed, declined, unanswered; and appraisal scores."""
    month = month_of(Invitation.invited_at).label("month")
    state = Invitation.state

    def n(s: InvitationState) -> Any:
        return func.sum(case((state == s, 1), else_=0))

    stmt = (
        select(
            month,
            n(InvitationState.CONFIRMED),
            n(InvitationState.DECLINED),
            n(InvitationState.NO_ANSWER),
        )
        .select_from(Invitation)
        .join(Draw, Draw.id == Invitation.draw_id)
        .join(Lot, Lot.id == Draw.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Invitation.invited_at >= period.start_at, Invitation.invited_at < period.end_at)
        .group_by(month)
    )
    by_month: dict[str, Row] = defaultdict(
        lambda: {"confirmed": 0, "declined": 0, "no_answer": 0, "appraised": 0, "score": None}
    )
    for m, confirmed, declined, silent in db.session.execute(_in_centre(stmt, centre_id)):
        by_month[m].update(
            confirmed=int(confirmed or 0), declined=int(declined or 0), no_answer=int(silent or 0)
        )
    amonth = month_of(Appraisal.created_at).label("month")
    astmt = (
        select(amonth, func.count(Appraisal.id), func.avg(Appraisal.score))
        .select_from(Appraisal)
        .join(Lot, Lot.id == Appraisal.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Appraisal.created_at >= period.start_at, Appraisal.created_at < period.end_at)
        .group_by(amonth)
    )
    for m, count, avg in db.session.execute(_in_centre(astmt, centre_id)):
        by_month[m].update(appraised=int(count), score=round(float(avg), 1) if count else None)
    rows = []
    for m in sorted(by_month):
        r = by_month[m]
        answered = r["confirmed"] + r["declined"] + r["no_answer"]
        rows.append(
            {"month": m, **r, "decline_rate": _rate(r["declined"] + r["no_answer"], answered)}
        )
    return rows


def staff_performance(period: Period, centre_id: int | None) -> list[Row]:
    """Per agency: legal steps that fell due in the period and how many were done in time —
    candidate publicity, contract filing, answers to objections (绩效评估)."""
    now = clock.now()
    end = min(period.end_at, now)
    agency = Project.agency_id
    tallies: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def tally(kind: str, stmt: Select[Any]) -> None:
        for aid, due, on_time in db.session.execute(_in_centre(stmt, centre_id)):
            tallies[aid][f"{kind}_due"] += int(due or 0)
            tallies[aid][f"{kind}_on_time"] += int(on_time or 0)

    publicity = (
        select(
            agency,
            func.count(LotResult.id),
            func.sum(
                case(
                    (
                        and_(
                            LotResult.publicity_start.is_not(None),
                            LotResult.publicity_start <= LotResult.publish_by,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .select_from(LotResult)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(LotResult.publish_by >= period.start_at, LotResult.publish_by < end)
        .group_by(agency)
    )
    tally("publicity", publicity)
    contract = _first_contracts()
    contracts = (
        select(
            agency,
            func.count(LotResult.id),
            func.sum(
                case(
                    (
                        and_(
                            contract.c.filed_at.is_not(None),
                            contract.c.filed_at <= LotResult.contract_due,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .select_from(LotResult)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .outerjoin(contract, contract.c.lot_id == Lot.id)
        .where(LotResult.contract_due >= period.start_at, LotResult.contract_due < end)
        .group_by(agency)
    )
    tally("contract", contracts)
    objections = (
        select(
            agency,
            func.count(Objection.id),
            func.sum(
                case(
                    (
                        and_(
                            Objection.answered_at.is_not(None),
                            Objection.answered_at <= Objection.answer_due_at,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .select_from(Objection)
        .join(Lot, Lot.id == Objection.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Objection.answer_due_at >= period.start_at, Objection.answer_due_at < end)
        .group_by(agency)
    )
    tally("objection", objections)
    if not tallies:
        return []
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(tallies))
        ).all()
    )
    rows = []
    for aid, t in tallies.items():
        due = t["publicity_due"] + t["contract_due"] + t["objection_due"]
        on_time = t["publicity_on_time"] + t["contract_on_time"] + t["objection_on_time"]
        rows.append(
            {
                "agency": names.get(aid, ""),
                "publicity": f"{t['publicity_on_time']}/{t['publicity_due']}",
                "contract": f"{t['contract_on_time']}/{t['contract_due']}",
                "objection": f"{t['objection_on_time']}/{t['objection_due']}",
                "due": due,
                "on_time": on_time,
                "rate": _rate(on_time, due),
            }
        )
    rows.sort(key=lambda r: (-(r["rate"] or 0), r["agency"]))
    return rows


def warnings_by_rule(period: Period, centre_id: int | None) -> list[Row]:
    """Warnings raised in the period, per rule: how many, how many were answered and closed,
    and the average hours from sending to the answer (the staff's speed)."""
    from app.supervision.models import SupervisionWarning as W
    from app.supervision.rules.registry import rule_label

    answer_days = days_between(W.sent_at, W.answered_at)
    stmt = (
        select(
            W.rule,
            func.count(W.id),
            func.count(W.sent_at),
            func.count(W.answered_at),
            func.count(W.closed_at),
            func.avg(answer_days),
        )
        .where(W.detected_at >= period.start_at, W.detected_at < period.end_at)
        .group_by(W.rule)
        .order_by(func.count(W.id).desc(), W.rule)
    )
    if centre_id is not None:
        stmt = stmt.where(W.centre_id == centre_id)
    rows = []
    for rule, raised, sent, answered, closed, avg_days in db.session.execute(stmt):
        rows.append(
            {
                "rule": rule,
                "label": str(rule_label(rule)),
                "raised": int(raised),
                "sent": int(sent),
                "answered": int(answered),
                "closed": int(closed),
                "hours": round(float(avg_days) * 24, 1) if avg_days is not None else None,
            }
        )
    return rows
