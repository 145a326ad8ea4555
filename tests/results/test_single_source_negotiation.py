"""单一来源: staff record the price negotiated with the one supplier and the minutes; the
record is audited, shown on the lot's result page and over the API, and the lot's result
follows with that supplier as its one candidate."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role, User
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids.models import Bid, BidStatus
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from bidding.results import negotiation
from bidding.results.handoff import result_of
from bidding.results.models import PriceNegotiation
from tests.factories import csrf_from, login, make_centre, make_org, make_user, token_headers
from tests.results.world import T0

MINUTES = "2026年4月1日上午在交易中心第二谈判室谈判。\n供应商同意在原报价基础上优惠 2 万元。"


def _lot(method: Method = Method.SINGLE_SOURCE) -> tuple[Lot, User, User, User]:
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


def test_the_negotiation_is_recorded_audited_and_becomes_the_result(app: Any) -> None:
    lot, staff, _other, _supplier = _lot()
    row = negotiation.record_negotiation(staff, lot, "1180000.00", MINUTES)
    db.session.commit()
    assert row.quoted_price == Decimal("1200000.00") and row.price == Decimal("1180000.00")
    assert lot.status == LotStatus.EVALUATED
    result = result_of(lot)
    assert result is not None and result.source == f"price_negotiation:{row.id}"
    (candidate,) = result.candidates
    assert candidate["supplier_name"] == "原厂授权服务有限公司"
    assert candidate["price"] == "1180000.00" and candidate["rank"] == 1
    entry = json.loads(
        db.session.execute(
            select(AuditEntry.data).where(AuditEntry.action == "result.price_negotiated")
        ).scalar_one()
    )
    assert entry["price"] == "1180000.00" and entry["minutes"] == MINUTES
    assert entry["sha256"] == result.report_sha256
    with pytest.raises(Conflict, match="已记录"):
        negotiation.record_negotiation(staff, lot, "1170000.00", MINUTES)


def test_bad_negotiations_are_refused_and_nothing_is_saved(app: Any) -> None:
    lot, staff, other, _supplier = _lot()
    with pytest.raises(Forbidden):
        negotiation.record_negotiation(other, lot, "1180000.00", MINUTES)
    with pytest.raises(ValidationError, match="最高限价"):
        negotiation.record_negotiation(staff, lot, "1250000.01", MINUTES)
    with pytest.raises(ValidationError, match="大于零"):
        negotiation.record_negotiation(staff, lot, "0", MINUTES)
    with pytest.raises(ValidationError, match="谈判纪要"):
        negotiation.record_negotiation(staff, lot, "1180000.00", "  ")
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(PriceNegotiation)).scalar_one() == 0
    assert result_of(lot) is None and lot.status == LotStatus.OPENED
    # Another method's result comes from its evaluation, never from a negotiation.
    inquiry, inquiry_staff, _o, _s = _lot(Method.INQUIRY)
    with pytest.raises(Conflict, match="由评审确定"):
        negotiation.record_negotiation(inquiry_staff, inquiry, "1180000.00", MINUTES)


def test_api_and_page(client: Any) -> None:
    lot, staff, other, supplier = _lot()
    url = f"/api/v1/lots/{lot.id}/result/negotiation"
    assert client.get(url, headers=token_headers(staff)).status_code == 404
    bad = client.post(
        url, json={"price": "2000000.00", "minutes": MINUTES}, headers=token_headers(staff)
    )
    assert bad.status_code == 422 and "最高限价" in bad.json["message"]
    denied = client.post(url, json={"price": "1.00", "minutes": "x"}, headers=token_headers(other))
    assert denied.status_code == 403
    login(client, staff)
    page = client.get(f"/results/lots/{lot.id}").get_data(as_text=True)
    assert 'data-testid="negotiation-form"' in page
    token = csrf_from(client, f"/results/lots/{lot.id}")
    resp = client.post(
        f"/results/lots/{lot.id}/negotiation",
        data={"price": "1180000.00", "minutes": MINUTES, "csrf_token": token},
    )
    assert resp.status_code == 302
    page = client.get(f"/results/lots/{lot.id}").get_data(as_text=True)
    assert 'data-testid="negotiation-form"' not in page
    assert "1,180,000.00" in page and "第二谈判室" in page
    got = client.get(url, headers=token_headers(staff)).json
    assert got["price"] == "1180000.00" and got["quoted_price"] == "1200000.00"
    result = client.get(f"/api/v1/lots/{lot.id}/result", headers=token_headers(staff)).json
    assert result["negotiated"] and result["negotiation"]["minutes"] == MINUTES
    assert result["candidates"][0]["price"] == "1180000.00"
    assert client.get(url, headers=token_headers(supplier)).status_code == 403
