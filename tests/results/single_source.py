"""A single-source (单一来源) lot whose one response was just opened, with its people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.core import clock
from app.core.auth.models import OrgKind, Role, User
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from tests.factories import make_centre, make_org, make_user
from tests.results.world import T0

MINUTES = "2026年4月1日上午在交易中心第二谈判室谈判。\n供应商同意在原报价基础上优惠 2 万元。"


def single_source_lot(method: Method = Method.SINGLE_SOURCE) -> tuple[Lot, User, User, User]:
    clock.set_now(T0)
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    other = make_user(Role.STAFF, organisation=make_org(OrgKind.AGENCY, centre=centre))
    project = Project(
        code=f"TH-SS-{centre.id}",
        trade_id=f"TRADE-SS-{centre.id}",
        name="核磁共振设备维保",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=method,
        category_code="C02",
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"TH-SS-{centre.id}-01",
        name="原厂维保服务",
        category_code="C02",
        budget=Decimal("1300000.00"),
        ceiling_price=Decimal("1250000.00"),
        bid_bond=Decimal("0"),
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=LotStatus.OPENED,
        bid_deadline=T0 - dt.timedelta(days=1),
        opening_place="开标大厅一号厅",
    )
    db.session.add(lot)
    db.session.flush()
    org = make_org(OrgKind.SUPPLIER, name="原厂授权服务有限公司")
    supplier = make_user(Role.SUPPLIER, organisation=org)
    blob = b"sealed response" * 20
    db.session.add(
        Bid(
            lot_id=lot.id,
            supplier_id=org.id,
            version=1,
            status=BidStatus.DECRYPTED,
            ciphertext_sha256=get_store().put_bytes(blob)[0],
            size=len(blob),
            received_at=T0 - dt.timedelta(days=2),
            submitted_by_id=supplier.id,
            opened_at=T0 - dt.timedelta(days=1),
            price_form={"total_price": "1200000.00"},
            plaintext_files=[],
        )
    )
    db.session.commit()
    return lot, staff, other, supplier
