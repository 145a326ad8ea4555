"""A published lot with its agency, staff, supervisor and suppliers, built from the models."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.extensions import db
from bidding.documents.downloads import download_document
from bidding.documents.files import stage_file
from bidding.documents.versions import upload_document
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from tests.factories import make_centre, make_org, make_user

CST = clock.CST
# A Monday morning in China Standard Time.
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)
_seq = itertools.count(1)


@dataclass
class World:
    centre: Centre
    agency: Organisation
    staff: User
    other_staff: User
    supervisor: User
    admin: User
    project: Project
    lot: Lot

    def supplier(self, **org_kw: Any) -> User:
        org = make_org(OrgKind.SUPPLIER, centre=self.centre, **org_kw)
        return make_user(Role.SUPPLIER, organisation=org)


def make_world(*, deadline_days: int = 25, status: LotStatus = LotStatus.PUBLISHED) -> World:
    clock.set_now(T0)
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre)
    other_agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    staff = make_user(Role.STAFF, organisation=agency)
    other_staff = make_user(Role.STAFF, organisation=other_agency)
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    admin = make_user(Role.ADMIN)
    n = next(_seq)
    project = Project(
        code=f"TH-DOC-{n:04d}",
        trade_id=f"TRADE-DOC-{n:04d}",
        name="市第一中学教学楼修缮工程",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=Method.OPEN,
        category_code="A08",
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"TH-DOC-{n:04d}-01",
        name="教学楼修缮一标段",
        category_code="A08",
        budget=Decimal("1000000.00"),
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=status,
        doc_start_at=T0 - dt.timedelta(days=1),
        doc_end_at=T0 + dt.timedelta(days=6),
        bid_deadline=(T0 + dt.timedelta(days=deadline_days)).replace(hour=9, minute=30),
    )
    db.session.add(lot)
    db.session.flush()
    return World(centre, agency, staff, other_staff, supervisor, admin, project, lot)


def upload(
    world: World, data: bytes = b"%PDF-1.7 tender documents", name: str = "招标文件.pdf"
) -> Any:
    """The first issue of the documents, through the service."""
    staged = stage_file(io.BytesIO(data), name)
    return upload_document(world.lot, world.staff, staged)


def download(world: World, user: User) -> Any:
    return download_document(world.lot, user, ip="10.0.0.8", user_agent="pytest")
