"""Two lots taken into the evaluation room by the real services, opening included.

"evaluation": bids sealed to the lot's opening key, the deadline passed a little while
ago, the custodians presented their shares, the bids were decrypted and the opening record
signed; experts of both centres were drawn and accepted; the committee of five (two
experts and the purchaser's representative at the main venue in 乌兰察布, two experts at
the secondary venue in 绵阳) waits at sign-in, to be played in the browser.

"evaluated": the same road three days ago, then the whole evaluation (sign-in,
commitments, election, review with a failed item, a clarification, independent scoring
with a dispersion alert and its justification, the summary) and a report every member
signed as their browser would: a P-256 key pair, the private key wrapped under the
member's passphrase (`signing_passphrase`), the signature over the report's hash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.core.auth.models import Organisation, Role, User
from app.core.extensions import db
from app.demo.accounts import CUSTODY_PASSPHRASES, signing_passphrase
from app.demo.context import World
from app.demo.world_bids import bid_round
from app.demo.world_people import add_user
from app.demo.world_venues import book_remote

# The draw: per centre two experts of this specialty (服务器 / 网络设备) and two reserves.
SPECIALTY = "B01"
# The purchaser's representative of each lot (a user of the lot's purchaser).
REPS = {
    "evaluation": ("wlcb_rep", "孙立伟"),
    "evaluated": ("wlcb_rep2", "周海峰"),
    "negotiation": ("wlcb_rep3", "赵立新"),
}


def stage_evaluation(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Opened two hours ago; the committee is formed and waits at sign-in (evaluation in an
    hour, so a member who declares a conflict is still replaced by the next reserve)."""
    now = world.real_now.replace(second=0, microsecond=0)
    evaluation = now + dt.timedelta(hours=1)
    # Two of its bidders uploaded from one office, and the prices are in progression: the
    # demo's collusion case for the supervisors (app/demo/world_supervision.py).
    bids_and_opening(world, lot, staff, bidders, collusive=True)
    # The day before: the lot is marked remote, seats booked at both centres.
    world.at(now - dt.timedelta(days=1, minutes=60))
    book_remote(world, lot, staff, evaluation)
    world.at(now - dt.timedelta(minutes=100))
    draw = run_draw(world, lot, staff, evaluation, request_at=now - dt.timedelta(days=1))
    world.at(now - dt.timedelta(minutes=15))
    form_committee(world, lot, staff, draw, "evaluation")
    world.at(world.real_now)


