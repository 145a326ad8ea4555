"""A small market: a catalogue, a buyer, agencies with qualifications, built through services."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from app.core import clock
from app.core.auth.models import OrgKind, Role, User
from app.core.extensions import db
from app.market import agencies, catalogue, needs
from app.market.models import Need
from tests.factories import PASSWORD, credit, make_org, make_user

# 2026-12-07 10:00 CST
START = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


@dataclass
class MarketWorld:
    admin: User
    buyer: User
    agencies: list[User] = field(default_factory=list)


def build_catalogue(admin: User) -> None:
    catalogue.save_type(admin, {"code": "ZX", "name": "咨询评估", "name_en": "Consulting"})
    catalogue.save_type(
        admin,
        {
            "code": "ZX01",
            "name": "环境影响评价",
            "name_en": "Environmental impact assessment",
            "parent_code": "ZX",
        },
    )
    catalogue.save_type(
        admin,
        {"code": "ZX02", "name": "工程造价咨询", "name_en": "Cost consulting", "parent_code": "ZX"},
    )


def add_agency(n: int, *, level: int = 1, valid_days: int = 365, code: str = "ZX01") -> User:
    user = agencies.register_agency(
        name=f"测试中介机构{n}有限公司",
        credit=credit(),
        username=f"agency{n}",
        password=PASSWORD,
        contact_name=f"联系人{n}",
        email=f"agency{n}@example.cn",
    )
    agencies.add_qualification(
        user,
        {
            "type_code": code,
            "name": "环评资质",
            "level": level,
            "number": f"HP-{n:04d}",
            "issuer": "生态环境厅",
            "valid_until": (
                clock.cst_date(clock.now()) + dt.timedelta(days=valid_days)
            ).isoformat(),
        },
        io.BytesIO(b"%PDF-1.4 certificate " + str(n).encode()),
        "cert.pdf",
    )
    return user


def build(n_agencies: int = 3) -> MarketWorld:
    admin = make_user(Role.ADMIN, totp=False)
    build_catalogue(admin)
    buyer_org = make_org(OrgKind.PURCHASER, name="测试市生态环境局")
    buyer = make_user(Role.PURCHASER, organisation=buyer_org, totp=False)
    world = MarketWorld(admin=admin, buyer=buyer)
    for n in range(1, n_agencies + 1):
        world.agencies.append(add_agency(n))
    db.session.commit()
    return world


def post(world: MarketWorld, method: str = "auction", **kw: Any) -> Need:
    now = clock.now()
    data: dict[str, Any] = {
        "title": kw.pop("title", "某项目环境影响评价"),
        "type_code": "ZX01",
        "scope": "编制环境影响报告书",
        "budget": "100000",
        "required_level": 2,
        "service_deadline": (clock.cst_date(now) + dt.timedelta(days=90)).isoformat(),
        "method": method,
        "gov_commissioned": False,
    }
    if method == "auction":
        data |= {
            "starts_at": now + dt.timedelta(minutes=10),
            "closes_at": now + dt.timedelta(minutes=40),
            "step": "1000",
            "extend_window_minutes": 5,
            "extend_minutes": 5,
        }
    data |= kw
    need = needs.post_need(world.buyer, data)
    db.session.commit()
    return need
