"""Projects and their lots from the intent to the deadline, and the stages before bids."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.extensions import db
from app.demo.catalogue import PURCHASER_OF, SUPPLIERS, LotSpec
from app.demo.context import World, cst_at
from app.demo.documents import (
    QUALIFICATIONS,
    REQUIREMENTS,
    clarify,
    download,
    pdf,
    tender_document,
)
from app.demo.world_bids import opening_key, stage_closed, stage_failed, stage_open
from app.demo.world_eval import stage_evaluated, stage_evaluation
from app.demo.world_negotiation import stage_negotiation
from app.demo.world_plans import approved_line_for, intent_time_before
from app.demo.world_results import award, stage_bids

# Notice time, documents from, documents until, bid deadline.
Timetable = tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]

# Trades (by words in the supplier's name) that bid for each procurement category.
TRADES = {
    "A": "建筑|路桥|建设|工程|交通|建材",
    "B": "设备|医疗|信息|电子|安防|教学|器械|装备|机械|办公",
    "C": "物业|运输|环境|信息|环保|园林",
}
# Stages no service here reaches (the evaluation): the lot is set to them directly, with an
# audit entry; the result stages after it go through the result services (world_results.py).
EVALUATED = ("opened", "evaluating", "awarded", "publicity")
# Stages whose bids are sealed to a real opening key.
SEALED = ("open", "closed", "failed", "evaluation", "evaluated", "negotiation")
# Stages whose lot runs under another method than open tendering (the rest are 公开招标).
METHOD_OF_STAGE = {"negotiation": "negotiation"}


def build_lot(world: World, n: int, spec: LotSpec) -> None:
    """The n-th lot of the programme, brought to its stage through the services."""
    from bidding.models import LotStatus

    staff = world.staff[spec.key]
    times = timetable(world, world.centres[spec.key], spec.age, spec.stage)
    lot = _announce_intent(world, n, spec, times)
    if spec.stage == "draft":
        return
    bidders = _open_tender(world, n, spec, lot, times)
    builder = STAGES.get(spec.stage)
    if builder is not None:
        builder(world, lot, staff, bidders)
    if spec.stage in EVALUATED:
        world.at(times[3] + dt.timedelta(minutes=45))
        evaluating = spec.stage in ("publicity", "awarded")
        lot.status = LotStatus.EVALUATING if evaluating else LotStatus(spec.stage)
        db.session.flush()
        record("demo.lot_stage", lot, {"status": lot.status.value})
    if spec.stage in ("awarded", "publicity"):
        award(world, lot, staff, bidders, final=spec.stage == "awarded")
    world.lots.setdefault(spec.stage, lot)
    world.lots.setdefault(f"{spec.key}:{spec.stage}", lot)


def timetable(world: World, centre: Centre, age: int, stage: str) -> Timetable:
    """(notice time, documents from, documents until, deadline) of a lot."""
    from app.core.calendar import calendar_for

    cal = calendar_for(centre.id)
    if stage == "closed":  # the deadline has just passed: the opening hall is live
        deadline = world.real_now.replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
        notice = deadline - dt.timedelta(days=23)
    elif stage == "evaluation":  # opened two hours ago, its committee about to sign in
        deadline = world.real_now.replace(second=0, microsecond=0) - dt.timedelta(hours=2)
        notice = deadline - dt.timedelta(days=23)
    elif stage == "negotiation":  # opened three hours ago, in its second round now
        deadline = world.real_now.replace(second=0, microsecond=0) - dt.timedelta(hours=3)
        notice = deadline - dt.timedelta(days=23)
    elif stage == "failed":
        deadline = cst_at(world.today - dt.timedelta(days=3), 9, 30)
        notice = deadline - dt.timedelta(days=23)
    else:
        day = world.today - dt.timedelta(days=max(age, 1))
        notice = cst_at(day, 9, 0)
        end_day = day + dt.timedelta(days=22)
        # Past deadlines move back to a working day, future ones forward (never across today).
        step = dt.timedelta(days=1 if end_day >= world.today else -1)
        while not cal.is_working_day(end_day) and end_day - step != world.today:
            end_day += step
        deadline = cst_at(end_day, 9, 30)
        notice = cst_at(end_day - dt.timedelta(days=22), 9, 0)
    docs_from = notice + dt.timedelta(hours=1)
    docs_until = cst_at(cal.add_working_days(clock.cst_date(docs_from), 7), 17, 0)
    return notice, docs_from, docs_until, deadline


def _announce_intent(world: World, n: int, spec: LotSpec, times: Timetable) -> Any:
    """Create the project with its one lot and publish the procurement intent."""
    from bidding.announcements import publish_intent
    from bidding.projects import create_project

    notice, docs_from, docs_until, deadline = times
    centre = world.centres[spec.key]
    staff = world.staff[spec.key]
    purchaser = next(
        o for o in world.orgs[spec.key]["purchaser"] if o.name == PURCHASER_OF[spec.project]
    )
    budget = Decimal(spec.budget)
    lot_data = {
        "name": spec.lot,
        "category_code": spec.category,
        "budget": spec.budget,
        "ceiling_price": str((budget * Decimal("0.98")).quantize(Decimal("1"))),
        "bid_bond": str((budget * Decimal("0.01")).quantize(Decimal("1"))),
        "evaluation_method": "lowest_price"
        if spec.category == "A" or spec.stage in METHOD_OF_STAGE
        else "comprehensive",
        "committee_size": 7 if budget >= 10_000_000 else 5,
        "doc_start_at": docs_from,
        "doc_end_at": docs_until,
        "bid_deadline": deadline,
        "opening_place": f"{centre.name}开标室（{n % 3 + 1}）",
    }
    draft = spec.stage == "draft"
    if draft:  # only the intent, published a few days ago
        notice = cst_at(world.today - dt.timedelta(days=3 + n % 4), 10, 0)
    # A plan-line project's intent is public for the lead period before its notice.
    intent_at = notice if draft else intent_time_before(notice, centre)
    world.at(intent_at - dt.timedelta(days=5))
    line = approved_line_for(world, spec.key, purchaser, spec.project, spec.category, spec.budget)
    world.at(intent_at - dt.timedelta(days=1))
    project = create_project(
        staff,
        purchaser=purchaser,
        name=spec.project,
        method=METHOD_OF_STAGE.get(spec.stage, "open"),
        category_code=spec.category,
        lots=[lot_data],
        description=f"{purchaser.name}{spec.project}，资金已落实，拟通过"
        f"{'竞争性谈判' if spec.stage in METHOD_OF_STAGE else '公开招标'}确定供应商。",
        funding_source="财政资金",
        contact_name=staff.organisation.contact_name if staff.organisation else "",
        contact_phone=staff.organisation.contact_phone if staff.organisation else "",
        plan_line=line,
    )
    lot = project.lots[0]
    world.at(intent_at)
    publish_intent(
        staff,
        project,
        {
            "requirements": f"{spec.lot}，预算 {formatting.yuan(budget)}，具体需求以采购文件为准。",
            "expected_month": formatting.cst(docs_from, "%Y-%m"),
        },
        lot=lot,
    )
    world.announcements += 1
    return lot


def _open_tender(world: World, n: int, spec: LotSpec, lot: Any, times: Timetable) -> list[User]:
    """Publish the tender notice and document; the lot's bidders download it."""
    from bidding.announcements import publish_tender_notice

    notice, docs_from = times[0], times[1]
    staff = world.staff[spec.key]
    world.at(notice)
    if spec.stage in SEALED:  # bids will be sealed to the opening key
        opening_key(world, lot, spec.key)
    publish_tender_notice(
        staff,
        lot.project,
        {"requirements": REQUIREMENTS.format(lot=spec.lot), "qualifications": QUALIFICATIONS},
    )
    world.announcements += 1
    world.at(notice + dt.timedelta(minutes=40))
    tender_document(lot, staff, spec.project, spec.lot, spec.category, Decimal(spec.budget))
    bidders = bidders_for(world, spec.key, spec.category, n)
    for j, user in enumerate(bidders):
        world.at(docs_from + dt.timedelta(hours=5 + 19 * j))
        download(lot, user)
    return bidders


