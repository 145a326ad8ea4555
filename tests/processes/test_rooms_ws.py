"""The rooms process: token check, replay from the log, then live events from the broker."""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.core.auth.models import Role
from app.core.extensions import db
from app.core.realtime import emit
from app.core.rooms import issue_room_token, register_room_policy
from remote_eval.ws import RoomServer
from tests.factories import make_user, token_headers

REDIS = os.environ.get("TENDERHALL_TEST_REDIS_URL")

register_room_policy("test:", lambda user, room: user.role != Role.SUPPLIER)


@pytest.fixture(params=["inprocess", "redis"])
def rooms(request: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    if request.param == "redis" and not REDIS:
        pytest.skip("TENDERHALL_TEST_REDIS_URL not set")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS if request.param == "redis" else None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    yield server
    server.stop()


def _room() -> str:
    return f"test:{uuid.uuid4().hex[:12]}"


def _recv(ws: Any) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=5))


@contextlib.contextmanager
def _join(server: RoomServer, token: str, room: str, after: int = 0) -> Iterator[Any]:
    with connect(f"ws://127.0.0.1:{server.port}/", open_timeout=5) as ws:
        ws.send(json.dumps({"token": token, "room": room, "after": after}))
        yield ws


def test_client_gets_missed_events_then_live_ones(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    for n in range(1, 4):
        emit(room, "note", {"n": n})
    db.session.commit()
    token = issue_room_token(user, room)
    with _join(rooms, token, room, after=1) as ws:
        replayed = [_recv(ws), _recv(ws)]
        assert [(e["type"], e["seq"], e["payload"]["n"]) for e in replayed] == [
            ("event", 2, 2),
            ("event", 3, 3),
        ]
        assert _recv(ws) == {"type": "ready", "room": room, "seq": 3}
        emit(room, "price_read", {"bidder": "甲公司", "price": "1234.50"})
        db.session.commit()
        live = _recv(ws)
        assert live["type"] == "event"
        assert live["seq"] == 4
        assert live["kind"] == "price_read"
        assert live["payload"] == {"bidder": "甲公司", "price": "1234.50"}


def test_event_of_another_room_is_not_pushed(rooms: RoomServer) -> None:
    user = make_user(Role.EXPERT)
    room, other = _room(), _room()
    token = issue_room_token(user, room)
    db.session.commit()
    with _join(rooms, token, room) as ws:
        assert _recv(ws)["type"] == "ready"
        emit(other, "secret", {"x": 1})
        db.session.commit()
        emit(room, "mine", {"x": 2})
        db.session.commit()
        assert _recv(ws)["kind"] == "mine"


def test_rolled_back_event_is_never_pushed(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    db.session.commit()
    with _join(rooms, issue_room_token(user, room), room) as ws:
        assert _recv(ws)["type"] == "ready"
        emit(room, "undone", {})
        db.session.rollback()
        emit(room, "kept", {})
        db.session.commit()
        event = _recv(ws)
        assert (event["kind"], event["seq"]) == ("kept", 1)


def _close_code(ws: Any) -> int:
    with pytest.raises(ConnectionClosed) as info:
        ws.recv(timeout=5)
    assert info.value.rcvd is not None
    return info.value.rcvd.code


def test_tampered_token_is_refused(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    token = issue_room_token(user, room)
    db.session.commit()
    with _join(rooms, token[:-3] + "AAA", room) as ws:
        assert _close_code(ws) == 4401


def test_expired_token_is_refused(app: Any, rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    db.session.commit()

    class IssuedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - app.config["ROOM_TOKEN_TTL_SECONDS"] - 5

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="room", signer=IssuedLongAgo)
    token = old.dumps({"uid": user.id, "room": room, "role": "staff"})
    with _join(rooms, token, room) as ws:
        assert _close_code(ws) == 4401


def test_token_for_one_room_does_not_open_another(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    token = issue_room_token(user, room)
    db.session.commit()
    with _join(rooms, token, _room()) as ws:
        assert _close_code(ws) == 4401


def test_deactivated_user_is_refused_even_with_a_fresh_token(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    token = issue_room_token(user, room)
    user.is_active_flag = False
    db.session.commit()
    with _join(rooms, token, room) as ws:
        assert _close_code(ws) == 4403


def test_malformed_first_message_is_refused(rooms: RoomServer) -> None:
    with connect(f"ws://127.0.0.1:{rooms.port}/", open_timeout=5) as ws:
        ws.send("hello")
        assert _close_code(ws) == 4400


def test_room_token_endpoint_issues_a_token_the_server_accepts(app: Any, client: Any) -> None:
    user = make_user(Role.STAFF)
    headers = token_headers(user)
    resp = client.post("/api/v1/rooms/token", json={"room": "test:42"}, headers=headers)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["room"] == "test:42"
    assert body["expires_in"] == app.config["ROOM_TOKEN_TTL_SECONDS"]
    assert body["url"].startswith("ws://")
    from app.core.rooms import read_room_token

    claim = read_room_token(body["token"], secret_key=app.config["SECRET_KEY"], max_age=60)
    assert (claim.user_id, claim.room, claim.role) == (user.id, "test:42", "staff")


def test_room_token_is_refused_when_the_room_policy_says_no(client: Any) -> None:
    supplier = make_user(Role.SUPPLIER)
    resp = client.post(
        "/api/v1/rooms/token", json={"room": "test:42"}, headers=token_headers(supplier)
    )
    assert resp.status_code == 403
    assert "无权" in resp.json["message"]


def test_room_without_a_policy_is_closed_to_everyone(client: Any) -> None:
    admin = make_user(Role.ADMIN)
    resp = client.post(
        "/api/v1/rooms/token", json={"room": "nobody:1"}, headers=token_headers(admin)
    )
    assert resp.status_code == 403


def test_room_token_needs_a_well_formed_room_name(client: Any) -> None:
    user = make_user(Role.STAFF)
    resp = client.post(
        "/api/v1/rooms/token", json={"room": "no spaces allowed"}, headers=token_headers(user)
    )
    assert resp.status_code == 422
    assert "房间名格式" in resp.json["message"]


def test_room_token_needs_a_login(client: Any) -> None:
    resp = client.post("/api/v1/rooms/token", json={"room": "test:1"})
    assert resp.status_code == 401


def test_events_published_out_of_order_all_arrive_in_order(rooms: RoomServer) -> None:
    # Two commits whose publishes race (two web threads, or two web processes on Redis):
    # the later seq reaches the rooms server first.
    import app.core.realtime as realtime

    user = make_user(Role.STAFF)
    room = _room()
    token = issue_room_token(user, room)
    db.session.commit()
    with _join(rooms, token, room) as ws:
        assert _recv(ws)["type"] == "ready"
        held: list[Any] = []
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(realtime, "after_commit", held.append)
            emit(room, "first", {})
            db.session.commit()
            emit(room, "second", {})
            db.session.commit()
        for publish in reversed(held):
            publish()
        got = [_recv(ws), _recv(ws)]
        assert [(e["seq"], e["kind"]) for e in got] == [(1, "first"), (2, "second")]
        emit(room, "third", {})
        db.session.commit()
        assert _recv(ws)["seq"] == 3


def test_a_room_of_many_gets_each_event_once_in_order_encoded_once(
    rooms: RoomServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import remote_eval.ws as ws_module

    encoded: list[int] = []
    real = ws_module.encode

    def counting(event: dict[str, Any]) -> str:
        encoded.append(event["seq"])
        return real(event)

    monkeypatch.setattr(ws_module, "encode", counting)
    users = [make_user(Role.STAFF) for _ in range(6)]
    room = _room()
    tokens = [issue_room_token(u, room) for u in users]
    db.session.commit()
    with contextlib.ExitStack() as stack:
        members = [stack.enter_context(_join(rooms, t, room)) for t in tokens[:5]]
        for ws in members:
            assert _recv(ws)["type"] == "ready"
        for i in range(10):
            emit(room, "burst", {"i": i})
            db.session.commit()
        # a latecomer joins from seq 4 while the room is busy: replay, then live
        late = stack.enter_context(_join(rooms, tokens[5], room, after=4))
        for i in range(10, 15):
            emit(room, "burst", {"i": i})
            db.session.commit()
        for ws in members:
            assert [_recv(ws)["seq"] for _ in range(15)] == list(range(1, 16))
        got = []
        while len(got) < 11:
            frame = _recv(late)
            if frame["type"] == "event":
                got.append(frame["seq"])
        assert got == list(range(5, 16))
    # One encoding per published event for the whole room (and the latecomer's replay),
    # not one per member.
    live = [s for s in encoded if s >= 1]
    assert len(live) <= 15 + 11, encoded


# ---------------------------------------------------------------- bad input, audited
def _room_refusals() -> list[dict[str, Any]]:
    from sqlalchemy import select

    from app.core.audit.models import AuditEntry
    from remote_eval.actions import ROOM_REFUSED

    db.session.expire_all()
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == ROOM_REFUSED).order_by(AuditEntry.seq)
    ).scalars()
    return [{"actor": e.actor_id, **json.loads(e.data)} for e in rows]


def _closed(ws: Any) -> Any:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(timeout=5)
    assert info.value.rcvd is not None
    return info.value.rcvd


def test_a_replayed_token_is_refused_and_audited(rooms: RoomServer) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    token = issue_room_token(user, room)
    db.session.commit()
    with _join(rooms, token, room) as first:
        assert _recv(first)["type"] == "ready"
        # The same token, seen on the wire, presented again while it is still fresh.
        with _join(rooms, token, room) as replay:
            closed = _closed(replay)
            assert closed.code == 4401 and "已使用" in closed.reason
        emit(room, "note", {"n": 1})
        db.session.commit()
        assert _recv(first)["payload"] == {"n": 1}  # the honest connection is unharmed
    (entry,) = _room_refusals()
    assert entry["actor"] == user.id and entry["room"] == room and entry["code"] == 4401
    # A fresh token (what the page fetches for every connection) still opens the room.
    with _join(rooms, issue_room_token(user, room), room) as again:
        assert _recv(again)["type"] == "event"


def test_an_expired_token_is_refused_in_the_clients_language_and_audited(
    app: Any, rooms: RoomServer
) -> None:
    user = make_user(Role.STAFF)
    room = _room()
    db.session.commit()

    class IssuedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - app.config["ROOM_TOKEN_TTL_SECONDS"] - 5

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="room", signer=IssuedLongAgo)
    token = old.dumps({"uid": user.id, "room": room, "role": "staff"})
    with connect(f"ws://127.0.0.1:{rooms.port}/", open_timeout=5) as ws:
        ws.send(json.dumps({"token": token, "room": room, "after": 0, "lang": "en"}))
        closed = _closed(ws)
    assert closed.code == 4401 and "expired" in closed.reason
    (entry,) = _room_refusals()
    assert entry["room"] == room and "过期" in entry["reason"]


def test_a_room_one_does_not_belong_to_is_refused_and_audited(rooms: RoomServer) -> None:
    supplier = make_user(Role.SUPPLIER)
    staff = make_user(Role.STAFF)
    mine, theirs = _room(), _room()
    token = issue_room_token(staff, mine)
    db.session.commit()
    with _join(rooms, token, theirs) as ws:
        assert _closed(ws).code == 4401
    # A user the room's policy keeps out, holding a token signed for that very room.
    forged = URLSafeTimedSerializer(rooms.secret, salt="room").dumps(
        {"uid": supplier.id, "room": theirs, "role": "supplier", "n": "x"}
    )
    with _join(rooms, forged, theirs) as ws:
        assert _closed(ws).code == 4403
    entries = _room_refusals()
    assert [(e["actor"], e["room"], e["code"]) for e in entries] == [
        (staff.id, theirs, 4401),
        (supplier.id, theirs, 4403),
    ]


def test_frames_after_joining_are_answered_to_that_client_only(rooms: RoomServer) -> None:
    user, other = make_user(Role.STAFF), make_user(Role.STAFF)
    room = _room()
    emit(room, "note", {"n": 0})
    db.session.commit()
    with (
        _join(rooms, issue_room_token(user, room), room) as bad,
        _join(rooms, issue_room_token(other, room), room) as good,
    ):
        db.session.commit()
        for ws in (bad, good):
            assert _recv(ws)["type"] == "event"
            assert _recv(ws)["type"] == "ready"
        # Garbage, then a "message" aimed at another room: both answered to the sender only.
        bad.send("{not json")
        bad.send(json.dumps({"room": _room(), "kind": "message", "text": "hello"}))
        for _ in range(2):
            answer = _recv(bad)
            assert answer["type"] == "error" and answer["code"] == "push_only"
            assert "只接收推送" in answer["message"]
        emit(room, "note", {"n": 1})
        db.session.commit()
        assert _recv(good)["payload"] == {"n": 1}  # nothing else reached the room
        assert _recv(bad)["payload"] == {"n": 1}  # and the sender stays connected
    entries = _room_refusals()
    assert len(entries) == 1 and entries[0]["actor"] == user.id and entries[0]["room"] == room


def test_malformed_first_frames_are_refused_and_audited_without_flooding_the_log(
    rooms: RoomServer,
) -> None:
    for frame in ("hello", json.dumps([1, 2]), json.dumps({"token": "t"})):
        with connect(f"ws://127.0.0.1:{rooms.port}/", open_timeout=5) as ws:
            ws.send(frame)
            assert _closed(ws).code == 4400
    entries = _room_refusals()
    assert len(entries) == 1 and entries[0]["actor"] is None and entries[0]["code"] == 4400
