"""The rooms process: a push-only websockets server for the opening hall and evaluation rooms.

Protocol (JSON text frames):
  client → server, first message: {"token": "...", "room": "hall:12", "after": 0}
  server → client: every RoomEvent of the room with seq > after, in order, as
      {"type": "event", "room", "seq", "kind", "payload", "at"}
  then {"type": "ready", "room", "seq": <last seq sent>}
  then live events in the same shape as they are committed.
  Refusals close the socket with code 4400 (bad first message), 4401 (token invalid,
  expired, already used, or for another room) or 4403 (no longer allowed in the room);
  the reason is in the language the first message asks for ("lang": "en" or "zh_CN").
  The server only pushes: any later frame from the client is answered, to that client
  only, with {"type": "error", "code": "push_only", "message"} and changes nothing.
  Every refused attempt is audited (`rooms.refused`, through `remote_eval.refusals`);
  attempts that name nobody are audited at most once a minute per address.

A client that reconnects sends the last seq it saw and loses nothing. The server
subscribes a connection to live events before it replays, then drops live events
already covered by the replay, so nothing falls between the two; a live event that
arrives ahead of an earlier one (publishes race after their commits) is preceded by the
missing ones, read from the log. A connection that
cannot keep up is closed (4408) rather than buffered without bound; it reconnects and
replays.

Catch-up: a publish can be lost after its commit (Redis pub/sub drops what a subscriber
misses while it reconnects, or a web process loses its Redis connection at the moment
of publishing), and a lost event whose room stays quiet would never be filled by a later
one. Every ROOMS_CATCH_UP_SECONDS the server compares each room's last logged seq with
what its caught-up connections were sent, and sends from the log what was already logged
at the previous pass and still has not arrived (one grouped query per pass).

Fan-out: each published event is encoded once per room, not once per client, and written
straight to every connection of the room that is caught up (live, nothing queued, the
previous seq sent, its socket buffer not backed up) without a task switch per client.
Only a connection that is still replaying, has a gap to fill, or is slow takes the
queued path, where its own task sends in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from app.core.extensions import db
from app.core.realtime import RoomEvent, get_broker
from app.core.rooms import RoomTokenInvalid, may_join, read_room_token, rooms_port
from remote_eval import refusals

log = logging.getLogger(__name__)

FIRST_MESSAGE_TIMEOUT = 10
ANONYMOUS_AUDIT_INTERVAL = 60.0
PUSH_ONLY = _l("评标室和开标大厅的连接只接收推送；操作请在页面上提交。")
BAD_HELLO = _l("连接的第一条消息应为 {token, room, after}。")
REPLAYED = _l("房间令牌已使用过，请刷新页面重新获取。")
OTHER_ROOM = _l("房间令牌不是为该房间签发的。")
NOT_ALLOWED = _l("您无权进入该房间。")


class SpentTokens:
    """Room tokens already used to open a connection, kept until they expire anyway.

    Shared through Redis when the rooms processes share one (a token replayed to another
    process is refused too); otherwise kept in this process, the only one.
    """

    def __init__(self, redis_url: str | None, ttl: int) -> None:
        self.ttl = ttl + 5
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def spend(self, token: str) -> bool:
        """True the first time a token is presented, False ever after."""
        key = hashlib.sha256(token.encode()).hexdigest()
        if self._redis is not None:
            return bool(self._redis.set(f"tenderhall:roomtoken:{key}", 1, nx=True, ex=self.ttl))
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 1000:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
            if self._seen.get(key, 0) > now:
                return False
            self._seen[key] = now + self.ttl
            return True


QUEUE_LIMIT = 1000
REPLAY_BATCH = 500
# Bytes waiting in a socket's buffer above which a connection is no longer written to
# directly: its events queue, and its own task waits for the socket to drain.
DIRECT_BUFFER_LIMIT = 256 * 1024
LEFT = (0, "")  # queued by the reader when the client has gone


def encode(event: dict[str, Any]) -> str:
    return json.dumps({"type": "event", **event}, ensure_ascii=False)


class Subscriber:
    """One connection's place in a room: what it was sent last and how to reach it."""

    __slots__ = ("ws", "queue", "last", "live")

    def __init__(self, ws: ServerConnection, after: int) -> None:
        self.ws = ws
        # (seq, encoded frame); (0, "") when the client left; None when it is too slow
        self.queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue()
        self.last = after
        self.live = False  # caught up and idle: the dispatcher may write to it directly

    def takes_direct(self, seq: int) -> bool:
        ws = self.ws
        transport = ws.transport
        return (
            self.live
            and seq == self.last + 1
            and ws.send_in_progress is None
            and transport is not None
            and transport.get_write_buffer_size() <= DIRECT_BUFFER_LIMIT
        )


