"""Procurement plans of the demo: a purchaser's staff account per purchaser, an approved
plan line behind every demo project, and in each centre one line awaiting the finance
office and one returned to its purchaser (the to-dos of both sides)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, Organisation, Role
from app.core.calendar import calendar_for
from app.demo.context import World
from app.demo.world_people import add_user

# The purchaser contact's account names: `<centre>_buyer<n>`, n in the purchasers' order.
BUYER_NAMES = ("李会计", "王主任", "张科长", "刘老师", "陈主任", "杨会计")


def build_purchaser_staff(world: World) -> None:
    for key, orgs in world.orgs.items():
        for j, org in enumerate(orgs["purchaser"], start=1):
            add_user(
                world,
                f"{key}_buyer{j}",
                BUYER_NAMES[(j - 1) % len(BUYER_NAMES)],
                Role.PURCHASER,
                org=org,
            )


def _buyer(world: World, key: str, purchaser: Organisation) -> Any:
    j = world.orgs[key]["purchaser"].index(purchaser) + 1
    return world.users[f"{key}_buyer{j}"]


def approved_line_for(
    world: World, key: str, purchaser: Organisation, name: str, category: str, budget: str
) -> Any:
    """The plan line a demo project draws on: filed by the purchaser with some headroom,
    approved by the centre's supervisor (the finance office)."""
    from bidding.plans.plans import approve_line, file_line

    amount = (Decimal(budget) * Decimal("1.05")).quantize(Decimal("1"))
    line = file_line(
        _buyer(world, key, purchaser),
        {
            "name": name,
            "budget_item_code": f"2050{len(world.users) % 900 + 100}-01",
            "funding_source": "一般公共预算资金",
            "amount": str(amount),
            "category_code": category,
            "method": "open",
            "expected_month": world.today.strftime("%Y-%m"),
        },
    )
    approve_line(world.users[f"{key}_super"], line, "预算已批复，同意备案。")
    return line


def intent_time_before(notice: dt.datetime, centre: Centre) -> dt.datetime:
    """When a demo project's intent goes public: five weeks before its notice, or earlier
    where a holiday at the end of the lead period would move the earliest lawful notice
    past it (bidding.intents asks the same rule), so the demo seeds on any day of the year."""
    from flask import current_app

    from bidding import clocks

    days = clocks.intent_lead_days(current_app.config, centre.settings or {})
    calendar = calendar_for(centre.id)
    at = notice - dt.timedelta(days=35)
    while clocks.earliest_notice_after_intent(at, days, calendar) > clock.cst_date(notice):
        at -= dt.timedelta(days=1)
    return at


def build_pending_lines(world: World) -> None:
    """One line with the finance office and one returned, per centre."""
    from bidding.plans.plans import file_line, return_line

    for key in world.orgs:
        purchaser = world.orgs[key]["purchaser"][0]
        buyer = _buyer(world, key, purchaser)
        month = world.today.strftime("%Y-%m")
        file_line(
            buyer,
            {
                "name": "办公楼空调系统更新改造",
                "budget_item_code": "2010350-02",
                "funding_source": "一般公共预算资金",
                "amount": "860000.00",
                "category_code": "A",
                "method": "open",
                "expected_month": month,
            },
        )
        returned = file_line(
            buyer,
            {
                "name": "档案数字化加工服务",
                "budget_item_code": "2010399-01",
                "funding_source": "单位自有资金",
                "amount": "4500000.00",
                "category_code": "C",
                "method": "consultation",
                "method_reason": "服务需求难以事先确定详细规格。",
                "expected_month": month,
            },
        )
        return_line(
            world.users[f"{key}_super"],
            returned,
            "金额达到公开招标数额标准，所述理由不足以采用竞争性磋商，请补充论证材料或改为公开招标。",
        )
