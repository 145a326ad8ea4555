"""Credit records and random inspections of the demo world: a blacklisted supplier, an
expert's bad-conduct record, one inspection campaign with published results and one still
being inspected (its results wait on the inspectors' workbench)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core import clock
from app.credit import records
from app.demo.context import World
from app.inspections import campaigns, lists
from app.inspections.models import Campaign
from experts.models import Expert

BANNED_SUPPLIER = 12  # supplier12, 卓资县顺达运输有限公司: blacklisted, cannot download or bid
ITEMS = [
    ("代理机构从业人员与内部管理", "《政府采购代理机构管理暂行办法》第十五条"),
    ("招标文件编制与发售", "《中华人民共和国招标投标法实施条例》第十五条至第二十一条"),
    ("保证金收退与档案保存", "《政府采购货物和服务招标投标管理办法》第三十八条、第七十六条"),
]
INSPECTORS = ["wlcb_super", "wlcb_centre", "wlcb_rep", "wlcb_staff"]


def _campaign(world: World, title: str, targets: int, item_ids: list[int]) -> Campaign:
    supervisor = world.users["wlcb_super"]
    item = campaigns.create_campaign(
        supervisor,
        {
            "title": title,
            "item_ids": item_ids,
            "target_count": targets,
            "inspector_count": 4,
            "team_size": 2,
        },
    )
    campaigns.commit_draw(item, supervisor)
    campaigns.execute_draw(item, supervisor)
    return item


def build_credit(world: World) -> None:
    world.at(world.real_now - dt.timedelta(days=20))
    supervisor = world.users["wlcb_super"]
    start = clock.cst_date(clock.now())
    banned = world.supplier(BANNED_SUPPLIER).organisation
    assert banned is not None
    records.add_supplier_record(
        supervisor,
        banned,
        {
            "kind": "blacklist",
            "authority": "乌兰察布市财政局",
            "basis": "《中华人民共和国政府采购法》第七十七条；乌财采罚〔2026〕12号",
            "result": "提供虚假材料谋取中标，列入不良行为记录名单，两年内禁止参加政府采购活动",
            "start_date": start,
            "end_date": records.add_years(start, 2) - dt.timedelta(days=1),
        },
    )
    records.add_supplier_record(
        supervisor,
        world.supplier(2).organisation,  # type: ignore[arg-type]
        {
            "kind": "good",
            "authority": "乌兰察布市住房和城乡建设局",
            "basis": "乌建发〔2026〕31号",
            "result": "2026 年度守信激励对象",
            "start_date": start,
        },
    )
    expert = db_first_expert(world)
    if expert is not None:
        records.add_expert_record(
            supervisor,
            expert,
            {
                "kind": "bad",
                "authority": "乌兰察布市公共资源交易中心",
                "basis": "《评标专家和评标专家库管理暂行办法》第十五条",
                "result": "评标迟到 40 分钟，暂停评标资格 3 个月",
                "start_date": start,
                "end_date": start + dt.timedelta(days=90),
            },
        )
    build_inspections(world)


def db_first_expert(world: World) -> Expert | None:
    from app.core.extensions import db

    centre = world.centres["wlcb"]
    return db.session.execute(
        select(Expert).where(Expert.centre_id == centre.id).order_by(Expert.id).limit(1)
    ).scalar_one_or_none()


def build_inspections(world: World) -> None:
    supervisor = world.users["wlcb_super"]
    items = [lists.add_item(supervisor, name, basis) for name, basis in ITEMS]
    orgs = world.orgs["wlcb"]
    for org in orgs["agency"] + orgs["supplier"][:6]:
        lists.add_target(supervisor, org)
    for username in INSPECTORS:
        user = world.users[username]
        employers = []
        if username == "wlcb_rep":
            # 业主代表 came from a supplier of the list: never sent to inspect it
            former = orgs["supplier"][0]
            employers.append({"credit_code": former.credit_code, "name": former.name})
        lists.add_inspector(supervisor, user, employers)
    item_ids = [i.id for i in items]
    done = _campaign(world, "2026 年第三季度公共资源交易主体双随机抽查", 3, item_ids)
    world.at(world.real_now - dt.timedelta(days=10))
    for n, team in enumerate(done.teams or []):
        for i in item_ids:
            finding, outcome = "", "ok"
            if n == 0 and i == item_ids[2]:
                outcome, finding = "issues", "2 个项目的保证金退还凭证未归档，已责令 15 日内整改。"
            campaigns.enter_result(supervisor, done, team["target_id"], i, outcome, finding)
    campaigns.publish(supervisor, done)
    world.at(world.real_now - dt.timedelta(days=1))
    _campaign(world, "2026 年第四季度代理机构双随机抽查", 2, item_ids[:2])
