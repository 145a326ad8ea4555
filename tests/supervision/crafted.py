"""Crafted rows for the supervision rules: lots, bids and results written directly, so each
rule's test shows exactly the data that lights it (and the data that must not)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus, FilesCheck
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from tests.factories import make_centre, make_org, make_user

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
_n = itertools.count(1)


class World:
    def __init__(self, centre: Centre | None = None) -> None:
        self.centre = centre or make_centre(name="乌兰察布市公共资源交易中心")
        self.agency = make_org(OrgKind.AGENCY, centre=self.centre)
        self.purchaser = make_org(OrgKind.PURCHASER, centre=self.centre)
        self.staff = make_user(Role.STAFF, organisation=self.agency, display_name="代理员小王")
        self.supervisor = make_user(Role.SUPERVISOR, centre=self.centre, display_name="监督员老李")

    def lot(self, status: LotStatus = LotStatus.OPENED, name: str = "", **kw: Any) -> Lot:
        n = next(_n)
        project = Project(
            code=f"SP-{self.centre.code}-{n}",
            trade_id=f"ST-{self.centre.code}-{n}",
            name=f"{name or '测试'}项目{n}",
            centre_id=self.centre.id,
            purchaser_id=self.purchaser.id,
            agency_id=self.agency.id,
            method=Method.OPEN,
            category_code="B",
            created_by_id=self.staff.id,
            created_at=clock.now(),
        )
        db.session.add(project)
        db.session.flush()
        lot = Lot(
            project_id=project.id,
            seq=1,
            code=f"SL-{self.centre.code}-{n}",
            name=name or f"测试标段{n}",
            category_code="B",
            budget=Decimal("1000000.00"),
            evaluation_method=EvalMethod.COMPREHENSIVE,
            status=status,
            bid_deadline=kw.pop("bid_deadline", NOW - dt.timedelta(days=1)),
            **kw,
        )
        db.session.add(lot)
        db.session.flush()
        return lot

    def supplier(self, name: str = "", **kw: Any) -> tuple[Organisation, User]:
        org = make_org(OrgKind.SUPPLIER, name=name or None, **kw)
        return org, make_user(Role.SUPPLIER, organisation=org)

    def bid(
        self,
        lot: Lot,
        supplier: tuple[Organisation, User] | None = None,
        *,
        price: str | None = None,
        ip: str = "",
        device: str = "",
        at: dt.datetime | None = None,
        files: list[dict[str, Any]] | None = None,
        status: BidStatus | None = None,
    ) -> Bid:
        org, user = supplier or self.supplier()
        opened = price is not None or files is not None
        bid = Bid(
            lot_id=lot.id,
            supplier_id=org.id,
            version=1,
            status=status or (BidStatus.DECRYPTED if opened else BidStatus.SUBMITTED),
            ciphertext_sha256=hashlib.sha256(f"{lot.id}-{org.id}".encode()).hexdigest(),
            size=1000,
            received_at=at or NOW - dt.timedelta(days=2, minutes=next(_n) * 30),
            submitted_by_id=user.id,
            ip=ip,
            device_fingerprint=device,
            price_form={"total_price": price} if price is not None else None,
            plaintext_files=files,
            files_check=FilesCheck.CONFIRMED if files is not None else None,
        )
        db.session.add(bid)
        db.session.flush()
        return bid
