"""The auction's rooms process restarts mid-way: no bid is lost, a client that reconnects
from its last sequence gets the missed events in order, and the close time the room shows
is the server's (with its extensions)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from websockets.sync.client import connect

from app.core import clock
from app.core.extensions import db
from app.core.rooms import issue_room_token
from app.market import auction, needs
from remote_eval.ws import RoomServer
from tests.market.world import START, build, post


def _events(url: str, user: Any, room: str, after: int) -> list[dict[str, Any]]:
    """Join from `after`, return the events replayed before "ready"."""
    out: list[dict[str, Any]] = []
    with connect(url, open_timeout=10) as ws:
        ws.send(json.dumps({"token": issue_room_token(user, room), "room": room, "after": after}))
        while True:
            msg = json.loads(ws.recv(timeout=10))
            if msg.get("type") == "ready":
                return out
            if msg.get("type") == "event":
                out.append(msg)


@pytest.fixture
def world(app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    clock.set_now(START)
    return build()


def test_a_restart_of_the_rooms_process_loses_no_bid(app: Any, world: Any) -> None:
    a, b, _c = world.agencies
    need = post(world)
    room = auction.AUCTION.name(need.id)
    clock.set_now(START + dt.timedelta(minutes=11))
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    url = f"ws://127.0.0.1:{server.port}/"
    auction.place_bid(a, need.id, "99000")
    db.session.commit()
    seen = _events(url, a, room, 0)
    assert [e["seq"] for e in seen] == [1] and seen[0]["payload"]["best"] == "99000.00"
    server.stop()

    # While the rooms process is down, bids go on over HTTP and one extends the close.
    auction.place_bid(b, need.id, "98000")
    clock.set_now(START + dt.timedelta(minutes=38))
    auction.place_bid(a, need.id, "97000")
    db.session.commit()

    again = RoomServer(app, "127.0.0.1", 0)
    again.start_in_thread()
    try:
        missed = _events(f"ws://127.0.0.1:{again.port}/", a, room, seen[-1]["seq"])
    finally:
        again.stop()
    assert [e["seq"] for e in missed] == [2, 3]
    assert [e["payload"]["best"] for e in missed] == ["98000.00", "97000.00"]
    closes = needs.get_need(need.id).closes_at
    assert closes == START + dt.timedelta(minutes=43)
    assert missed[-1]["payload"]["closes_at"] == closes.isoformat()
    assert missed[-1]["payload"]["extended"] is True
    assert auction.replay_check(needs.get_need(need.id))
