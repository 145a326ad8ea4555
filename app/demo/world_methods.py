"""Lots of the other procurement methods, each with its plan line: an invitation tender
whose three invitees were drawn from the supplier library (the names hidden from the agency
until the deadline), and a request for quotation registered and ready to publish."""

from __future__ import annotations

from app.demo.context import World
from app.demo.world_plans import approved_line_for


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
