"""A lot whose opening is done, with its accepted experts, venue staff, supervisors and reps.

Built through the real services where it matters: the draw is requested, committed and
run by experts.draws, the invitations answered by experts.invitations. Bids are rows in
the state the opening leaves them (decrypted, with their price form).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, OrgKind, Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, LotStatus
from experts import invitations
from experts.models import Draw, Invitation, InvitationState
from remote_eval import committee
from remote_eval.models import EvalMember, EvalSession, MemberStatus, ScoringScheme
from remote_eval.scheme import Scheme
from tests.experts.world import EVAL_AT, World, build_world, make_pool, request, run
from tests.factories import make_centre, make_org, make_user

# The opening is done a little before the evaluation time: reserves can still be invited.
OPENED_AT = EVAL_AT - dt.timedelta(hours=1)

SCHEME: dict[str, Any] = {
    "method": "comprehensive",
    "price": {"weight": "30"},
    "qualification": [{"id": "Q1", "name": "营业执照", "description": "有效期内"}],
    "compliance": [{"id": "K1", "name": "投标有效期", "description": "不少于 90 日"}],
    "technical": [
        {"id": "T1", "name": "技术方案", "maximum": "40", "type": "range", "step": "0.5"},
        {
            "id": "T2",
            "name": "实施方案",
            "maximum": "10",
            "type": "fixed",
            "choices": ["0", "5", "10"],
        },
    ],
    "commercial": [
        {
            "id": "C1",
            "name": "售后服务",
            "maximum": "20",
            "type": "fixed",
            "choices": ["0", "10", "20"],
            "objective": True,
        }
    ],
}


@dataclass
class CommitteeWorld:
    base: World
    second: Centre  # the secondary venue's centre
    host: User
    staff_main: User  # venue staff of the main centre
    staff_second: User  # venue staff of the secondary centre
    supervisor_main: User
    supervisor_second: User
    supervisor_other: User  # of a centre with nothing to do with this lot
    reps: list[User]  # users of the lot's purchaser
    bids: list[Bid]
    draw: Draw
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def lot(self) -> Any:
        return self.base.lot

    def accepted(self) -> list[Invitation]:
        return committee.accepted_invitations(self.draw)

    def form(self, reps: int = 1, **kw: Any) -> EvalSession:
        """Form the committee: two experts at the secondary venue, the rest at the main one."""
        main = self.base.centre.id
        accepted = self.accepted()
        venues = {
            inv.id: (self.second.id if i < 2 else main, f"{'B' if i < 2 else 'A'}{i + 1:02d}")
            for i, inv in enumerate(accepted)
        }
        session = committee.form_committee(
            self.lot,
            kw.pop("host", self.host),
            purchaser_reps=[(u, main, f"R{n + 1}") for n, u in enumerate(self.reps[:reps])],
            venues=kw.pop("venues", venues),
        )
        db.session.commit()
        return session

    def venue_staff(self, member: EvalMember) -> User:
        return self.staff_second if member.venue_centre_id == self.second.id else self.staff_main


# 最低评标价法: pass/fail items, then price alone (no scored items, no weight).
LOWEST_SCHEME: dict[str, Any] = {
    "method": "lowest_price",
    "price": {"weight": "0"},
    "qualification": SCHEME["qualification"],
    "compliance": SCHEME["compliance"],
}


def build(
    *,
    experts: int = 4,
    reserves: int = 2,
    bidders: int = 3,
    scheme: dict[str, Any] | None = None,
    prices: list[str] | None = None,
    received_after: list[int] | None = None,
) -> CommitteeWorld:
    """`scheme` is the frozen scheme (SCHEME by default); `prices` the opened prices of
    the bids (900,000 + 10,000 n by default); `received_after` how many minutes after
    the first bid each bid arrived (all at once by default: the tie rule's input)."""
    scheme = scheme or SCHEME
    base = build_world()
    base.lot.evaluation_method = EvalMethod(scheme["method"])
    main = base.centre
    second = make_centre(name="副场市公共资源交易中心")
    other = make_centre(name="无关市公共资源交易中心")
    staff_second = make_user(
        Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=second), centre=second
    )
    make_pool(main, experts + reserves + 3, account=True)
    item = run(
        base,
        request(
            base,
            groups=[{"specialty": "A08", "count": experts, "reserves": reserves}],
            purchaser_reps=1,
        ),
    )
    for inv in list(item.invitations):
        if inv.state == InvitationState.INVITED:
            invitations.answer(inv, inv.expert.user, True)
    clock.set_now(OPENED_AT)
    bids = []
    for n in range(bidders):
        org = make_org(OrgKind.SUPPLIER, centre=main)
        user = make_user(Role.SUPPLIER, organisation=org)
        bid = Bid(
            lot_id=base.lot.id,
            supplier_id=org.id,
            version=1,
            status=BidStatus.DECRYPTED,
            ciphertext_sha256="0" * 64,
            size=10,
            received_at=(
                clock.now() - dt.timedelta(hours=1, minutes=-received_after[n])
                if received_after
                else clock.now()
            ),
            submitted_by_id=user.id,
            opened_at=clock.now(),
            price_form={
                "total_price": prices[n] if prices else str(Decimal("900000.00") + n * 10000)
            },
            plaintext_files=[],
        )
        db.session.add(bid)
        bids.append(bid)
    base.lot.status = LotStatus.OPENED
    # The scheme the tender notice froze (the lot was built without publishing one).
    db.session.add(
        ScoringScheme(
            lot_id=base.lot.id,
            method=scheme["method"],
            data=Scheme.from_dict(scheme).to_dict(),
            updated_at=clock.now(),
            frozen_at=clock.now(),
        )
    )
    reps = [make_user(Role.STAFF, organisation=base.purchaser) for _ in range(3)]
    world = CommitteeWorld(
        base=base,
        second=second,
        host=base.agency_staff,
        staff_main=base.centre_staff,
        staff_second=staff_second,
        supervisor_main=make_user(Role.SUPERVISOR, centre=main),
        supervisor_second=make_user(Role.SUPERVISOR, centre=second),
        supervisor_other=make_user(Role.SUPERVISOR, centre=other),
        reps=reps,
        bids=bids,
        draw=item,
    )
    db.session.commit()
    return world


# ---------------------------------------------------------------- moving a session along
def active(session: EvalSession) -> list[EvalMember]:
    return [m for m in session.members if m.status != MemberStatus.REMOVED]


def sign_everyone_in(w: CommitteeWorld, session: EvalSession) -> None:
    for m in active(session):
        if m.signed_in_at is None:
            committee.confirm_identity(m, w.venue_staff(m))
            committee.sign_in(m, m.user)
    db.session.commit()


def commit_everyone(session: EvalSession) -> None:
    for m in active(session):
        if m.committed_at is None:
            committee.sign_commitment(m, m.user, False)
    db.session.commit()


def to_election(w: CommitteeWorld, session: EvalSession) -> None:
    from remote_eval import hosting

    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    commit_everyone(session)
    hosting.advance(session, w.host)
    db.session.commit()


def elect(session: EvalSession, leader: EvalMember) -> None:
    from remote_eval import election

    for m in active(session):
        election.cast_vote(m, m.user, leader.id)
    db.session.commit()
