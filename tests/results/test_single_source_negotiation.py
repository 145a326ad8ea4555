"""单一来源: staff record the price negotiated with the one supplier and the minutes; the
record is audited, shown on the lot's result page and over the API, and the lot's result
follows with that supplier as its one candidate."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from bidding.models import LotStatus, Method
from bidding.results import negotiation
from bidding.results.handoff import result_of
from bidding.results.models import PriceNegotiation
from tests.factories import csrf_from, login, token_headers
from tests.results.single_source import MINUTES, single_source_lot


def test_the_negotiation_is_recorded_audited_and_becomes_the_result(app: Any) -> None:
    lot, staff, _other, _supplier = single_source_lot()
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
    lot, staff, other, _supplier = single_source_lot()
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
    inquiry, inquiry_staff, _o, _s = single_source_lot(Method.INQUIRY)
    with pytest.raises(Conflict, match="由评审确定"):
        negotiation.record_negotiation(inquiry_staff, inquiry, "1180000.00", MINUTES)


def test_api_and_page(client: Any) -> None:
    lot, staff, other, supplier = single_source_lot()
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