class RoomServer:
    def __init__(self, app: Flask, host: str | None = None, port: int | None = None) -> None:
        self.app = app
        self.host = host or app.config["ROOMS_HOST"]
        self.port = int(port if port is not None else rooms_port(app.config))
        self.secret = app.config["SECRET_KEY"]
        self.ttl = int(app.config["ROOM_TOKEN_TTL_SECONDS"])
        self.broker = get_broker(app.config.get("REDIS_URL"))
        self.subscribers: dict[str, set[Subscriber]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._unsubscribe: Any = None
        self.start_error: OSError | None = None
        self.spent = SpentTokens(app.config.get("REDIS_URL"), self.ttl)
        self.catch_up_seconds = float(app.config["ROOMS_CATCH_UP_SECONDS"])
        self._anonymous_audited: dict[str, float] = {}

    # --- broker side (called from whatever thread publishes) ---
    def _on_publish(self, channel: str, message: dict[str, Any]) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, channel, message)

    def _dispatch(self, room: str, message: dict[str, Any]) -> None:
        subs = self.subscribers.get(room)
        if not subs:
            return
        seq, frame = message["seq"], encode(message)
        direct = []
        for sub in list(subs):
            if sub.takes_direct(seq):
                direct.append(sub.ws)
                sub.last = seq
            elif sub.queue.qsize() >= QUEUE_LIMIT:
                sub.queue.put_nowait(None)  # tells its task to close this slow connection
                subs.discard(sub)
            else:
                sub.live = False  # its task sends this, and what follows, in order
                sub.queue.put_nowait((seq, frame))
        if direct:
            # One encoded frame written to every caught-up socket, no await per client.
            broadcast(direct, frame)

    # --- database side (runs in worker threads) ---
    def _check_claim(self, token: str, room: str) -> tuple[int, Any, int | None]:
        """(0, None, user id) when the token is good for this room, unused, and the user may
        join; otherwise (close code, reason, the user id the token names or None)."""
        from app.core.auth.models import User

        try:
            claim = read_room_token(token, secret_key=self.secret, max_age=self.ttl)
        except RoomTokenInvalid as exc:
            return 4401, exc.message, None
        if claim.room != room:
            return 4401, OTHER_ROOM, claim.user_id
        with self.app.app_context():
            user = db.session.get(User, claim.user_id)
            if not may_join(user, room):
                return 4403, NOT_ALLOWED, claim.user_id
        if not self.spent.spend(token):
            return 4401, REPLAYED, claim.user_id
        return 0, None, claim.user_id

    def _text(self, message: Any, lang: str) -> str:
        with self.app.app_context(), force_locale(lang if lang in ("en", "zh_CN") else "zh_CN"):
            return str(message)

    def _audit(self, room: str, code: int, reason: str, user_id: int | None, peer: str) -> None:
        if user_id is None:
            now = time.monotonic()
            if self._anonymous_audited.get(peer, 0) > now:
                return  # nobody named: once a minute per address is enough
            self._anonymous_audited[peer] = now + ANONYMOUS_AUDIT_INTERVAL
        try:
            with self.app.app_context():
                refusals.record_room_refusal(room, code, reason, user_id, peer)
        except Exception:  # the refusal stands even if its record cannot be written
            log.exception("could not audit a refused room connection")

    async def _refuse(
        self,
        ws: ServerConnection,
        room: str,
        code: int,
        reason: Any,
        user_id: int | None,
        lang: str,
    ) -> None:
        text = await asyncio.to_thread(self._text, reason, lang)
        peer = str((ws.remote_address or ("",))[0])
        await asyncio.to_thread(self._audit, room, code, self._text(reason, "zh_CN"), user_id, peer)
        # A close reason is at most 123 bytes of UTF-8.
        await ws.close(code, text.encode()[:123].decode(errors="ignore"))

    def _replay(self, room: str, after: int) -> list[dict[str, Any]]:
        with self.app.app_context():
            rows = (
                db.session.execute(
                    select(RoomEvent)
                    .where(RoomEvent.room == room, RoomEvent.seq > after)
                    .order_by(RoomEvent.seq)
                )
                .scalars()
                .all()
            )
            return [
                {
                    "room": r.room,
                    "seq": r.seq,
                    "kind": r.kind,
                    "payload": r.payload,
                    "at": r.created_at.isoformat(),
                }
                for r in rows
            ]

    # --- catch-up: logged events the broker never delivered ---
    def _heads(self, rooms: list[str]) -> dict[str, int]:
        """room → its last logged seq (rooms with no event are left out)."""
        out: dict[str, int] = {}
        with self.app.app_context():
            for i in range(0, len(rooms), 500):
                rows = db.session.execute(
                    select(RoomEvent.room, func.max(RoomEvent.seq))
                    .where(RoomEvent.room.in_(rooms[i : i + 500]))
                    .group_by(RoomEvent.room)
                ).all()
                out.update({room: int(seq) for room, seq in rows})
        return out

    def _sent_floor(self) -> dict[str, int]:
        """room → the lowest seq its caught-up connections were sent (others are busy
        sending from their queue and are looked at once they are caught up)."""
        out = {}
        for room, subs in self.subscribers.items():
            lasts = [s.last for s in subs if s.live]
            if lasts:
                out[room] = min(lasts)
        return out

    async def catch_up(self, heads: dict[str, int]) -> dict[str, int]:
        """Send what the log of each room held at the previous pass (`heads`) and a
        caught-up connection still lacks; return the rooms' heads for the next pass (an
        event logged since has that long to arrive through the broker first)."""
        floors = self._sent_floor()
        for room, head in heads.items():
            floor = floors.get(room)
            if floor is None or floor >= head:
                continue
            log.warning("room %s: events %d..%d never arrived, sent from the log", room,
                        floor + 1, head)  # fmt: skip
            for event in await asyncio.to_thread(self._replay, room, floor):
                if event["seq"] > head:
                    break
                self._dispatch(room, event)  # in order; connections that have it skip it
        floors = self._sent_floor()
        if not floors:
            return {}
        found = await asyncio.to_thread(self._heads, list(floors))
        return {room: seq for room, seq in found.items() if seq > floors.get(room, seq)}

    async def _catch_up_forever(self) -> None:
        heads: dict[str, int] = {}
        while True:
            await asyncio.sleep(self.catch_up_seconds)
            try:
                heads = await self.catch_up(heads)
            except Exception:  # the database away for a moment: try again next pass
                log.exception("rooms catch-up failed")
                heads = {}

    # --- websocket side ---
    async def handler(self, ws: ServerConnection) -> None:
        lang = "zh_CN"
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout=FIRST_MESSAGE_TIMEOUT)
            hello = json.loads(raw)
            lang = str(hello.get("lang") or "zh_CN") if isinstance(hello, dict) else lang
            token, room = str(hello["token"]), str(hello["room"])[:100]
            after = int(hello.get("after") or 0)
        except (TimeoutError, ValueError, KeyError, TypeError, AttributeError):
            await self._refuse(ws, "", 4400, BAD_HELLO, None, lang)
            return
        except ConnectionClosed:
            return
        code, reason, user_id = await asyncio.to_thread(self._check_claim, token, room)
        if code:
            await self._refuse(ws, room, code, reason, user_id, lang)
            return

        sub = Subscriber(ws, after)
        self.subscribers.setdefault(room, set()).add(sub)
        reader: asyncio.Task[None] | None = None
        try:
            for event in await asyncio.to_thread(self._replay, room, after):
                await ws.send(encode(event))
                sub.last = event["seq"]
            await ws.send(json.dumps({"type": "ready", "room": room, "seq": sub.last}))
            reader = asyncio.create_task(self._answer_client(ws, room, user_id, lang, sub))
            while True:
                if sub.queue.empty():
                    sub.live = True
                item = await sub.queue.get()
                if item is None:
                    await ws.close(4408, "too slow, reconnect and replay")
                    return
                seq, frame = item
                if item == LEFT:
                    return
                if seq <= sub.last:
                    continue
                if seq > sub.last + 1:
                    # Publishes of two commits (other web threads or processes) can
                    # arrive in the opposite order; every earlier seq is committed by
                    # now, so the gap is sent from the log first rather than skipped.
                    for event in await asyncio.to_thread(self._replay, room, sub.last):
                        if event["seq"] >= seq:
                            break
                        await ws.send(encode(event))
                        sub.last = event["seq"]
                await ws.send(frame)
                sub.last = seq
        except ConnectionClosed:
            return
        finally:
            sub.live = False
            if reader is not None:
                reader.cancel()
            subs = self.subscribers.get(room)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    self.subscribers.pop(room, None)

    async def _answer_client(
        self, ws: ServerConnection, room: str, user_id: int | None, lang: str, sub: Subscriber
    ) -> None:
        """Push only: a frame from the client (a command, a message to some room, garbage)
        is answered to that client alone and changes nothing; the first is audited. When
        the client leaves this tells the connection's task to end."""
        try:
            await self._answer_frames(ws, room, user_id, lang)
        finally:
            sub.queue.put_nowait(LEFT)

    async def _answer_frames(
        self, ws: ServerConnection, room: str, user_id: int | None, lang: str
    ) -> None:
        text = await asyncio.to_thread(self._text, PUSH_ONLY, lang)
        answer = json.dumps(
            {"type": "error", "code": "push_only", "message": text}, ensure_ascii=False
        )
        audited = False
        with contextlib.suppress(ConnectionClosed):
            async for _ in ws:
                await ws.send(answer)
                if not audited:
                    audited = True
                    peer = str((ws.remote_address or ("",))[0])
                    await asyncio.to_thread(
                        self._audit, room, 0, self._text(PUSH_ONLY, "zh_CN"), user_id, peer
                    )

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._unsubscribe = self.broker.subscribe(self._on_publish)
        catching_up = asyncio.create_task(self._catch_up_forever())
        try:
            try:
                async with serve(self.handler, self.host, self.port) as server:
                    self._server = server
                    sock = next(iter(server.sockets))
                    self.port = sock.getsockname()[1]
                    self._ready.set()
                    await self._stop.wait()
            except OSError as exc:
                if self._server is not None:
                    raise
                # The port could not be bound: start_in_thread() raises it to the caller.
                self.start_error = exc
        finally:
            catching_up.cancel()
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None
            self._ready.set()

    def request_stop(self) -> None:
        loop, stop = self.loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)

    def start_in_thread(self, timeout: float = 10) -> int:
        """Serve in a background thread with its own event loop; return the bound port."""
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.run()), name="rooms", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout) or self._server is None:
            if self.start_error is not None:
                raise self.start_error
            raise RuntimeError("rooms server did not start")
        return self.port

    def stop(self, timeout: float = 10) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


rooms_cli = AppGroup("rooms", help="Live rooms websocket server.")


@rooms_cli.command("serve")
@click.option("--host", default=None, help="Interface (default ROOMS_HOST).")
@click.option("--port", default=None, type=int, help="Port (default ROOMS_PORT).")
def serve_command(host: str | None, port: int | None) -> None:
    """Serve the live rooms until Ctrl-C."""
    import signal

    logging.basicConfig(level=logging.INFO)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    server = RoomServer(app, host, port)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.request_stop)
        await server.run()

    click.echo(f"rooms server on ws://{server.host}:{server.port}/")
    asyncio.run(main())
    if server.start_error is not None:
        raise click.ClickException(
            f"port {server.port} on {server.host} (live rooms) cannot be used: "
            f"{server.start_error.strerror or server.start_error}. Stop what uses it, or "
            "choose another with --port (or TENDERHALL_ROOMS_PORT)."
        )
