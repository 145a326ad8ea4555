"""A sealed-quote need (综合评审) of the demo market, caught while its committee scores.

The buyer posts it two days before the seed's real time; three environmental-assessment
agencies hand in quotes sealed to the need's opening key, as tenderhall-seal does; the
deadline passes yesterday, the buyer opens them and names a committee of three of its own
purchaser accounts (wlcb_buyer, wlcb_buyer1 and wlcb_reviewer); wlcb_buyer1 has scored,
the other two are still to score before the buyer finishes and the result is published.
Everything goes through the market's services, as a browser would.
"""

from __future__ import annotations

import datetime as dt
import io

from app.core import clock
from app.core.auth.models import Role, User
from app.core.crypto import seal_stream
from app.demo.context import World
from app.demo.world_people import add_user
from app.market import needs, sealed, sealed_review
from app.market.models import Need

TITLE = "集宁区职业教育中心实训楼建设项目环境影响评价"
REVIEWER = "wlcb_reviewer"
# (agency index in world_market.AGENCIES, hours before the deadline, price, proposal)
QUOTES = (
    (0, 20, "76800", "技术方案：现状监测 2 期，大气、噪声、地下水专题评价，45 日内提交报告书。"),
    (1, 14, "69500", "技术方案：引用近三年例行监测数据，补充噪声监测 1 期，40 日内提交报告书。"),
    (2, 5, "72000", "技术方案：委托有资质的监测单位补测，配合环评审批部门技术审查。"),
)
# wlcb_buyer1's points for 技术方案 (max 45) and 项目团队及类似业绩 (max 25), per quote.
SCORED = {0: ("40", "22"), 1: ("33", "20"), 2: ("37", "18")}


def _sealed_quote(need: Need, agency: User, price: str, proposal: str) -> bytes:
    key = sealed.opening_key(need)
    out = io.BytesIO()
    seal_stream(
        key.public_pem,
        {
            "lot_id": need.id,
            "lot_code": sealed.lot_code(need),
            "bidder_org_id": agency.organisation_id,
            "bidder_credit_code": agency.organisation.credit_code,
            "chunk_size": 64 * 1024,
        },
        {"price_form": {"total_price": price}},
        [("技术方案.txt", io.BytesIO(proposal.encode("utf-8")), "text/plain")],
        out,
    )
    return out.getvalue()


def build_sealed_need(world: World, buyer: User, firms: list[User]) -> Need:
    """Post, quote, open, form the committee and record one member's scores."""
    real = world.real_now
    deadline = real - dt.timedelta(hours=22)
    world.at(real - dt.timedelta(hours=47))
    need = needs.post_need(
        buyer,
        {
            "title": TITLE,
            "type_code": "ZX01",
            "scope": "编制环境影响报告书并通过生态环境部门审批，含现状监测与公众参与。",
            "budget": "80000",
            "ceiling": "85000",
            "required_level": 2,
            "service_deadline": (clock.cst_date(real) + dt.timedelta(days=90)).isoformat(),
            "method": "sealed",
            "gov_commissioned": True,
            "closes_at": deadline,
            "scoring": {
                "price_weight": "30",
                "items": [
                    {"name": "技术方案", "maximum": "45"},
                    {"name": "项目团队及类似业绩", "maximum": "25"},
                ],
            },
        },
    )
    for firm, hours, price, proposal in QUOTES:
        world.at(deadline - dt.timedelta(hours=hours))
        agency = firms[firm]
        blob = _sealed_quote(need, agency, price, proposal)
        sealed.submit_quote(agency, need, io.BytesIO(blob), f"报价-{agency.username}.thseal")
    world.at(deadline + dt.timedelta(minutes=3))
    sealed.open_quotes(buyer, need)
    reviewer = add_user(
        world, REVIEWER, "乌兰察布市集宁区教育局 · 评审代表", Role.PURCHASER, org=buyer.organisation
    )
    committee = [buyer, world.users["wlcb_buyer1"], reviewer]
    assert all(u.organisation_id == buyer.organisation_id for u in committee)
    world.at(deadline + dt.timedelta(minutes=40))
    sealed_review.form_committee(buyer, need, [u.id for u in committee])
    world.at(deadline + dt.timedelta(hours=2))
    by_org = {q.org_id: q for q in sealed_review.opened_quotes(need)}
    sheets = {
        by_org[firms[firm].organisation_id].id: {"t1": t1, "t2": t2}
        for firm, (t1, t2) in SCORED.items()
    }
    sealed_review.submit_scores(committee[1], need, sheets)
    return need
