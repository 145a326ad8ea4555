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