def bidders_for(world: World, key: str, cat: str, n: int) -> list[User]:
    """Suppliers of the centre whose trade fits the category, a few per lot."""
    offset = 0 if key == "wlcb" else 12
    pool = [
        world.supplier(offset + i + 1)
        for i, name in enumerate(SUPPLIERS[offset : offset + 12])
        if re.search(TRADES[cat], name)
    ]
    start = n % len(pool)
    return (pool[start:] + pool[:start])[: min(4, len(pool))]


def stage_published(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Documents out: a question answered, another pending; 绵阳 clarifies early."""
    from bidding.documents.questions import answer_question, ask_question

    world.at(lot.doc_start_at + dt.timedelta(days=1, hours=2))
    q = ask_question(
        lot,
        bidders[0],
        "招标文件第三章技术参数第 12 项要求“原厂授权”，代理商投标是否须提供原厂针对本项目的专项授权书？",
    )
    world.at(lot.doc_start_at + dt.timedelta(days=1, hours=6))
    answer_question(
        q,
        staff,
        "须提供制造商针对本项目出具的专项授权书原件扫描件，格式见招标文件第六章。",
    )
    if len(bidders) > 1:
        world.at(lot.doc_start_at + dt.timedelta(days=2))
        ask_question(lot, bidders[1], "投标保证金是否接受银行保函？有效期有何要求？")
    if lot.project.centre.code == "510700":  # an early amendment: the deadline holds
        world.at(lot.doc_start_at + dt.timedelta(days=3))
        clarify(world, lot, staff, "signals")


def stage_clarified(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """A late amendment with a second tender document: the deadline moves."""
    from bidding.documents.clarifications import propose_deadline
    from bidding.documents.files import stage_file

    world.at(world.real_now - dt.timedelta(days=1, hours=2))
    new_deadline = propose_deadline(lot)
    data = pdf(
        f"{lot.project.name}招标文件（澄清后第二版）",
        ["第五章工程量清单第 3.2 节外墙保温面积由 18,600 平方米调整为 21,350 平方米。"],
    )
    staged = stage_file(io.BytesIO(data), f"{lot.code}-招标文件-第2版.pdf")
    clarify(world, lot, staff, "insulation", staged=staged, new_deadline=new_deadline)


def stage_objected(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """An objection to a brand-pointing requirement, answered by the agency."""
    from bidding.documents.objections import answer_objection, file_objection

    world.at(lot.doc_start_at + dt.timedelta(days=1, hours=8))
    obj = file_objection(
        lot,
        bidders[0],
        "招标文件要求“检测速度不低于 2000 测试/小时”且“须为进口品牌”，"
        "指向特定品牌，限制了国产设备参与竞争，请予以修改。",
    )
    world.at(lot.doc_start_at + dt.timedelta(days=2, hours=4))
    answer_objection(
        obj,
        staff,
        "经采购人复核，删除“须为进口品牌”的要求，检测速度调整为不低于 1200 测试/小时，"
        "将另行发布更正公告。",
    )


def stage_suspended(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """An objection filed yesterday and not yet answered: the lot is suspended."""
    from bidding.documents.objections import file_objection

    world.at(world.real_now - dt.timedelta(hours=20))
    file_objection(
        lot,
        bidders[0],
        "评分办法中“投标人须在绵阳市区设有 4S 店”的加分项属于以特定行政区域业绩"
        "作为加分条件，违反《政府采购法实施条例》第二十条，请求删除。",
    )


def stage_terminated(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """The purchaser cancels the procurement."""
    from bidding.termination import terminate_lot

    world.at(world.real_now - dt.timedelta(days=2, hours=3))
    reason = (
        "因医院信息系统整体迁移至市政务云，原运维需求发生重大变化，经采购人申请，终止本次采购。"
        if lot.project.centre.code == "150900"
        else "因项目选址调整，纳入城市更新统一实施，采购需求取消，经采购人申请终止本次采购。"
    )
    terminate_lot(staff, lot, reason)
    world.announcements += 1


StageBuilder = Callable[[World, Any, User, list[User]], None]

# What happens to a lot between its tender notice and its stage, by stage.
STAGES: dict[str, StageBuilder] = {
    "published": stage_published,
    "open": stage_open,
    "clarified": stage_clarified,
    "objected": stage_objected,
    "suspended": stage_suspended,
    "closed": stage_closed,
    "failed": stage_failed,
    "terminated": stage_terminated,
    "publicity": stage_bids,
    "awarded": stage_bids,
    "evaluation": stage_evaluation,
    "evaluated": stage_evaluated,
    "negotiation": stage_negotiation,
}
