"""Builders for expert-pool tests: a lot with its purchaser and agency, pools, conflicts."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, Lot, Method, Project
from experts import draws
from experts.models import Draw, Expert, ExpertStatus
from experts.pool import hash_id_card, seed_specialties
from tests.factories import make_centre, make_org, make_user

_n = itertools.count(1)
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 CST, a Monday
EVAL_AT = NOW + dt.timedelta(hours=20)


@dataclass
class World:
    centre: Centre
    centre_staff: User
    agency: Organisation
    agency_staff: User
    purchaser: Organisation
    project: Project
    lot: Lot


def build_world(centre: Centre | None = None) -> World:
    clock.set_now(NOW)
    seed_specialties()
    centre = centre or make_centre()
    centre_org = make_org(OrgKind.CENTRE, centre=centre)
    centre_staff = make_user(Role.STAFF, organisation=centre_org, centre=centre)
    agency = make_org(OrgKind.AGENCY, centre=centre)
    agency_staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    n = next(_n)
    project = Project(
        code=f"P-{n}",
        trade_id=f"T-{n}",
        name=f"测试项目{n}",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=Method.OPEN,
        category_code="A08",
        created_by_id=agency_staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"P-{n}-1",
        name=f"测试项目{n}施工标段",
        category_code="A08",
        budget=Decimal("1000000"),
        evaluation_method=EvalMethod.COMPREHENSIVE,
        committee_size=5,
    )
    db.session.add(lot)
    db.session.flush()
    return World(centre, centre_staff, agency, agency_staff, purchaser, project, lot)


def make_expert(
    centre: Centre,
    specialty: str = "A08.01.01.01",
    *,
    employer: str = "",
    status: ExpertStatus = ExpertStatus.ACTIVE,
    account: bool = False,
    **kw: Any,
) -> Expert:
    n = next(_n)
    user = _expert_user(centre) if account else None
    expert = Expert(
        centre_id=centre.id,
        user_id=user.id if user else None,
        name=kw.pop("name", f"专家{n}"),
        id_card_hash=hash_id_card(f"ID{n:016d}"),
        phone=kw.pop("phone", f"139{n:08d}"),
        email=kw.pop("email", ""),
        main_specialty_code=specialty,
        employer_code=employer,
        status=status,
        created_at=clock.now(),
        **kw,
    )
    db.session.add(expert)
    db.session.flush()
    return expert


@functools.cache
def _password_hash() -> str:
    from app.core.auth.passwords import hash_password
    from tests.factories import PASSWORD

    return hash_password(PASSWORD)


def _expert_user(centre: Centre) -> User:
    """An expert account like make_user's, with the password hashed once per run (speed)."""
    import pyotp

    n = next(_n)
    user = User(
        username=f"expert-w{n}",
        display_name=f"expert-w{n}",
        email=f"expert-w{n}@example.cn",
        password_hash=_password_hash(),
        role=Role.EXPERT,
        centre_id=centre.id,
        totp_secret=pyotp.random_base32(),
        totp_enabled=True,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_pool(centre: Centre, n: int, specialty: str = "A08.01.01.01", **kw: Any) -> list[Expert]:
    return [make_expert(centre, specialty, **kw) for _ in range(n)]


def add_bid(lot: Lot, supplier: Organisation) -> Bid:
    user = make_user(Role.SUPPLIER, organisation=supplier)
    bid = Bid(
        lot_id=lot.id,
        supplier_id=supplier.id,
        version=1,
        status=BidStatus.SUBMITTED,
        ciphertext_sha256="0" * 64,
        size=10,
        received_at=clock.now(),
        submitted_by_id=user.id,
    )
    db.session.add(bid)
    db.session.flush()
    return bid


def request(w: World, groups: list[dict[str, Any]] | None = None, **kw: Any) -> Draw:
    data = {
        "evaluation_at": kw.pop("evaluation_at", EVAL_AT),
        "venue": "第一评标室",
        "purchaser_reps": kw.pop("purchaser_reps", 0),
        "groups": groups or [{"specialty": "A08", "count": 5, "reserves": 2}],
        **kw,
    }
    return draws.request_draw(w.lot, w.agency_staff, data)


def run(w: World, item: Draw) -> Draw:
    draws.commit_draw(item, w.agency_staff)
    db.session.commit()
    draws.execute_draw(item, w.agency_staff)
    db.session.commit()
    return item


def drawn_ids(item: Draw) -> set[int]:
    return {i for g in item.result or [] for i in g["invited"] + g["reserves"]}
