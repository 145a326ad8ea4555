"""An evaluation in its review phase: a lot with opened bids and a committee ready to work.

The session is inserted directly (members signed in and committed, a leader elected):
the committee's own steps are tested elsewhere. Bids are DECRYPTED rows with the price
form the opening record would hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from remote_eval.models import EvalMember, EvalSession, MemberKind, MemberStatus, Phase

__all__ = ["MemberStatus"]
from tests.factories import make_centre, make_org, make_user, token_headers

T0 = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 Beijing time
D = Decimal

CHECKS = {
    "qualification": [{"id": "Q1", "name": "营业执照"}],
    "compliance": [{"id": "K1", "name": "投标有效期"}],
}
LOWEST_SCHEME: dict[str, Any] = {"method": "lowest_price", **CHECKS, "price": {"weight": "0"}}
# 综合评分法: T1 range 0–40 step 0.5 (subjective), T2 fixed 0/5/10 (objective),
# C1 fixed 0/10/20 (objective), price weight 30.
COMPREHENSIVE_SCHEME: dict[str, Any] = {
    "method": "comprehensive",
    **CHECKS,
    "technical": [
        {"id": "T1", "name": "技术方案", "type": "range", "maximum": "40", "step": "0.5"},
        {
            "id": "T2",
            "name": "实施方案",
            "type": "fixed",
            "maximum": "10",
            "choices": ["0", "5", "10"],
            "objective": True,
        },
    ],
    "commercial": [
        {
            "id": "C1",
            "name": "售后服务",
            "type": "fixed",
            "maximum": "20",
            "choices": ["0", "10", "20"],
            "objective": True,
        }
    ],
    "price": {"weight": "30", "abnormal_share": "0.5", "dispersion_share": "0.2"},
}


@dataclass
class ReviewWorld:
    session: EvalSession
    lot: Lot
    host: User
    supervisor: User
    members: list[EvalMember]
    bids: list[Bid]
    bidders: list[User]  # one user of each bid's supplier, in bid order
    outsider: User
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def leader(self) -> EvalMember:
        return next(m for m in self.members if m.id == self.session.leader_id)

    def headers(self, user: User) -> dict[str, str]:
        return token_headers(user)


def build_world(
    method: str,
    prices: list[str],
    *,
    ceiling: str = "1000000.00",
    members: int = 3,
    minutes: list[int] | None = None,
) -> ReviewWorld:
    clock.set_now(T0)
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    host = make_user(Role.STAFF, organisation=agency, centre=centre)
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    project = Project(
        code=f"TH-EV-{centre.id}",
        trade_id=f"TRADE-EV-{centre.id}",
        name="市政道路照明改造",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=Method.OPEN,
        category_code="B01",
        created_by_id=host.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"TH-EV-{centre.id}-01",
        name="照明设备采购",
        category_code="B01",
        budget=D("1200000.00"),
        ceiling_price=D(ceiling),
        bid_bond=D("10000.00"),
        evaluation_method=EvalMethod(method),
        status=LotStatus.EVALUATING,
        bid_deadline=T0 - dt.timedelta(days=1),
        opening_place="开标大厅一号厅",
        max_bid_bytes=1024 * 1024,
    )
    db.session.add(lot)
    db.session.flush()
    bids, bidders = [], []
    for i, price in enumerate(prices):
        org: Organisation = make_org(OrgKind.SUPPLIER, name=f"投标人{'ABCDEFGH'[i]}有限公司")
        user = make_user(Role.SUPPLIER, organisation=org)
        minute = (minutes or list(range(len(prices))))[i]
        bid = Bid(
            lot_id=lot.id,
            supplier_id=org.id,
            version=1,
            status=BidStatus.DECRYPTED,
            ciphertext_sha256="0" * 64,
            size=100,
            received_at=T0 - dt.timedelta(days=2) + dt.timedelta(minutes=minute),
            submitted_by_id=user.id,
            opened_at=T0 - dt.timedelta(hours=1),
            price_form={"total_price": price, "duration_days": 60, "quality": "合格"},
            plaintext_files=[],
        )
        db.session.add(bid)
        bids.append(bid)
        bidders.append(user)
    db.session.flush()
    scheme = LOWEST_SCHEME if method == "lowest_price" else COMPREHENSIVE_SCHEME
    session = EvalSession(
        lot_id=lot.id,
        phase=Phase.REVIEW,
        phase_started_at=clock.now(),
        host_id=host.id,
        main_centre_id=centre.id,
        method=method,
        scheme=scheme,
        created_at=clock.now(),
    )
    db.session.add(session)
    db.session.flush()
    seats = []
    for n in range(members):
        expert = make_user(Role.EXPERT, display_name=f"评委{n + 1}")
        seats.append(
            EvalMember(
                session_id=session.id,
                kind=MemberKind.EXPERT,
                user_id=expert.id,
                venue_centre_id=centre.id,
                seat=f"A{n + 1}",
                status=MemberStatus.SIGNED_IN,
                signed_in_at=clock.now(),
                committed_at=clock.now(),
                avoidance_declared_at=clock.now(),
            )
        )
    db.session.add_all(seats)
    db.session.flush()
    session.leader_id = seats[0].id
    outsider = make_user(Role.EXPERT, display_name="局外专家")
    db.session.commit()
    return ReviewWorld(
        session=session,
        lot=lot,
        host=host,
        supervisor=supervisor,
        members=seats,
        bids=bids,
        bidders=bidders,
        outsider=outsider,
    )


def pass_all(world: ReviewWorld, *, except_bids: tuple[int, ...] = ()) -> None:
    """Every member passes every check item of every bid (but those listed)."""
    from remote_eval import review

    for bid in world.bids:
        if bid.id in except_bids:
            continue
        for item in ("Q1", "K1"):
            for m in world.members:
                review.record_verdict(world.session, m, bid, item, True, "")
    db.session.commit()


def move(world: ReviewWorld, phase: Phase) -> None:
    """Move on after checking the phase's exit checks (the committee part's job in the app)."""
    from remote_eval import flow

    assert flow.exit_problems(world.session) == [], [
        str(p) for p in flow.exit_problems(world.session)
    ]
    flow.move_to(world.session, phase)
    db.session.commit()


@pytest.fixture
def lowest(app: Any) -> ReviewWorld:
    # A 450 000 (min 60), B 430 000 (min 65), C 430 000 (min 50), D 510 000 above the
    # ceiling 500 000, E fails a compliance item, F 180 000 abnormally low.
    return build_world(
        "lowest_price",
        ["450000.00", "430000.00", "430000.00", "510000.00", "300000.00", "180000.00"],
        ceiling="500000.00",
        minutes=[60, 65, 50, 10, 20, 30],
    )


@pytest.fixture
def comprehensive(app: Any) -> ReviewWorld:
    # A 800 000, B 1 000 000 (at the ceiling), C 1 000 000.01 (above it), D fails K1
    return build_world(
        "comprehensive",
        ["800000.00", "1000000.00", "1000000.01", "900000.00"],
        ceiling="1000000.00",
    )