def stage_evaluated(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Opened, evaluated and signed on the day of its deadline."""
    day = lot.bid_deadline
    evaluation = day + dt.timedelta(minutes=30)  # 10:00 Beijing time
    bids_and_opening(world, lot, staff, bidders)
    draw = run_draw(world, lot, staff, evaluation, request_at=day - dt.timedelta(days=2))
    world.at(evaluation)
    session = form_committee(world, lot, staff, draw, "evaluated")
    _evaluate(world, session, staff, bidders, evaluation)
    from experts import draws

    world.at(evaluation + dt.timedelta(hours=9))
    draws.reveal_draw(draw, staff)


# ---------------------------------------------------------------- opening
def bids_and_opening(
    world: World, lot: Any, staff: User, bidders: list[User], *, collusive: bool = False
) -> None:
    """Bonds and sealed bids, the deadline, then the opening hall's real steps."""
    from bidding.bids import decryption, freeze, opening, opening_record

    bid_round(world, lot, staff, bidders, collusive=collusive)
    deadline = lot.bid_deadline
    world.at(deadline + dt.timedelta(minutes=1))
    freeze.close_lot(lot)
    world.at(deadline + dt.timedelta(minutes=3))
    for user in bidders[:3]:
        opening.sign_in(lot, user)
    world.at(deadline + dt.timedelta(minutes=8))
    for name in ("wlcb_staff", "wlcb_super"):
        opening.present_share(lot, world.users[name], CUSTODY_PASSPHRASES[name])
    world.at(deadline + dt.timedelta(minutes=10))
    decryption.decrypt_bids(lot, staff)
    world.at(deadline + dt.timedelta(minutes=25))
    opening_record.sign_record(lot, staff)
    opening_record.publish_record(lot, staff)


# ---------------------------------------------------------------- draw and committee
def run_draw(
    world: World, lot: Any, staff: User, evaluation: dt.datetime, *, request_at: dt.datetime
) -> Any:
    """Two experts of each centre's pool; every invited expert accepts."""
    from experts import draws, invitations
    from experts.models import InvitationState

    keep = world.real_now
    world.at(request_at)
    groups = [
        {"specialty": SPECIALTY, "count": 2, "reserves": 2, "centre_id": world.centres[k].id}
        for k in ("wlcb", "my")
    ]
    item = draws.request_draw(
        lot,
        staff,
        {
            "evaluation_at": evaluation,
            "venue": "乌兰察布市公共资源交易中心评标室（3）（主场）；绵阳市公共资源交易中心评标室（1）（副场）",
            "pool_centre_ids": [world.centres[k].id for k in ("wlcb", "my")],
            "groups": groups,
            "purchaser_reps": 1,
        },
    )
    world.at(min(evaluation - dt.timedelta(minutes=90), keep))
    draws.commit_draw(item, staff)
    draws.execute_draw(item, staff)
    for inv in list(item.invitations):
        if inv.state == InvitationState.INVITED:
            invitations.answer(inv, inv.expert.user, True)
    db.session.refresh(item)
    return item


def _rep(world: World, lot: Any, stage: str) -> User:
    username, name = REPS[stage]
    purchaser = db.session.get(Organisation, lot.project.purchaser_id)
    return add_user(world, username, name, Role.STAFF, org=purchaser)


def form_committee(world: World, lot: Any, staff: User, draw: Any, stage: str) -> Any:
    """Experts of 乌兰察布 at the main venue (A seats), of 绵阳 at the secondary (B seats)."""
    from remote_eval import committee

    main, second = world.centres["wlcb"].id, world.centres["my"].id
    venues: dict[int, tuple[int, str]] = {}
    for inv in committee.accepted_invitations(draw):
        at_main = inv.expert.centre_id == main
        taken = sum(1 for v, _s in venues.values() if v == (main if at_main else second))
        venues[inv.id] = (main, f"A{taken + 1:02d}") if at_main else (second, f"B{taken + 1:02d}")
    rep = _rep(world, lot, stage)
    session = committee.form_committee(
        lot, staff, purchaser_reps=[(rep, main, "A03")], venues=venues
    )
    world.lots[f"session:{stage}"] = session
    return session


# ---------------------------------------------------------------- the committee's first steps
def seat_and_elect(
    world: World, session: Any, host: User, start: dt.datetime, minutes: tuple[int, int, int]
) -> tuple[list[Any], Any]:
    """Sign-in (identities confirmed by each venue's staff), commitments and the election
    of the first member as leader, each phase advanced by the host at `start` + the given
    minutes; returns the seated members in seat order and the leader."""
    from remote_eval import committee, election, hosting
    from remote_eval.policies import seated_members

    members = sorted(seated_members(session), key=lambda m: m.seat)
    venue_staff = {
        world.centres["wlcb"].id: world.users["wlcb_centre"],
        world.centres["my"].id: world.users["my_centre"],
    }
    sign_in_at, commit_at, elect_at = minutes
    world.at(start + dt.timedelta(minutes=sign_in_at))
    for m in members:
        committee.confirm_identity(m, venue_staff[m.venue_centre_id])
        committee.sign_in(m, m.user)
    hosting.advance(session, host)
    world.at(start + dt.timedelta(minutes=commit_at))
    for m in members:
        committee.sign_commitment(m, m.user, False)
    hosting.advance(session, host)
    world.at(start + dt.timedelta(minutes=elect_at))
    leader = members[0]
    for m in members:
        election.cast_vote(m, m.user, leader.id)
    hosting.advance(session, host)
    return members, leader


# ---------------------------------------------------------------- the finished evaluation
def _evaluate(
    world: World, session: Any, host: User, bidders: list[User], start: dt.datetime
) -> None:
    """Every phase through its service, each member acting as themself."""
    from app.core.crypto import BrowserKey
    from remote_eval import (
        clarifications,
        hosting,
        report,
        review,
        scoring,
        signatures,
        summary,
    )

    def at(minutes: int) -> None:
        world.at(start + dt.timedelta(minutes=minutes))

    members, leader = seat_and_elect(world, session, host, start, (5, 15, 20))

    at(30)
    bids = review.session_bids(session)
    failed = bids[-1]
    for bid in bids:
        for _section, item in review.check_items(review.scheme_of(session)):
            for m in members:
                fails = bid is failed and item.id == "C4"
                review.record_verdict(
                    session,
                    m,
                    bid,
                    item.id,
                    not fails,
                    "投标产品主要技术参数第 5 项（冗余电源）未响应招标文件“★”要求。"
                    if fails
                    else "",
                )
    at(60)
    asked = clarifications.ask(
        session,
        members[1],
        bids[0],
        "请澄清投标文件第 4.2 节所列服务器的原厂质保年限（3 年或 5 年）及是否含上门服务。",
        start + dt.timedelta(minutes=120),
    )
    at(95)
    answerer = next(u for u in bidders if u.organisation_id == bids[0].supplier_id)
    clarifications.answer(
        asked,
        answerer,
        "我公司承诺所投服务器原厂质保 5 年，含 7×24 小时上门服务，备件 4 小时到场。",
    )
    at(110)
    hosting.advance(session, host)

    at(200)
    scheme = review.scheme_of(session)
    valid = [b for b in bids if b is not failed]
    for n, bid in enumerate(valid):
        for k, m in enumerate(members):
            values = {}
            for item in scheme.scored_items:
                values[item.id] = str(_score(item, n, k))
            scoring.save_scores(session, m, bid, values)
            scoring.submit_sheet(session, m, bid)
    at(290)
    hosting.advance(session, host)
    for bid_id, item_id, member_id in summary.missing_justifications(session):
        member = next(m for m in members if m.id == member_id)
        summary.write_justification(
            session,
            member,
            bid_id,
            item_id,
            "该投标人的技术方案未给出机房改造期间的业务迁移步骤，存在停机风险，故评分偏低。",
        )
    at(310)
    summary.lock_summary(session, leader)
    hosting.advance(session, host)

    at(320)
    keys = {}
    for m in members:
        keys[m.id] = BrowserKey.generate(signing_passphrase(m.user.username))
        signatures.register_key(m, m.user, keys[m.id].public_key, keys[m.id].wrapped)
    at(330)
    rep = report.generate_report(session, host)
    for i, m in enumerate(members):
        at(335 + 3 * i)
        signed = keys[m.id].sign(report.signed_message(rep.sha256))
        signatures.sign(session, m, signed, rep.sha256)


def _score(item: Any, bid_n: int, member_k: int) -> Decimal:
    """Objective items the same for every member; subjective ones a little apart, and one
    member (the fourth) far below the panel on the first bid's first subjective item."""
    if item.objective:
        choices = sorted(item.choices)
        return choices[-1 - min(bid_n, len(choices) - 1)]
    top = item.maximum * Decimal("0.85") - Decimal(bid_n) * item.maximum * Decimal("0.1")
    value = top + Decimal(member_k % 3) * item.step - item.step
    if bid_n == 0 and member_k == 3 and item.id == "T1":
        value = item.maximum * Decimal("0.4")
    value = (value / item.step).to_integral_value() * item.step
    return max(Decimal("0"), min(item.maximum, value))
