"""Before the deadline the opening-hall button says when the hall opens (no dead end)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.extensions import db
from bidding.bids.freeze import sweep_deadlines
from tests.bids.conftest import DEADLINE, World, seal, upload
from tests.factories import login


def test_a_supplier_before_the_deadline_learns_when_the_hall_opens(
    client: Any, world: World
) -> None:
    lot = world.lot
    supplier = world.suppliers[0]
    login(client, supplier)
    resp = client.get(f"/bids/lots/{lot.id}/hall")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:500]
    assert 'data-testid="hall-not-open"' in html
    assert clock.to_cst(DEADLINE).strftime("%Y-%m-%d %H:%M") in html
    assert "只有本标段的投标人" not in html


def test_after_the_deadline_only_the_lots_people_enter(client: Any, world: World) -> None:
    lot = world.lot
    bidder, outsider = world.suppliers[0], world.suppliers[1]
    resp = upload(client, world.headers(bidder), lot, seal(lot, bidder.organisation))
    assert resp.status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    sweep_deadlines()
    db.session.commit()
    login(client, outsider)
    assert client.get(f"/bids/lots/{lot.id}/hall").status_code == 403
    client.post("/logout", data={})
    other = client.application.test_client()
    login(other, bidder)
    page = other.get(f"/bids/lots/{lot.id}/hall")
    assert page.status_code == 200
    assert 'data-testid="hall-not-open"' not in page.get_data(as_text=True)


def test_a_failed_lot_offers_and_starts_a_new_tender_from_the_project_page(
    client: Any, world: World
) -> None:
    from bidding.models import Lot, LotStatus
    from tests.factories import csrf_from

    lot = world.lot
    bidder = world.suppliers[0]
    assert (
        upload(client, world.headers(bidder), lot, seal(lot, bidder.organisation)).status_code
        == 201
    )
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    sweep_deadlines()
    db.session.commit()
    assert db.session.get(Lot, lot.id).status == LotStatus.FAILED
    login(client, world.staff)
    page = f"/projects/{lot.project_id}"
    assert 'data-testid="retender"' in client.get(page).get_data(as_text=True)
    token = csrf_from(client, page)
    resp = client.post(f"/bids/lots/{lot.id}/retender", data={"csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    copy = db.session.query(Lot).filter(Lot.code == f"{lot.code}-R1").one()
    assert copy.status == LotStatus.DRAFT
    assert f"新标段 {copy.code} 已登记" in client.get(page).get_data(as_text=True)
    again = client.post(f"/bids/lots/{lot.id}/retender", data={"csrf_token": token})
    assert again.status_code == 302
    assert "已发起重新招标" in client.get(page).get_data(as_text=True)
