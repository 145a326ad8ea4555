"""Lots of the other procurement methods, each with its plan line: an invitation tender
whose three invitees were drawn from the supplier library (the names hidden from the agency
until the deadline), a request for quotation registered and ready to publish, and an
invitation tender in prequalification (资格预审) with three applications received."""

from __future__ import annotations

import datetime as dt

from app.demo.context import World
from app.demo.world_plans import approved_line_for

PREQUAL_NAME = "乌兰察布市第一中学综合楼建设工程"
PREQUAL_APPLICANTS = ("supplier02", "supplier05", "supplier07")


def build_method_lots(world: World) -> None:
    from bidding.invitations.invitations import draw_invitees
    from bidding.projects import create_project

    key = "wlcb"
    staff = world.staff[key]
    purchasers = {o.name: o for o in world.orgs[key]["purchaser"]}
    lots = [
        (
            "invited",
            purchasers["乌兰察布市第一中学"],
            "乌兰察布市第一中学风雨操场改造工程",
            "A",
            "A08",
            "2600000",
            "lowest_price",
        ),
        (
            "inquiry",
            purchasers["乌兰察布市政务服务与数据管理局"],
            "乌兰察布市政务服务中心办公家具询价采购",
            "B",
            "B07",
            "380000",
            "lowest_price",
        ),
    ]
    for method, purchaser, name, category, lot_category, budget, evaluation in lots:
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
        if method == "invited":
            draw_invitees(staff, project.lots[0], 3)


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
