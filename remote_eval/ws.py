"""The rooms process: a push-only websockets server for the opening hall and evaluation rooms.

Protocol (JSON text frames):
  client → server, first message: {"token": "...", "room": "hall:12", "after": 0}
  server → client: every RoomEvent of the room with seq > after, in order, as
      {"type": "event", "room", "seq", "kind", "payload", "at"}
  then {"type": "ready", "room", "seq": <last seq sent>}
  then live events in the same shape as they are committed.
  Refusals close the socket with code 4400 (bad first message), 4401 (token invalid or
  expired, or for another room) or 4403 (no longer allowed in the room).

A client that reconnects sends the last seq it saw and loses nothing. The server
subscribes a connection to live events before it replays, then drops live events
already covered by the replay, so nothing falls between the two; a live event that
arrives ahead of an earlier one (publishes race after their commits) is preceded by the
missing ones, read from the log. A connection that
cannot keep up is closed (4408) rather than buffered without bound; it reconnects and
replays.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.core.extensions import db
from app.core.realtime import RoomEvent, get_broker
from app.core.rooms import RoomTokenInvalid, may_join, read_room_token, rooms_port

log = logging.getLogger(__name__)

FIRST_MESSAGE_TIMEOUT = 10
QUEUE_LIMIT = 1000
REPLAY_BATCH = 500


class RoomServer:
    def __init__(self, app: Flask, host: str | None = None, port: int | None = None) -> None:
        self.app = app
        self.host = host or app.config["ROOMS_HOST"]
        self.port = int(port if port is not None else rooms_port(app.config))
        self.secret = app.config["SECRET_KEY"]
        self.ttl = int(app.config["ROOM_TOKEN_TTL_SECONDS"])
        self.broker = get_broker(app.config.get("REDIS_URL"))
        self.subscribers: dict[str, set[asyncio.Queue[dict[str, Any] | None]]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._unsubscribe: Any = None
        self.start_error: OSError | None = None

    # --- broker side (called from whatever thread publishes) ---
    def _on_publish(self, channel: str, message: dict[str, Any]) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, channel, message)

    def _dispatch(self, room: str, message: dict[str, Any]) -> None:
        for queue in list(self.subscribers.get(room, ())):
            if queue.qsize() >= QUEUE_LIMIT:
                queue.put_nowait(None)  # tells the writer to close this slow connection
                self.subscribers[room].discard(queue)
            else:
                queue.put_nowait(message)

    # --- database side (runs in worker threads) ---
    def _check_claim(self, token: str, room: str) -> str | None:
        """Error text, or None when the token is good for this room and the user may join."""
        from app.core.auth.models import User

        try:
            claim = read_room_token(token, secret_key=self.secret, max_age=self.ttl)
        except RoomTokenInvalid as exc:
            return str(exc)
        if claim.room != room:
            return "token is for another room"
        with self.app.app_context():
            user = db.session.get(User, claim.user_id)
            if not may_join(user, room):
                return "forbidden"
        return None

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

    # --- websocket side ---
    async def handler(self, ws: ServerConnection) -> None:
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout=FIRST_MESSAGE_TIMEOUT)
            hello = json.loads(raw)
            token, room = str(hello["token"]), str(hello["room"])
            after = int(hello.get("after") or 0)
        except (TimeoutError, ValueError, KeyError, TypeError):
            await ws.close(4400, "first message must be {token, room, after}")
            return
        except ConnectionClosed:
            return
        error = await asyncio.to_thread(self._check_claim, token, room)
        if error is not None:
            code = 4403 if error == "forbidden" else 4401
            await ws.close(code, error[:100])
            return

        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.subscribers.setdefault(room, set()).add(queue)
        try:
            last = after
            for event in await asyncio.to_thread(self._replay, room, after):
                await ws.send(json.dumps({"type": "event", **event}, ensure_ascii=False))
                last = event["seq"]
            await ws.send(json.dumps({"type": "ready", "room": room, "seq": last}))
            reader = asyncio.create_task(self._drain_client(ws))
            try:
                while True:
                    getter = asyncio.create_task(queue.get())
                    done, _pending = await asyncio.wait(
                        {getter, reader}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if reader in done:
                        getter.cancel()
                        return
                    message = getter.result()
                    if message is None:
                        await ws.close(4408, "too slow, reconnect and replay")
                        return
                    if message["seq"] <= last:
                        continue
                    if message["seq"] > last + 1:
                        # Publishes of two commits (other web threads or processes) can
                        # arrive in the opposite order; every earlier seq is committed by
                        # now, so the gap is sent from the log first rather than skipped.
                        for event in await asyncio.to_thread(self._replay, room, last):
                            if event["seq"] >= message["seq"]:
                                break
                            await ws.send(
                                json.dumps({"type": "event", **event}, ensure_ascii=False)
                            )
                            last = event["seq"]
                    await ws.send(json.dumps({"type": "event", **message}, ensure_ascii=False))
                    last = message["seq"]
            finally:
                reader.cancel()
        except ConnectionClosed:
            return
        finally:
            subs = self.subscribers.get(room)
            if subs is not None:
                subs.discard(queue)
                if not subs:
                    self.subscribers.pop(room, None)

    @staticmethod
    async def _drain_client(ws: ServerConnection) -> None:
        # Push only: whatever the client sends later is ignored; this ends when it leaves.
        with contextlib.suppress(ConnectionClosed):
            async for _ in ws:
                pass

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._unsubscribe = self.broker.subscribe(self._on_publish)
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
