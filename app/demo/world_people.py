"""Centres with their holiday calendars, organisations and every demo user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.extensions import db
from app.demo.accounts import DEMO_EXPERTS, TWO_FACTOR_ROLES, demo_totp_secret
from app.demo.catalogue import (
    AGENCIES,
    AUTHORITIES,
    CENTRES,
    HOLIDAYS,
    PURCHASER_CONTACTS,
    PURCHASERS,
    STAFF_NAMES,
    SUPPLIER_CONTACTS,
    SUPPLIERS,
    expert_name,
)
from app.demo.context import World

# Telephone area codes of the two cities.
AREA_CODES = {"wlcb": "0474", "my": "0816"}


def add_user(
    world: World,
    username: str,
    name: str,
    role: Role,
    *,
    centre: Centre | None = None,
    org: Organisation | None = None,
) -> User:
    two_factor = role in TWO_FACTOR_ROLES
    user = User(
        username=username,
        display_name=name,
        email=f"{username}@demo.tenderhall.cn",
        password_hash=world.password_hash,
        role=role,
        organisation_id=org.id if org else None,
        centre_id=centre.id if centre else (org.centre_id if org else None),
        totp_secret=demo_totp_secret(username) if two_factor else None,
        totp_enabled=two_factor,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    record("demo.user_created", user, {"username": username, "role": role.value})
    world.users[username] = user
    return user


def add_org(
    world: World, kind: OrgKind, name: str, centre: Centre, kind_digit: str, **kw: Any
) -> Organisation:
    org = Organisation(
        kind=kind,
        name=name,
        credit_code=world.credit(centre.code, kind_digit),
        centre_id=centre.id,
        region=centre.region,
        created_at=clock.now(),
        **kw,
    )
    db.session.add(org)
    db.session.flush()
    record("demo.org_created", org, {"name": name, "kind": kind.value})
    return org


def build_people(world: World) -> None:
    """Both centres and their calendars, then the platform admin, then each centre's cast."""
    for spec in CENTRES:
        _centre(world, spec)
    add_user(world, "admin", "平台管理员", Role.ADMIN)
    for i, key in enumerate(world.centres):
        _organisations(world, key, i)
    all_suppliers = world.orgs["wlcb"]["supplier"] + world.orgs["my"]["supplier"]
    for n, org in enumerate(all_suppliers, start=1):
        add_user(world, f"supplier{n:02d}", SUPPLIER_CONTACTS[n - 1], Role.SUPPLIER, org=org)
    centres = list(world.centres.values())
    for n, username in enumerate(DEMO_EXPERTS):
        add_user(world, username, expert_name(n), Role.EXPERT, centre=centres[n % len(centres)])


def _centre(world: World, spec: dict[str, str]) -> None:
    centre = Centre(
        code=spec["code"],
        name=spec["name"],
        name_en=spec["name_en"],
        region=spec["region"],
        settings={},
        created_at=clock.now(),
    )
    db.session.add(centre)
    db.session.flush()
    record("demo.centre_created", centre, {"code": centre.code})
    world.centres[spec["key"]] = centre
    for day, name, workday in HOLIDAYS:
        db.session.add(
            Holiday(
                centre_id=centre.id,
                day=dt.date.fromisoformat(day),
                is_workday=workday,
                name=name,
            )
        )


def _organisations(world: World, key: str, i: int) -> None:
    """The i-th centre's agencies, purchasers, authority, suppliers and staff accounts."""
    centre = world.centres[key]
    area = AREA_CODES[key]
    agencies = [
        add_org(
            world,
            OrgKind.AGENCY,
            n,
            centre,
            "1",
            contact_name=["赵经理", "钱工"][j],
            contact_phone=f"{area}-{8231000 + 17 * j + i}",
            address=f"{centre.region}{['新华街', '建设路'][j]} {18 + j * 9} 号",
        )
        for j, n in enumerate(AGENCIES[key])
    ]
    purchasers = [
        add_org(
            world,
            OrgKind.PURCHASER,
            n,
            centre,
            "2",
            contact_name=PURCHASER_CONTACTS[j % len(PURCHASER_CONTACTS)],
            contact_phone=f"{area}-{6120000 + 311 * j + i}",
            address=f"{centre.region}{['人民路', '解放路', '长江路', '新华路'][j % 4]} {6 + j * 11} 号",
        )
        for j, n in enumerate(PURCHASERS[key])
    ]
    authority = add_org(world, OrgKind.AUTHORITY, AUTHORITIES[key], centre, "3")
    centre_org = add_org(world, OrgKind.CENTRE, centre.name, centre, "2")
    per_centre = len(SUPPLIERS) // len(CENTRES)
    chunk = SUPPLIERS[i * per_centre : (i + 1) * per_centre]
    suppliers = [
        add_org(world, OrgKind.SUPPLIER, n, centre, "4", legal_rep="法人代表") for n in chunk
    ]
    world.orgs[key] = {
        "agency": agencies,
        "purchaser": purchasers,
        "authority": [authority],
        "supplier": suppliers,
    }
    names = STAFF_NAMES[key]
    world.staff[key] = add_user(world, f"{key}_staff", names["staff"], Role.STAFF, org=agencies[0])
    add_user(world, f"{key}_staff2", names["staff2"], Role.STAFF, org=agencies[1])
    add_user(world, f"{key}_super", names["super"], Role.SUPERVISOR, centre=centre, org=authority)
    add_user(world, f"{key}_centre", names["centre"], Role.STAFF, centre=centre, org=centre_org)
