"""A 竞争性谈判 lot in its second round, taken there by the real services.

Its responses were sealed and opened three hours ago; the negotiation group (two experts
of each centre and the purchaser's representative) signed in, committed and elected its
leader; the first round's sealed quotes were read at once when the leader closed it; the
requirements were amended in writing; the second round is open and one supplier has
sealed its quote. The guide tells who plays the leader and who a supplier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.core.auth.models import User
from app.demo.context import World
from app.demo.world_eval import bids_and_opening, form_committee, run_draw, seat_and_elect

AMENDMENT = (
    "经谈判小组一致同意，对采购需求作如下书面变更：\n"
    "1. 车位检测器数量由 1,200 个调整为 1,350 个；\n"
    "2. 质保期由 2 年延长为 3 年，质保期内免费上门维护。\n"
    "请各供应商据此在第 2 轮报价中一并考虑。"
)
# First-round quotes as shares of the ceiling, per supplier in opening order.
ROUND_ONE = (Decimal("0.955"), Decimal("0.94"), Decimal("0.962"), Decimal("0.95"))


def stage_negotiation(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    from remote_eval import review
    from remote_eval.negotiation import rounds, talks

    start = lot.bid_deadline + dt.timedelta(minutes=45)
    bids_and_opening(world, lot, staff, bidders)
    draw = run_draw(world, lot, staff, start, request_at=lot.bid_deadline - dt.timedelta(days=1))
    world.at(start - dt.timedelta(minutes=10))
    session = form_committee(world, lot, staff, draw, "negotiation")

    def at(minutes: int) -> None:
        world.at(start + dt.timedelta(minutes=minutes))

    members, leader = seat_and_elect(world, session, staff, start, (2, 8, 12))

    bids = review.session_bids(session)
    users = {u.organisation_id: u for u in bidders}
    ceiling = lot.ceiling_price or lot.budget
    at(25)
    first = rounds.open_round(session, leader, final=False)
    for j, bid in enumerate(bids):
        at(30 + 4 * j)
        share = ROUND_ONE[j % len(ROUND_ONE)]
        rounds.submit_quote(first, users[bid.supplier_id], bid, (ceiling * share).quantize(1))
    at(50)
    talks.post(session, members[1].user, bids[0], "请说明贵公司在本市的售后服务网点和响应时间。")
    at(53)
    talks.post(
        session, users[bids[0].supplier_id], bids[0], "我公司在集宁区设有服务站，2 小时内到场。"
    )
    at(60)
    rounds.close_round(session, leader, first)
    at(70)
    talks.amend(session, leader, AMENDMENT)
    at(80)
    second = rounds.open_round(session, leader, final=False)
    at(90)
    last = bids[-1]
    rounds.submit_quote(
        second, users[last.supplier_id], last, (ceiling * Decimal("0.93")).quantize(1)
    )
    world.lots["session:negotiation"] = session
    world.at(world.real_now)
