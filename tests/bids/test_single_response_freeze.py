"""At the deadline the method decides how few responses still open: a single-source lot's
one response is frozen for the opening; one bid on an open tender is 流标."""

from __future__ import annotations

import datetime as dt

from app.core import clock
from app.core.extensions import db
from bidding.bids.freeze import close_lot
from bidding.models import LotStatus, Method
from tests.bids.conftest import DEADLINE, World, seal, upload


def _one_bid_at_the_deadline(client: object, world: World, method: Method) -> LotStatus:
    world.lot.project.method = method
    db.session.commit()
    resp = upload(
        client, world.headers(world.suppliers[0]), world.lot, seal(world.lot, world.orgs[0])
    )
    assert resp.status_code == 201, resp.get_json()
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    freeze = close_lot(world.lot)
    db.session.commit()
    assert freeze is not None and freeze.bid_count == 1
    return world.lot.status


def test_a_single_source_response_is_frozen_for_the_opening(client: object, world: World) -> None:
    assert _one_bid_at_the_deadline(client, world, Method.SINGLE_SOURCE) == LotStatus.CLOSED


def test_one_bid_on_an_open_tender_fails_the_lot(client: object, world: World) -> None:
    assert _one_bid_at_the_deadline(client, world, Method.OPEN) == LotStatus.FAILED
