"""Results of evaluated lots: candidate publicity, the award and the contract notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core import clock, formatting
from app.core.auth.models import User
from app.demo.catalogue import AUTHORITIES
from app.demo.context import World
from app.demo.world_bids import priced

# Committee members named in result notices (the purchaser's representative is extra).
COMMITTEE: list[str] = ["王建国", "李海燕", "张志强", "刘丽华", "陈文博"]
SCORES: list[str] = ["92.36", "88.75", "85.10"]
DAY = formatting.CHINESE_DAY  # how notices write a date


@dataclass
class _Notices:
    """What every result notice of one lot shares."""

    lot: Any
    staff: User
    fields: dict[str, Any]  # structured fields common to all of them
    contacts: str  # the closing contact block of the text

    def publish(self, world: World, kind: Any, title: str, body: str, **fields: Any) -> None:
        from bidding.announcements import publish_announcement

        publish_announcement(
            self.staff,
            self.lot.project,
            kind,
            title,
            body,
            lot=self.lot,
            fields={**self.fields, **fields},
        )
        world.announcements += 1


def award(world: World, lot: Any, staff: User, bidders: list[User], *, final: bool) -> None:
    """Publish the candidates; when `final`, the result and (once signed) the contract too."""
    candidates = _candidates(lot, bidders)
    notices = _Notices(lot, staff, _fields(lot), _contacts(lot))
    _publish_candidates(world, notices, candidates)
    if not final:
        return
    winner = candidates[0]
    _publish_result(world, notices, winner)
    _publish_contract(world, notices, winner)


def _candidates(lot: Any, bidders: list[User]) -> list[dict[str, Any]]:
    """The first three bidders ranked by price; scores only under the comprehensive method."""
    ranked = bidders[:3]
    prices = [priced(lot, Decimal("0.93") - Decimal("0.025") * i) for i in range(len(ranked))]
    prices.sort()
    return [
        {
            "rank": i + 1,
            "supplier": u.organisation.name if u.organisation else "",
            "price": prices[i],
            "score": SCORES[i] if lot.evaluation_method.value == "comprehensive" else None,
        }
        for i, u in enumerate(ranked)
    ]


def _fields(lot: Any) -> dict[str, Any]:
    """The structured fields every result notice of the lot carries."""
    project = lot.project
    purchaser, agency = project.purchaser, project.agency
    return {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "purchaser_name": purchaser.name,
        "purchaser_contact": purchaser.contact_name,
        "purchaser_phone": purchaser.contact_phone,
        "agency_name": agency.name,
        "agency_contact": project.contact_name,
        "agency_phone": project.contact_phone,
    }


def _contacts(lot: Any) -> str:
    project = lot.project
    purchaser, agency = project.purchaser, project.agency
    return (
        f"采购人：{purchaser.name}　联系人：{purchaser.contact_name}　电话：{purchaser.contact_phone}\n"
        f"采购代理机构：{agency.name}　联系人：{project.contact_name}　电话：{project.contact_phone}\n"
        f"监督部门：{AUTHORITIES['wlcb' if project.centre.code == '150900' else 'my']}"
    )


def _publish_candidates(world: World, notices: _Notices, candidates: list[dict[str, Any]]) -> None:
    """The 中标候选人公示: three days of publicity two days after the opening."""
    from bidding.models import AnnouncementKind

    lot = notices.lot
    project = lot.project
    method_word = (
        "经评审的最低投标价法" if lot.evaluation_method.value == "lowest_price" else "综合评分法"
    )
    start = lot.bid_deadline + dt.timedelta(days=2, hours=1)
    end_day = clock.cst_date(start) + dt.timedelta(days=3)
    world.at(start)
    lines = "\n".join(
        f"第{c['rank']}名：{c['supplier']}，投标报价 {formatting.yuan(c['price'])}"
        + (f"，综合得分 {c['score']}" if c["score"] else "")
        for c in candidates
    )
    notices.publish(
        world,
        AnnouncementKind.CANDIDATES,
        f"{project.name}（{lot.name}）中标候选人公示",
        (
            f"一、项目编号：{project.code}\n二、项目名称：{project.name}（{lot.code} {lot.name}）\n"
            f"三、开标时间：{formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE)}\n"
            f"四、评标办法：{method_word}\n五、中标候选人：\n{lines}\n"
            f"六、公示期：{formatting.cst(start, DAY)}至{end_day:{DAY}}（3 日）。"
            "投标人或者其他利害关系人对评标结果有异议的，应当在公示期间以书面形式提出。\n"
            f"七、联系方式：\n{notices.contacts}"
        ),
        candidates=candidates,
        publicity_start=clock.cst_date(start).isoformat(),
        publicity_end=end_day.isoformat(),
    )


def _publish_result(world: World, notices: _Notices, winner: dict[str, Any]) -> None:
    """The 中标结果公告, after the publicity has ended."""
    from bidding.models import AnnouncementKind

    lot = notices.lot
    project = lot.project
    world.at(lot.bid_deadline + dt.timedelta(days=6, hours=2))
    notices.publish(
        world,
        AnnouncementKind.RESULT,
        f"{project.name}中标结果公告",
        (
            f"一、项目编号：{project.code}（交易编号 {project.trade_id}）\n"
            f"二、项目名称：{project.name}\n三、中标信息：\n"
            f"标段（包）：{lot.code} {lot.name}\n中标供应商：{winner['supplier']}\n"
            f"中标金额：{formatting.yuan(winner['price'])}\n"
            f"四、评审专家名单：{'、'.join(COMMITTEE[: lot.committee_size - 1])}"
            "（采购人代表 1 名）\n"
            "五、公告期限：自本公告发布之日起 1 个工作日。\n"
            f"六、凡对本次公告内容提出询问，请按以下方式联系：\n{notices.contacts}"
        ),
        winner=winner["supplier"],
        amount=winner["price"],
    )


def _publish_contract(world: World, notices: _Notices, winner: dict[str, Any]) -> None:
    """The 合同公告, two days after signing; nothing while the contract is not yet signed."""
    from bidding.models import AnnouncementKind

    lot = notices.lot
    project = lot.project
    signed = lot.bid_deadline + dt.timedelta(days=18)
    if signed + dt.timedelta(days=2) > world.real_now:
        return
    world.at(signed + dt.timedelta(days=2, hours=1))
    notices.publish(
        world,
        AnnouncementKind.CONTRACT,
        f"{project.name}合同公告",
        (
            f"一、合同编号：HT-{project.code}-01\n二、合同名称：{project.name}（{lot.name}）合同\n"
            f"三、项目编号：{project.code}\n四、采购人：{project.purchaser.name}\n"
            f"五、供应商：{winner['supplier']}\n六、合同金额：{formatting.yuan(winner['price'])}\n"
            f"七、合同签订日期：{formatting.cst(signed, DAY)}\n"
            f"八、履约期限：合同签订之日起 {'一年' if lot.category_code == 'C' else '120 日历日'}\n"
            f"九、联系方式：\n{notices.contacts}"
        ),
        supplier=winner["supplier"],
        amount=winner["price"],
        signed_on=clock.cst_date(signed).isoformat(),
    )
