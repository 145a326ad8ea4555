"""Builders of the world a lifecycle test needs: a centre, an agency with staff, a purchaser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.clock import CST
from app.core.extensions import db
from tests.factories import make_centre, make_org, make_user

# Monday 2 March 2026, 09:00 in Beijing: every timetable below is relative to it.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)


@dataclass
class World:
    centre: Centre
    agency: Organisation
    purchaser: Organisation
    staff: User
    supplier: User
    supervisor: User


def make_world() -> World:
    clock.set_now(NOW)
    centre = make_centre(code="150900", name="乌兰察布市公共资源交易中心")
    agency = make_org(
        OrgKind.AGENCY,
        "内蒙古正信招标代理有限公司",
        centre,
        contact_name="王工",
        contact_phone="0474-8888888",
        address="集宁区新华街 1 号",
    )
    purchaser = make_org(
        OrgKind.PURCHASER,
        "乌兰察布市第一中学",
        centre,
        contact_name="李老师",
        contact_phone="0474-6666666",
    )
    supplier_org = make_org(OrgKind.SUPPLIER, "集宁电脑科技有限公司", centre)
    world = World(
        centre=centre,
        agency=agency,
        purchaser=purchaser,
        staff=make_user(Role.STAFF, organisation=agency),
        supplier=make_user(Role.SUPPLIER, organisation=supplier_org),
        supervisor=make_user(Role.SUPERVISOR, centre=centre),
    )
    db.session.commit()
    return world


def cst_iso(*args: int) -> str:
    return dt.datetime(*args, tzinfo=CST).isoformat()


def lot_payload(**overrides: Any) -> dict[str, Any]:
    """A lawful open-tender lot: documents Tue 3 – Mon 9 March, deadline 24 March."""
    data: dict[str, Any] = {
        "name": "教学用计算机采购",
        "category_code": "B0201",
        "budget": "1200000.00",
        "ceiling_price": "1150000.00",
        "bid_bond": "20000.00",
        "evaluation_method": "comprehensive",
        "committee_size": 5,
        "validity_days": 90,
        "doc_start_at": cst_iso(2026, 3, 3, 9, 0),
        "doc_end_at": cst_iso(2026, 3, 10, 17, 0),
        "bid_deadline": cst_iso(2026, 3, 24, 9, 30),
        "opening_place": "乌兰察布市公共资源交易中心第一开标室",
    }
    data.update(overrides)
    return data


def project_payload(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "乌兰察布市第一中学智慧教室设备采购项目",
        "purchaser_id": world.purchaser.id,
        "method": "open",
        "category_code": "B02",
        "description": "采购教学用计算机 200 台及配套网络设备。",
        "funding_source": "财政资金",
        "contact_name": "王工",
        "contact_phone": "0474-8888888",
        "lots": [lot_payload()],
    }
    data.update(overrides)
    return data


TENDER_FIELDS = {
    "requirements": "教学用计算机 200 台，详见招标文件第三章。",
    "qualifications": "1. 满足政府采购法第二十二条规定；2. 具备计算机设备销售资质。",
}
