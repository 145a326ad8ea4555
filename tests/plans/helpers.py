"""A purchaser's staff, and plan lines filed and approved through the real services."""

from __future__ import annotations

from typing import Any

from app.core.auth.models import Role, User
from app.core.extensions import db
from bidding.plans import plans
from bidding.plans.models import PlanLine
from tests.bidding.helpers import World
from tests.factories import make_user


def purchaser_staff(world: World) -> User:
    user = make_user(Role.PURCHASER, organisation=world.purchaser)
    db.session.commit()
    return user


def line_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "智慧教室设备采购",
        "budget_item_code": "2050203-01",
        "funding_source": "一般公共预算资金",
        "amount": "2000000.00",
        "category_code": "B02",
        "method": "open",
        "method_reason": "",
        "expected_month": "2026-04",
    }
    data.update(overrides)
    return data


def approved_line(world: World, purchaser: User | None = None, **overrides: Any) -> PlanLine:
    line = plans.file_line(purchaser or purchaser_staff(world), line_payload(**overrides))
    plans.approve_line(world.supervisor, line)
    db.session.commit()
    return line
