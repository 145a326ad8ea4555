"""Every logged room event reaches every connected client over Redis: a publish lost after
its commit is sent from the log, and another deployment on the same Redis server is
never heard."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from app.core.auth.models import Role
from app.core.extensions import db
from app.core.realtime import RedisBroker, emit
from app.core.rooms import issue_room_token, register_room_policy
from remote_eval.ws import RoomServer
from tests.factories import make_user
from tests.processes.test_rooms_ws import REDIS

register_room_policy("test:", lambda user, room: user.role != Role.SUPPLIER)

pytestmark = pytest.mark.skipif(not REDIS, reason="TENDERHALL_TEST_REDIS_URL not set")


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "ROOMS_CATCH_UP_SECONDS", 0.2)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    yield server
    server.stop()


def _events(ws: Any, count: int, within: float = 5) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    while len(out) < count:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame["type"] == "event":
            out.append(frame)
    return out


def _dead_redis_url() -> str:
    """A Redis URL nothing listens on (a port just freed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_an_event_whose_publish_failed_still_reaches_the_room(
    app: Any, rooms: RoomServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(Role.STAFF)
    room = f"test:{uuid.uuid4().hex[:12]}"
    token = issue_room_token(user, room)
    db.session.commit()
    with connect(f"ws://127.0.0.1:{rooms.port}/", open_timeout=5) as ws:
        ws.send(json.dumps({"token": token, "room": room, "after": 0}))
        assert json.loads(ws.recv(timeout=5))["type"] == "ready"
        emit(room, "first", {})
        db.session.commit()
        assert [e["seq"] for e in _events(ws, 1)] == [1]
        # The web process loses Redis at the moment of publishing: the decision and its
        # event are committed, the publish fails (and is logged), and the room is quiet
        # afterwards, so no later event reveals the gap.
        monkeypatch.setitem(app.config, "REDIS_URL", _dead_redis_url())
        emit(room, "second", {"n": 2})
        emit(room, "third", {"n": 3})
        db.session.commit()
        got = _events(ws, 2)
        assert [(e["seq"], e["kind"]) for e in got] == [(2, "second"), (3, "third")]
        assert got[1]["payload"] == {"n": 3}
        # Live events go on as before, once each and in order.
        monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
        emit(room, "fourth", {})
        db.session.commit()
        assert [e["seq"] for e in _events(ws, 1)] == [4]
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.6)  # nothing sent twice by the catch-up passes


def test_another_deployment_on_the_same_redis_server_is_not_heard(rooms: RoomServer) -> None:
    assert REDIS is not None
    base, _, database = REDIS.rpartition("/")
    other = RedisBroker(f"{base}/{(int(database or 0) + 7) % 16}")
    user = make_user(Role.STAFF)
    room = f"test:{uuid.uuid4().hex[:12]}"
    token = issue_room_token(user, room)
    db.session.commit()
    with connect(f"ws://127.0.0.1:{rooms.port}/", open_timeout=5) as ws:
        ws.send(json.dumps({"token": token, "room": room, "after": 0}))
        assert json.loads(ws.recv(timeout=5))["type"] == "ready"
        # Pub/sub ignores Redis databases: a deployment (or a test run) on another
        # database publishes a room of the same name, further along than ours.
        stranger = {"room": room, "seq": 5, "kind": "stranger", "payload": {"secret": 1}}
        other.publish(room, {**stranger, "at": "2026-01-01T00:00:00+00:00"})
        emit(room, "mine", {"n": 1})
        emit(room, "mine", {"n": 2})
        db.session.commit()
        emit(room, "mine", {"n": 3})
        db.session.commit()
        got = _events(ws, 3)
        assert [(e["seq"], e["kind"], e["payload"]) for e in got] == [
            (1, "mine", {"n": 1}),
            (2, "mine", {"n": 2}),
            (3, "mine", {"n": 3}),
        ]
        # Later events of ours still arrive, and the stranger's never does.
        emit(room, "mine", {"n": 4})
        db.session.commit()
        (event,) = _events(ws, 1)
        assert (event["seq"], event["kind"]) == (4, "mine")
