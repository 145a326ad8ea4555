"""Projects, lots and announcements built directly in the database for portal tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from app.core import clock, search
from app.core.auth.models import Centre, OrgKind, Role, User
from app.core.extensions import db
from bidding.models import (
    Announcement,
    AnnouncementKind,
    EvalMethod,
    Lot,
    LotStatus,
    Method,
    Project,
)
from tests.factories import make_centre, make_org, make_user

_seq = itertools.count(1)
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 CST on a Monday


def staff(centre: Centre) -> User:
    return make_user(Role.STAFF, centre=centre, totp=False)


def make_project(
    centre: Centre | None = None,
    *,
    name: str | None = None,
    method: Method = Method.OPEN,
    category_code: str = "A08",
    lots: int = 1,
    lot_status: LotStatus = LotStatus.PUBLISHED,
    budget: Decimal = Decimal("1000000.00"),
    creator: User | None = None,
    **kw: Any,
) -> Project:
    centre = centre or make_centre()
    n = next(_seq)
    creator = creator or staff(centre)
    project = Project(
        code=f"XM-{n:05d}",
        trade_id=f"T{centre.code}{n:06d}",
        name=name or f"测试项目{n}",
        centre_id=centre.id,
        purchaser_id=make_org(OrgKind.PURCHASER, centre=centre, name=f"测试市第{n}人民医院").id,
        agency_id=make_org(OrgKind.AGENCY, centre=centre, name=f"测试招标代理{n}有限公司").id,
        method=method,
        category_code=category_code,
        description=kw.pop("description", "项目概况"),
        created_by_id=creator.id,
        created_at=clock.now(),
        **kw,
    )
    db.session.add(project)
    db.session.flush()
    for seq in range(1, lots + 1):
        db.session.add(
            Lot(
                project_id=project.id,
                seq=seq,
                code=f"{project.code}-{seq:02d}",
                name=f"{project.name} 第{seq}标段",
                category_code=category_code,
                budget=budget,
                ceiling_price=budget,
                bid_bond=(budget * Decimal("0.02")).quantize(Decimal("0.01")),
                evaluation_method=EvalMethod.COMPREHENSIVE,
                committee_size=5,
                status=lot_status,
                doc_start_at=T0 + dt.timedelta(days=1),
                doc_end_at=T0 + dt.timedelta(days=8),
                bid_deadline=T0 + dt.timedelta(days=25),
                opening_place="测试市公共资源交易中心开标室",
            )
        )
    db.session.flush()
    db.session.refresh(project)
    return project


def make_announcement(
    project: Project,
    *,
    kind: AnnouncementKind = AnnouncementKind.TENDER,
    title: str | None = None,
    body: str = "",
    lot: Lot | None | bool = True,
    published_at: dt.datetime | None | bool = True,
    fields: dict[str, Any] | None = None,
    supersedes: Announcement | None = None,
) -> Announcement:
    """An announcement of the project (its first lot unless lot=None), indexed for search."""
    if lot is True:
        lot = project.lots[0] if project.lots else None
    if published_at is True:
        published_at = T0 + dt.timedelta(minutes=next(_seq))
    a = Announcement(
        project_id=project.id,
        lot_id=lot.id if isinstance(lot, Lot) else None,
        kind=kind,
        title=title or f"{project.name}招标公告",
        body=body,
        fields=fields or {},
        centre_id=project.centre_id,
        method=project.method,
        category_code=project.category_code,
        published_at=published_at or None,
        supersedes_id=supersedes.id if supersedes else None,
        created_by_id=project.created_by_id,
        created_at=clock.now(),
    )
    db.session.add(a)
    db.session.flush()
    search.index("announcement", a.id, a.title, a.body)
    return a
