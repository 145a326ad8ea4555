"""Lots of the other procurement methods, each with its plan line and its procurement intent
public more than a month ago: an invitation tender whose three invitees were drawn from the
supplier library (the names hidden from the agency until the deadline), a request for
quotation registered and ready to publish, a single-source lot whose publicity (reason
and supplier) is running, open to objections, and an invitation tender in
prequalification (资格预审) with three applications received."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.calendar import calendar_for
from app.demo.context import World
from app.demo.world_plans import approved_line_for, intent_time_before

# (method, purchaser, project, category, lot category, budget, evaluation method)
LOTS = (
    (
        "invited",
        "乌兰察布市第一中学",
        "乌兰察布市第一中学风雨操场改造工程",
        "A",
        "A08",
        "2600000",
        "lowest_price",
    ),
    (
        "inquiry",
        "乌兰察布市政务服务与数据管理局",
        "乌兰察布市政务服务中心办公家具询价采购",
        "B",
        "B07",
        "380000",
        "lowest_price",
    ),
    (
        "single_source",
        "乌兰察布市中心医院",
        "乌兰察布市中心医院核磁共振设备原厂维保项目",
        "C",
        "C02",
        "1300000",
        "lowest_price",
    ),
)
SINGLE_SOURCE_REASON = (
    "本院 2019 年购置的 3.0T 核磁共振设备仍在使用期内，其系统软件与核心部件的维修、升级"
    "只能由原厂授权的服务商提供，为保证原有采购项目的一致性和配套服务要求，拟采用单一来源方式。"
)

PREQUAL_NAME = "乌兰察布市第一中学综合楼建设工程"
PREQUAL_APPLICANTS = ("supplier02", "supplier05", "supplier07")


def build_method_lots(world: World) -> None:
    from bidding.announcements import publish_intent
    from bidding.invitations.invitations import draw_invitees
    from bidding.projects import create_project

    key = "wlcb"
    staff = world.staff[key]
    purchasers = {o.name: o for o in world.orgs[key]["purchaser"]}
    for method, buyer, name, category, lot_category, budget, evaluation in LOTS:
        purchaser = purchasers[buyer]
        # Filed and registered a week before the intent, which is public five weeks ago (or
        # earlier, past a holiday), so that each lot's notice may go out now (bidding.intents).
        intent_at = intent_time_before(world.real_now, world.centres[key])
        world.at(intent_at - dt.timedelta(days=7))
        line = approved_line_for(world, key, purchaser, name, category, budget)
        project = create_project(
            staff,
            purchaser=purchaser,
            name=name,
            method=method,
            category_code=category,
            lots=[
                {
                    "name": name.removeprefix("乌兰察布市").removeprefix("集宁区"),
                    "category_code": lot_category,
                    "budget": budget,
                    "evaluation_method": evaluation,
                    "committee_size": 5,
                }
            ],
            description=f"{purchaser.name}{name}。",
            funding_source="一般公共预算资金",
            plan_line=line,
        )
        world.at(intent_at)
        publish_intent(
            staff,
            project,
            {
                "requirements": f"{name}，具体需求以采购文件为准。",
                "expected_month": world.today.strftime("%Y-%m"),
            },
        )
        world.announcements += 1
        if method == "invited":
            world.at(world.real_now - dt.timedelta(days=2))
            draw_invitees(staff, project.lots[0], 3)
        if method == "single_source":
            _publicity(world, project)


def _publicity(world: World, project: Any) -> None:
    """The single-source publicity went out yesterday; objections run five working days."""
    from bidding.announcements import publish_tender_notice
    from bidding.projects import update_lot

    staff = world.staff["wlcb"]
    notice = world.real_now - dt.timedelta(days=1)
    world.at(notice)
    lot = project.lots[0]
    cal = calendar_for(project.centre_id)
    last = cal.add_working_days(clock.cst_date(notice), 7)
    deadline = dt.datetime.combine(last, dt.time(9, 30), tzinfo=clock.CST)
    update_lot(
        staff,
        lot,
        {
            "doc_start_at": notice + dt.timedelta(minutes=10),
            "doc_end_at": deadline,
            "bid_deadline": deadline,
            "opening_place": "乌兰察布市公共资源交易中心第二谈判室",
        },
        lot.version,
    )
    publish_tender_notice(
        staff,
        project,
        {
            "requirements": "3.0T 核磁共振设备一年期原厂维保，含定期保养、故障维修和软件升级。",
            "qualifications": "具备原厂授权的维保服务资质。",
            "single_source_reason": SINGLE_SOURCE_REASON,
            "supplier_name": world.supplier(3).organisation.name,
            "supplier_address": "内蒙古自治区呼和浩特市赛罕区敕勒川大街 6 号",
            "expert_opinion": "经三位医学影像设备专家论证：该设备的维保配件和软件升级受原厂专利与"
            "专有技术保护，只能由原厂授权服务商提供。论证专家：李明（内蒙古医科大学附属医院，"
            "主任医师）、赵华（内蒙古工业大学，教授）、孙强（包头市中心医院，高级工程师）。",
        },
    )
    world.announcements += 1


def build_prequal_lot(world: World) -> None:
    """An invitation tender of works in prequalification: the notice out, the documents on
    offer, three suppliers applied; the list is secret to the agency until the deadline."""
    from sqlalchemy import select

    from app.core import clock
    from app.core.auth.models import Role, User
    from app.core.extensions import db
    from app.core.storage import get_store
    from bidding.documents.files import StagedFile
    from bidding.prequal import applications, notice
    from bidding.projects import create_project

    key = "wlcb"
    staff = world.staff[key]
    purchaser = {o.name: o for o in world.orgs[key]["purchaser"]}["乌兰察布市第一中学"]
    line = approved_line_for(world, key, purchaser, PREQUAL_NAME, "A", "3600000")
    project = create_project(
        staff,
        purchaser=purchaser,
        name=PREQUAL_NAME,
        method="invited",
        category_code="A",
        lots=[
            {
                "name": "综合楼建设工程施工",
                "category_code": "A01",
                "budget": "3600000",
                "evaluation_method": "reasonable_lowest",
                "committee_size": 5,
            }
        ],
        description=f"{purchaser.name}综合楼建设工程，建筑面积约 4500 平方米。",
        funding_source="一般公共预算资金",
        plan_line=line,
    )
    lot = project.lots[0]
    now = clock.now()
    doc = "资格预审文件：申请人须具备建筑工程施工总承包二级及以上资质。".encode()
    sha, size = get_store().put_bytes(doc)
    notice.publish(
        staff,
        lot,
        {
            "requirements": "具备建筑工程施工总承包二级及以上资质、有效的安全生产许可证；"
            "拟派项目经理具备二级及以上建造师资格；近三年无重大质量安全事故。",
            "review_method": "pass_fail",
            "document_price": "0",
            "offer_start_at": now,
            "offer_end_at": now + dt.timedelta(days=7),
            "application_deadline": now + dt.timedelta(days=14),
            "submission_place": "本平台在线递交",
        },
        StagedFile(sha256=sha, size=size, filename="资格预审文件.pdf"),
    )
    item = notice.prequal_of(lot)
    assert item is not None
    world.announcements += 1
    for n, username in enumerate(PREQUAL_APPLICANTS):
        world.at(now + dt.timedelta(hours=2 + n))
        user = db.session.execute(
            select(User).where(User.username == username, User.role == Role.SUPPLIER)
        ).scalar_one_or_none()
        if user is None:
            continue
        body = f"资格预审申请文件（{username}）".encode()
        sha, size = get_store().put_bytes(body)
        applications.apply(user, item, StagedFile(sha256=sha, size=size, filename="申请文件.pdf"))
    world.lots["prequal"] = lot
