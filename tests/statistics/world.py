"""Lots with their bids, results and contracts written directly as history, for the
statistics and ratings tests (the services that produce them are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from bidding.results.models import Contract, LotResult
from tests.factories import make_centre, make_org, make_user

_n = itertools.count(1)


@dataclass
class Place:
    centre: Centre
    agency: Organisation
    purchaser: Organisation
    staff: User  # the agency's staff
    supervisor: User
    suppliers: list[Organisation] = field(default_factory=list)
    supplier_users: list[User] = field(default_factory=list)


def place(n_suppliers: int = 4, name: str = "测试市公共资源交易中心") -> Place:
    centre = make_centre(name=name)
    agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    p = Place(
        centre,
        agency,
        purchaser,
        make_user(Role.STAFF, organisation=agency, centre=centre),
        make_user(Role.SUPERVISOR, centre=centre),
    )
    for _ in range(n_suppliers):
        org = make_org(OrgKind.SUPPLIER)
        p.suppliers.append(org)
        p.supplier_users.append(make_user(Role.SUPPLIER, organisation=org))
    return p


def lot(
    p: Place,
    *,
    deadline: dt.datetime,
    budget: str = "1000000.00",
    status: LotStatus = LotStatus.CONTRACTED,
    bidders: list[Organisation] | None = None,
    award_price: str | None = None,
    awarded_at: dt.datetime | None = None,
    report_at: dt.datetime | None = None,
    doc_start_at: dt.datetime | None = None,
    publish_by: dt.datetime | None = None,
    publicity_start: dt.datetime | None = None,
    contract_due: dt.datetime | None = None,
    contract_filed_at: dt.datetime | None = None,
) -> Lot:
    n = next(_n)
    project = Project(
        code=f"ST-{n}",
        trade_id=f"TR-ST-{n}",
        name=f"统计测试项目{n}",
        centre_id=p.centre.id,
        purchaser_id=p.purchaser.id,
        agency_id=p.agency.id,
        method=Method.OPEN,
        category_code="B01",
        created_by_id=p.staff.id,
        created_at=deadline - dt.timedelta(days=30),
    )
    db.session.add(project)
    db.session.flush()
    row = Lot(
        project_id=project.id,
        seq=1,
        code=f"ST-{n}-01",
        name=f"统计测试标段{n}",
        category_code="B01",
        budget=Decimal(budget),
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=status,
        doc_start_at=doc_start_at,
        bid_deadline=deadline,
    )
    db.session.add(row)
    db.session.flush()
    for org in bidders or []:
        db.session.add(
            Bid(
                lot_id=row.id,
                supplier_id=org.id,
                version=1,
                status=BidStatus.DECRYPTED,
                ciphertext_sha256="0" * 64,
                size=1,
                received_at=deadline - dt.timedelta(days=1),
                submitted_by_id=p.staff.id,
                opened_at=deadline,
            )
        )
    if report_at or awarded_at:
        report_at = report_at or deadline + dt.timedelta(days=1)
        result = LotResult(
            lot_id=row.id,
            source="test",
            report_sha256="1" * 64,
            report_at=report_at,
            publish_by=publish_by or report_at + dt.timedelta(days=2),
            publicity_start=publicity_start,
            awarded_at=awarded_at,
            winner_supplier_id=bidders[0].id if bidders and awarded_at else None,
            award_price=Decimal(award_price) if award_price else None,
            contract_due=contract_due,
            created_at=report_at,
        )
        db.session.add(result)
    if contract_filed_at:
        assert bidders
        db.session.add(
            Contract(
                lot_id=row.id,
                number=f"HT-{n}",
                supplier_id=bidders[0].id,
                price=Decimal(award_price or budget),
                signed_on=contract_filed_at.date(),
                filename="合同.pdf",
                sha256="2" * 64,
                size=1,
                filed_by_id=p.staff.id,
                filed_at=contract_filed_at,
            )
        )
    db.session.flush()
    return row
