"""A year of finished lots for the statistics and service ratings (历史交易数据).

Replaying a year of lots through the sealing, opening and evaluation services would take
far longer than a demo seed may; these lots are written directly as the history those
services leave behind (projects, lots, decrypted bids, openings, draws and answers,
appraisals, results, contracts, ratings), each with one `demo.lot_stage` audit entry.
They are honest lots: prices spread, one upload address per bidder, legal periods mostly
kept. They stay "awarded" even when their contract is filed: the archive sweep packs the
stored files of contracted lots, and these rows have none. A few recent ones feed the ratings to-dos: a lot a demo supplier may still rate, a
bad rating the agency must answer, an answered one the supervisor may close.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from app.core.audit import record
from app.core.auth.models import Organisation, Role, User
from app.core.extensions import db
from app.demo.catalogue import CENTRES
from app.demo.context import World
from app.supervision.ratings.models import (
    BAD_LEVELS,
    DEFAULT_LEVEL,
    FollowUpStatus,
    RatingFollowUp,
    RatingTarget,
    ServiceRating,
)
from app.supervision.ratings.service import FOLLOW_UP_WORKING_DAYS, working_days_end
from bidding.bids.models import Bid, BidStatus, Opening, OpeningStatus
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from bidding.results.models import Contract, LotResult
from experts.models import Appraisal, Draw, DrawStatus, Expert, Invitation, InvitationState

LOTS_PER_CENTRE = 60
MONTHS = 12
NAMES = (
    ("办公设备采购", "A02"),
    ("物业管理服务", "C21"),
    ("信息系统运维服务", "C16"),
    ("园林绿化工程", "B03"),
    ("食材配送服务", "C23"),
)
# What a purchaser buys follows from what it is (a hospital, a school board, a road office).
NAMES_BY_KIND = {
    "医院": (("医疗设备采购", "A03"), ("医院物业管理服务", "C21"), ("医疗信息系统运维服务", "C16")),
    "教育": (("校舍维修改造", "B02"), ("教学设备采购", "A02"), ("学校食材配送服务", "C23")),
    "交通": (("道路养护工程", "B01"), ("交通信号设施采购", "A02"), ("道路绿化工程", "B03")),
}
COMMENTS_GOOD = ("流程清楚，答疑及时", "开标准时，系统稳定", "工作人员服务热情", "")
COMMENTS_BAD = ("答疑回复拖延，影响报价准备", "开标现场组织混乱，签到等候过久")
ANSWERS = ("已约谈项目负责人，答疑改为两个工作日内回复。", "已调整开标大厅签到流程，增设引导人员。")


def _at(day: dt.datetime, rnd: random.Random, lo_h: float, hi_h: float) -> dt.datetime:
    return day + dt.timedelta(hours=rnd.uniform(lo_h, hi_h))


def _level(rnd: random.Random) -> int:
    return rnd.choices((5, 4, 3, 2, 1), weights=(40, 35, 15, 7, 3))[0]


def build_history(world: World) -> int:
    """Two centres × LOTS_PER_CENTRE finished lots over the last year; returns the count."""
    rnd = random.Random(20261202)
    users = {u.organisation_id: u for u in world.users.values() if u.role == Role.SUPPLIER}
    count = 0
    for spec in CENTRES:
        key = spec["key"]
        centre = world.centres[key]
        orgs = world.orgs[key]
        supervisor = world.users[f"{key}_super"]
        experts = list(
            db.session.execute(select(Expert.id).where(Expert.centre_id == centre.id)).scalars()
        )
        for n in range(1, LOTS_PER_CENTRE + 1):
            age_days = rnd.uniform(25, MONTHS * 30.4)
            deadline = (world.real_now - dt.timedelta(days=age_days)).replace(
                hour=1, minute=30, second=0, microsecond=0
            )
            _lot(world, rnd, key, n, centre.id, orgs, users, experts, supervisor, deadline)
            count += 1
    _recent(world, rnd, users)
    return count


def _lot(
    world: World,
    rnd: random.Random,
    key: str,
    n: int,
    centre_id: int,
    orgs: dict[str, list[Organisation]],
    users: dict[int, User],
    experts: list[int],
    supervisor: User,
    deadline: dt.datetime,
    *,
    bidders: list[Organisation] | None = None,
    awarded_at: dt.datetime | None = None,
    rate: bool = True,
) -> Lot:
    agency = orgs["agency"][n % len(orgs["agency"])]
    staff = world.staff[key] if agency is orgs["agency"][0] else world.users[f"{key}_staff2"]
    purchaser = orgs["purchaser"][n % len(orgs["purchaser"])]
    names = next((v for k, v in NAMES_BY_KIND.items() if k in purchaser.name), NAMES)
    name, category = names[n % len(names)]
    budget = Decimal(rnd.randrange(20, 800) * 5000)
    project = Project(
        code=f"HIS-{key.upper()}-{n:03d}",
        trade_id=f"HIS-{key.upper()}-{n:03d}",
        name=f"{deadline.year}年度{name}（{n}）",
        centre_id=centre_id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=Method.OPEN,
        category_code=category,
        created_by_id=staff.id,
        created_at=deadline - dt.timedelta(days=35),
    )
    db.session.add(project)
    db.session.flush()
    if bidders is None:
        k = rnd.choices(range(0, 9), weights=(2, 3, 4, 14, 16, 14, 9, 5, 3))[0]
        bidders = rnd.sample(orgs["supplier"], min(k, len(orgs["supplier"])))
    failed = len(bidders) < 3
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"{project.code}-01",
        name=name,
        category_code=category,
        budget=budget,
        ceiling_price=budget,
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=LotStatus.FAILED if failed else LotStatus.AWARDED,
        doc_start_at=deadline - dt.timedelta(days=rnd.randint(20, 28)),
        doc_end_at=deadline - dt.timedelta(days=rnd.randint(14, 19)),
        bid_deadline=deadline,
        opening_place="开标大厅",
    )
    db.session.add(lot)
    db.session.flush()
    prices = sorted(budget * Decimal(rnd.uniform(0.78, 0.98)) for _ in bidders)
    bids = []
    for i, (org, price) in enumerate(zip(bidders, prices, strict=True)):
        bid = Bid(
            lot_id=lot.id,
            supplier_id=org.id,
            version=1,
            status=BidStatus.DECRYPTED,
            ciphertext_sha256=f"{lot.id:032x}{i:032x}",
            size=rnd.randint(2, 40) * 1024 * 1024,
            received_at=_at(deadline - dt.timedelta(days=rnd.randint(1, 6)), rnd, 0, 8),
            submitted_by_id=users[org.id].id,
            ip=f"10.{centre_id % 250}.{org.id % 250}.{rnd.randint(2, 250)}",
            opened_at=deadline + dt.timedelta(minutes=20),
            price_form={"total_price": f"{price.quantize(Decimal('0.01'))}"},
            plaintext_files=[],
        )
        db.session.add(bid)
        bids.append((org, bid, price.quantize(Decimal("0.01"))))
    db.session.add(
        Opening(
            lot_id=lot.id,
            status=OpeningStatus.PUBLISHED,
            started_at=deadline,
            decrypted_at=deadline + dt.timedelta(minutes=20),
            signed_at=deadline + dt.timedelta(minutes=rnd.randint(40, 110)),
            published_at=deadline + dt.timedelta(minutes=rnd.randint(115, 150)),
            signed_by_id=staff.id,
        )
    )
    if failed:
        db.session.flush()
        record("demo.lot_stage", lot, {"status": lot.status.value})
        return lot
    report_at = _at(deadline + dt.timedelta(days=rnd.randint(1, 5)), rnd, 1, 8)
    _draw_and_appraise(rnd, lot, staff, supervisor, experts, deadline, report_at)
    publish_by = report_at + dt.timedelta(days=2)
    publicity_start = report_at + dt.timedelta(hours=rnd.choice((4, 20, 30, 40, 60)))
    awarded_at = awarded_at or publicity_start + dt.timedelta(days=3, hours=rnd.randint(2, 40))
    winner, _bid, price = bids[0]
    result = LotResult(
        lot_id=lot.id,
        source="history",
        report_sha256=f"{lot.id:064x}",
        report_at=report_at,
        publish_by=publish_by,
        publicity_start=publicity_start,
        publicity_end=publicity_start + dt.timedelta(days=3),
        awarded_at=awarded_at,
        awarded_by_id=staff.id,
        winner_rank=1,
        winner_supplier_id=winner.id,
        award_price=price,
        contract_due=awarded_at + dt.timedelta(days=30),
        created_at=report_at,
        candidates=[
            {"rank": i + 1, "supplier_id": o.id, "supplier_name": o.name, "price": f"{p}"}
            for i, (o, _b, p) in enumerate(bids[:3])
        ],
    )
    db.session.add(result)
    filed_at = awarded_at + dt.timedelta(days=rnd.choice((6, 12, 18, 25, 28, 34)))
    if filed_at < world.real_now:
        db.session.add(
            Contract(
                lot_id=lot.id,
                number=f"HT-{project.code}",
                supplier_id=winner.id,
                price=price,
                signed_on=(filed_at - dt.timedelta(days=2)).date(),
                filename="合同.pdf",
                sha256=f"{lot.id:064x}",
                size=350_000,
                filed_by_id=staff.id,
                filed_at=filed_at,
            )
        )
    db.session.flush()
    record("demo.lot_stage", lot, {"status": lot.status.value})
    if rate:
        _ratings(world, rnd, lot, project, [o for o, _b, _p in bids], users, awarded_at, staff)
    return lot


def _draw_and_appraise(
    rnd: random.Random,
    lot: Lot,
    staff: User,
    supervisor: User,
    experts: list[int],
    deadline: dt.datetime,
    report_at: dt.datetime,
) -> None:
    if len(experts) < 8:
        return
    invited_at = deadline - dt.timedelta(days=2)
    draw = Draw(
        lot_id=lot.id,
        requested_by_id=staff.id,
        evaluation_at=deadline + dt.timedelta(hours=2),
        earliest_at=invited_at,
        venue="评标室",
        status=DrawStatus.REVEALED,
        created_at=invited_at - dt.timedelta(hours=1),
        drawn_at=invited_at,
        revealed_at=deadline + dt.timedelta(hours=1),
    )
    db.session.add(draw)
    db.session.flush()
    draw.root_id = draw.id
    picked = rnd.sample(experts, 5 + rnd.choices((0, 1, 2, 3), weights=(50, 30, 15, 5))[0])
    refusing = len(picked) - 5
    for rank, expert_id in enumerate(picked):
        state = InvitationState.CONFIRMED
        if rank < refusing:
            state = rnd.choice((InvitationState.DECLINED, InvitationState.NO_ANSWER))
        db.session.add(
            Invitation(
                draw_id=draw.id,
                root_id=draw.id,
                slot=0,
                rank=rank,
                expert_id=expert_id,
                state=state,
                invited_at=invited_at,
                answer_due_at=invited_at + dt.timedelta(hours=2),
                answered_at=None
                if state == InvitationState.NO_ANSWER
                else invited_at + dt.timedelta(minutes=rnd.randint(5, 110)),
            )
        )
        if state == InvitationState.CONFIRMED:
            db.session.add(
                Appraisal(
                    expert_id=expert_id,
                    lot_id=lot.id,
                    checklist={},
                    score=rnd.choices((100, 95, 90, 85, 80, 70), weights=(20, 30, 25, 15, 7, 3))[0],
                    created_by_id=supervisor.id,
                    created_at=report_at + dt.timedelta(days=1),
                )
            )


def _ratings(
    world: World,
    rnd: random.Random,
    lot: Lot,
    project: Project,
    bidders: list[Organisation],
    users: dict[int, User],
    awarded_at: dt.datetime,
    staff: User,
) -> None:
    """Bidders rate a lot whose window has closed: some in words, the silent by default."""
    closes = working_days_end(awarded_at, 5, project.centre_id)
    if closes > world.real_now:
        return  # still open: left for the bidders (and the scheduler) to do
    for org in bidders:
        given = rnd.random() < 0.6
        for target in (RatingTarget.CENTRE, RatingTarget.AGENCY):
            level = _level(rnd) if given else DEFAULT_LEVEL
            comment = ""
            if given:
                comment = rnd.choice(COMMENTS_BAD if level in BAD_LEVELS else COMMENTS_GOOD)
            rated_at = awarded_at + dt.timedelta(hours=rnd.randint(3, 70)) if given else closes
            rating = ServiceRating(
                lot_id=lot.id,
                supplier_id=org.id,
                target=target,
                centre_id=project.centre_id,
                agency_id=project.agency_id,
                level=level,
                comment=comment,
                rated_by_id=users[org.id].id if given else None,
                is_default=not given,
                rated_at=rated_at,
            )
            db.session.add(rating)
            if level in BAD_LEVELS:
                db.session.flush()
                due = working_days_end(rated_at, FOLLOW_UP_WORKING_DAYS, project.centre_id)
                db.session.add(
                    RatingFollowUp(
                        rating_id=rating.id,
                        status=FollowUpStatus.CLOSED,
                        opened_at=rated_at,
                        answer_due_at=due,
                        answer=rnd.choice(ANSWERS),
                        answered_by_id=staff.id,
                        answered_at=rated_at + dt.timedelta(days=2),
                        closing_note="整改到位。",
                        closed_at=rated_at + dt.timedelta(days=4),
                    )
                )


def _recent(world: World, rnd: random.Random, users: dict[int, User]) -> None:
    """Three lots awarded lately in the first centre, all bid on by supplier01: one it may
    still rate (a workbench to-do), one with a bad agency rating the agency must answer, one
    with a bad centre rating answered and waiting for the supervisor."""
    key = CENTRES[0]["key"]
    centre = world.centres[key]
    orgs = world.orgs[key]
    supervisor = world.users[f"{key}_super"]
    first = world.supplier(1).organisation
    bidders = [first, *[o for o in orgs["supplier"] if o.id != first.id][:3]]
    experts = list(
        db.session.execute(select(Expert.id).where(Expert.centre_id == centre.id)).scalars()
    )
    now = world.real_now
    lots = []
    for n, days in ((901, 1), (902, 9), (903, 12)):
        deadline = (now - dt.timedelta(days=days + 10)).replace(hour=1, minute=30, second=0)
        lots.append(
            _lot(
                world,
                rnd,
                key,
                n,
                centre.id,
                orgs,
                users,
                experts,
                supervisor,
                deadline,
                bidders=bidders,
                awarded_at=now - dt.timedelta(days=days),
                rate=False,
            )
        )
    _open, to_answer, to_close = lots
    for lot, target, status in (
        (to_answer, RatingTarget.AGENCY, FollowUpStatus.OPEN),
        (to_close, RatingTarget.CENTRE, FollowUpStatus.ANSWERED),
    ):
        awarded_at = db.session.execute(
            select(LotResult.awarded_at).where(LotResult.lot_id == lot.id)
        ).scalar_one()
        rated_at = awarded_at + dt.timedelta(hours=20)
        for t in (RatingTarget.CENTRE, RatingTarget.AGENCY):
            bad = t == target
            rating = ServiceRating(
                lot_id=lot.id,
                supplier_id=first.id,
                target=t,
                centre_id=centre.id,
                agency_id=lot.project.agency_id,
                level=2 if bad else 5,
                comment=COMMENTS_BAD[0 if t == RatingTarget.AGENCY else 1] if bad else "",
                rated_by_id=users[first.id].id,
                rated_at=rated_at,
            )
            db.session.add(rating)
            db.session.flush()
            if not bad:
                continue
            answered = status == FollowUpStatus.ANSWERED
            db.session.add(
                RatingFollowUp(
                    rating_id=rating.id,
                    status=status,
                    opened_at=rated_at,
                    answer_due_at=working_days_end(rated_at, FOLLOW_UP_WORKING_DAYS, centre.id),
                    answer=ANSWERS[1] if answered else "",
                    answered_by_id=world.users[f"{key}_centre"].id if answered else None,
                    answered_at=rated_at + dt.timedelta(days=2) if answered else None,
                )
            )
    db.session.flush()
