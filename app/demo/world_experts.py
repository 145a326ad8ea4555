"""The expert pool (profiles, past employers, conflicts, leave) and the expert draws."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.auth.models import User
from app.core.extensions import db
from app.demo.accounts import DEMO_EXPERTS
from app.demo.context import World, cst_at

# Specialty codes (experts/specialties.py) the pool is built from, one per expert in turn.
SPECIALTY_CYCLE: list[str] = [
    "C02.01.01.01",  # 保洁服务 (物业)
    "A08.02.01.01",  # 城市道路
    "B01.01.01.01",  # 服务器
    "B02.01.01.01",  # CT 设备 (医疗设备)
    "A08.01.01.01",  # 主体结构施工
    "B01.02.01.01",  # 网络交换机
    "C01.01.01.01",  # 政务软件开发
    "A09.01.01.01",  # 房屋建筑造价
]
SECONDARY: list[str] = [
    "B03.01.01.01",
    "C03.01.01.01",
    "A08.03.01.01",
    "A08.04.01.01",
    "A02.01.01.01",
    "A03.01.01.01",
]
EXPERT_TITLES: list[str] = [
    "高级工程师",
    "正高级工程师",
    "高级经济师",
    "副主任医师",
    "教授",
    "高级会计师",
]
EMPLOYERS: dict[str, list[str]] = {
    "wlcb": [
        "乌兰察布市第一中学",
        "集宁师范学院",
        "乌兰察布市建筑勘察设计研究院",
        "乌兰察布市中医医院",
        "乌兰察布职业学院",
        "内蒙古电力（集团）乌兰察布供电公司",
    ],
    "my": [
        "西南科技大学",
        "绵阳师范学院",
        "中国工程物理研究院",
        "绵阳市中心医院",
        "四川省绵阳市建筑设计院",
        "绵阳职业技术学院",
    ],
}


def id_card(region: str, birth: dt.date, seq: int) -> str:
    """A syntactically valid (GB 11643) but fictitious ID card number."""
    from experts.pool import ID_CHECK, ID_WEIGHTS

    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def build_expert_pool(world: World) -> None:
    """Register every demo expert, with the histories the avoidance rules look at."""
    from experts import pool, records
    from experts.models import ExpertStatus

    pool.seed_specialties()
    keys = list(world.centres)
    employers: dict[str, list[tuple[str, str]]] = {
        key: [(world.credit(world.centres[key].code, "2", "1"), n) for n in EMPLOYERS[key]]
        for key in keys
    }
    suppliers = {o.name: o for k in keys for o in world.orgs[k]["supplier"]}
    for n, username in enumerate(DEMO_EXPERTS):
        key = keys[n % len(keys)]
        i = n // len(keys)  # position within the centre's pool
        centre = world.centres[key]
        actor = world.users[f"{key}_centre"]
        user = world.users[username]
        secondary = [SECONDARY[i % len(SECONDARY)]]
        # Two more experts of the 乌兰察布 pool also evaluate property services, so that
        # the upcoming property-services draw has exactly its 4 seats and 2 reserves.
        if key == "wlcb" and i in (4, 12):
            secondary.append("C02.01.01.01")
        employer = employers[key][i % len(employers[key])]
        birth = dt.date(1962 + i % 24, 1 + i % 12, 1 + (n * 7) % 28)
        expert = pool.register_expert(
            centre,
            {
                "name": user.display_name,
                "id_card": id_card(centre.code, birth, 100 + n),
                "phone": f"13{(n * 7919) % 10**9:09d}",
                "email": user.email,
                "region": centre.region,
                "title": EXPERT_TITLES[i % len(EXPERT_TITLES)],
                "main_specialty": SPECIALTY_CYCLE[i % len(SPECIALTY_CYCLE)],
                "secondary_specialties": secondary,
                "employer_code": employer[0],
                "employer_name": employer[1],
                "user_id": user.id,
            },
            actor,
        )
        past = employers[key][(i + 2) % len(employers[key])]
        records.add_employment(expert, past[0], past[1], "2012-03-01", "2019-06-30", actor)
        if key == "wlcb" and i == 9:  # left a road builder recently: avoids its bids
            org = suppliers["内蒙古北疆路桥建设有限公司"]
            records.add_employment(
                expert, org.credit_code, org.name, "2019-07-01", "2024-06-30", actor
            )
        if key == "wlcb" and i == 10:
            org = suppliers["内蒙古蒙电信息技术有限公司"]
            records.add_relation(expert, org.credit_code, "shareholder", "持股 3%", actor)
        if key == "my" and i == 5:
            org = suppliers["四川长虹佳华信息产品有限责任公司"]
            records.add_relation(expert, org.credit_code, "relative", "配偶在该公司任职", actor)
        if (key, i) in (("wlcb", 3), ("my", 7)):
            pool.set_status(
                expert, ExpertStatus.SUSPENDED, "年度考核不合格，暂停评标资格六个月", actor
            )
        if (key, i) == ("my", 15):
            pool.set_status(expert, ExpertStatus.RETIRED, "本人申请退出专家库", actor)
        if (key, i) in (("wlcb", 6), ("my", 14)):
            start = world.real_now - dt.timedelta(days=2)
            records.add_leave(
                expert, start, start + dt.timedelta(days=20), "出国学术交流", expert.user
            )


def run_draws(world: World) -> None:
    """One draw done and revealed, one with invitations out, one only requested."""
    _completed_draw(world)
    _upcoming_draw(world)
    _requested_draw(world)


def _request(lot: Any, staff: User, evaluation: dt.datetime, room: str, specialty: str) -> Any:
    """Ask for 4 experts and 2 reserves of `specialty`, with one purchaser representative."""
    from experts import draws

    return draws.request_draw(
        lot,
        staff,
        {
            "evaluation_at": evaluation,
            "venue": room,
            "groups": [{"specialty": specialty, "count": 4, "reserves": 2}],
            "purchaser_reps": 1,
        },
    )


def _completed_draw(world: World) -> None:
    """The 政务云 evaluation took place yesterday: everyone answered, the seed is revealed."""
    from experts import draws, invitations
    from experts.models import InvitationState

    lot = world.lots["evaluating"]
    evaluation = cst_at(clock.cst_date(lot.bid_deadline) + dt.timedelta(days=1), 9, 0)
    staff = world.staff["wlcb"]
    world.at(evaluation - dt.timedelta(hours=20))
    item = _request(lot, staff, evaluation, "乌兰察布市公共资源交易中心评标室（2）", "B01")
    world.at(evaluation - dt.timedelta(hours=3))
    draws.commit_draw(item, staff)
    draws.execute_draw(item, staff)
    world.at(evaluation - dt.timedelta(hours=2, minutes=30))
    first = True
    for _round in range(8):
        waiting = [i for i in item.invitations if i.state == InvitationState.INVITED]
        if not waiting:
            break
        for inv in waiting:
            user = inv.expert.user
            if first:  # one expert declines, so a reserve is called in
                invitations.answer(inv, user, False, "当日单位有紧急任务，无法参加")
                first = False
                break
            invitations.answer(inv, user, True)
        db.session.refresh(item)
    world.at(evaluation + dt.timedelta(hours=8))
    draws.reveal_draw(item, staff)


def _upcoming_draw(world: World) -> None:
    """Experts invited to evaluate the lot whose bids were just frozen, tomorrow."""
    from experts import draws, invitations
    from experts.models import InvitationState

    lot = world.lots["closed"]
    staff = world.staff["wlcb"]
    evaluation = (world.real_now + dt.timedelta(hours=20)).replace(
        minute=0, second=0, microsecond=0
    )
    world.at(world.real_now - dt.timedelta(minutes=2))
    item = _request(lot, staff, evaluation, "乌兰察布市公共资源交易中心评标室（1）", "C02")
    draws.commit_draw(item, staff)
    draws.execute_draw(item, staff)
    # While expert001 (the guide's account) waits among the reserves, invited experts
    # decline one by one so that the reserves move up.
    for _round in range(3):
        db.session.refresh(item)
        mine = [i for i in item.invitations if i.expert.user.username == "expert001"]
        if not mine or mine[0].state != InvitationState.WAITING:
            break
        other = next(
            i
            for i in item.invitations
            if i.state == InvitationState.INVITED and i.expert.user.username != "expert001"
        )
        invitations.answer(other, other.expert.user, False, "出差在外，无法按时到场")
    db.session.refresh(item)
    world.invited = sorted(
        i.expert.user.username for i in item.invitations if i.state == InvitationState.INVITED
    )


def _requested_draw(world: World) -> None:
    """A request for an evaluation two days ahead: it is drawn within 24 h of it."""
    lot = world.lots["my:opened"]
    world.at(world.real_now - dt.timedelta(minutes=1))
    evaluation = cst_at(world.today + dt.timedelta(days=2), 9, 0)
    _request(lot, world.staff["my"], evaluation, "绵阳市公共资源交易中心评标室（3）", "A08")
