"""The websocket clients of the reconnect-storm benchmark: thousands of room clients in a few
processes that behave like the pages' `room-socket.js` when their connection drops.

Each client sends the rooms protocol's first message {token, room, after: last seq seen}
with a fresh token for every connection (minted here with the app's secret, in the shape
`issue_room_token` makes: the web request that hands a page its token is not part of this
benchmark), records every event seq in arrival order, and on a drop waits the same
back-off as the page (`BACKOFF`, mirrored from room-socket.js) before it tries again.

The parent drives rounds through a pipe:
  "round"                  a new round starts (sent just before the server is killed)
  ("targets", {room: seq}) a client has caught up once it has a "ready" from a
                            connection of this round and holds every seq up to its
                            room's target (the log when the new server listened)
  "status"                 → (caught, clients, last catch-up time, last ready time)
  ("check", {room: seq})   → (lost, duplicates, out of order) against the final seqs
  "stop"
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

# room name, member's user id, seq already seen
Assignment = tuple[str, int, int]

CONNECT_AT_ONCE = 100  # first handshakes in flight per process (reconnects are not gated)


def backoff(attempt: int, rng: random.Random, style: str) -> float:
    """Seconds before reconnect attempt `attempt` (0-based), as room-socket.js waits.

    "jittered" (the page today): an exponential step from 0.5 s capped at 5 s, and a
    random point in its upper half, so that clients dropped together do not come back
    together. "plain" (the page before): 0.5 s doubling to 8 s, the same for everyone."""
    if style == "plain":
        return min(0.5 * 2**attempt, 8.0)
    step = min(0.5 * 2**attempt, 5.0)
    return step / 2 + rng.random() * step / 2


@dataclass
class Client:
    room: str
    uid: int
    last: int
    start: int
    seqs: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    round_ready: float | None = None
    caught_at: float | None = None


def _minter(secret: str | None) -> Any:
    if secret is None:
        return lambda _c: "bare"
    from itsdangerous import URLSafeTimedSerializer

    ser = URLSafeTimedSerializer(secret, salt="room")
    return lambda c: ser.dumps(
        {"uid": c.uid, "room": c.room, "role": "expert", "n": secrets.token_urlsafe(9)}
    )


async def _main(
    conn: Any, url: str, items: list[Assignment], secret: str | None, style: str
) -> None:
    from websockets.asyncio.client import connect

    mint = _minter(secret)
    clients = [Client(room, uid, after, after) for room, uid, after in items]
    targets: dict[str, int] = {}
    targets_known = False
    round_started = [0.0]
    stopping = asyncio.Event()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    first_ready = asyncio.Event()
    pending_first = [len(clients)]
    failures: list[str] = []
    rng = random.Random()

    def check_caught(c: Client) -> None:
        # A room with no event yet has nothing to replay: its target is 0.
        target = targets.get(c.room, 0) if targets_known else None
        ready = c.round_ready
        if c.caught_at is None and target is not None and ready is not None and c.last >= target:
            held = [t for s, t in zip(c.seqs, c.times, strict=True) if s == target]
            c.caught_at = max([ready, *held[:1]])

    async def run(c: Client) -> None:
        attempt, first = 0, True
        while not stopping.is_set():
            try:
                if first:
                    async with gate:
                        ws = await connect(url, open_timeout=120, max_size=None)
                else:
                    ws = await connect(url, open_timeout=30, max_size=None)
                await ws.send(json.dumps({"token": mint(c), "room": c.room, "after": c.last}))
                async for raw in ws:
                    t = time.monotonic()
                    msg = json.loads(raw)
                    kind = msg.get("type")
                    if kind == "event":
                        c.seqs.append(msg["seq"])
                        c.times.append(t)
                        c.last = max(c.last, msg["seq"])
                        check_caught(c)
                    elif kind == "ready":
                        attempt = 0
                        if first:
                            first = False
                            pending_first[0] -= 1
                            if not pending_first[0]:
                                first_ready.set()
                        if round_started[0] and c.round_ready is None:
                            c.round_ready = t
                            check_caught(c)
            except Exception as exc:  # a refused or dropped connection: try again
                if len(failures) < 5:
                    failures.append(f"{type(exc).__name__}: {exc}"[:200])
            if stopping.is_set():
                return
            await asyncio.sleep(backoff(attempt, rng, style))
            attempt += 1

    tasks = [asyncio.create_task(run(c)) for c in clients]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(first_ready.wait(), timeout=600)
    conn.send(("ready", len(clients) - pending_first[0], failures[:3]))
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command == "status":
            caught = [c.caught_at for c in clients if c.caught_at is not None]
            ready = [c.round_ready for c in clients if c.round_ready is not None]
            conn.send(
                (len(caught), len(clients), max(caught, default=0.0), max(ready, default=0.0))
            )
        elif command == "stop":
            stopping.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            conn.send("stopped")
            return
        elif command == "round":
            targets.clear()
            targets_known = False
            round_started[0] = time.monotonic()
            for c in clients:
                c.round_ready = c.caught_at = None
            conn.send("ok")
        elif command[0] == "targets":
            targets.update(command[1])
            targets_known = True
            for c in clients:
                check_caught(c)
            conn.send("ok")
        elif command[0] == "check":
            finals = command[1]
            lost = dups = disorder = 0
            for c in clients:
                got = set(c.seqs)
                lost += sum(
                    1 for s in range(c.start + 1, finals.get(c.room, 0) + 1) if s not in got
                )
                dups += len(c.seqs) - len(got)
                disorder += sum(1 for a, b in zip(c.seqs, c.seqs[1:], strict=False) if b < a)
            conn.send((lost, dups, disorder))


def _process(conn: Any, url: str, items: list[Assignment], secret: str | None, style: str) -> None:
    from _ws_clients import raise_fd_limit

    raise_fd_limit()
    asyncio.run(_main(conn, url, items, secret, style))


class StormClients:
    """`procs` client processes sharing `items` round-robin, connected to `url`; tokens are
    minted with `secret` (None: the bare server takes any); `style` is the back-off."""

    def __init__(
        self, url: str, items: list[Assignment], procs: int, secret: str | None, style: str
    ) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Any] = []
        self.children: list[Any] = []
        for i in range(procs):
            parent, child = ctx.Pipe()
            p = ctx.Process(
                target=_process, args=(child, url, items[i::procs], secret, style), daemon=True
            )
            p.start()
            self.pipes.append(parent)
            self.children.append(p)

    def wait_connected(self, timeout: float = 600) -> int:
        connected = 0
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise SystemExit("clients did not connect in time")
            _tag, ok, sample = pipe.recv()
            connected += ok
            if sample:
                print(f"# client errors while connecting, e.g.: {sample}", flush=True)
        return connected

    def _ask(self, command: Any) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def new_round(self) -> None:
        self._ask("round")

    def targets(self, targets: dict[str, int]) -> None:
        self._ask(("targets", targets))

    def status(self) -> tuple[int, int, float, float]:
        answers = self._ask("status")
        return (
            sum(a[0] for a in answers),
            sum(a[1] for a in answers),
            max(a[2] for a in answers),
            max(a[3] for a in answers),
        )

    def check(self, finals: dict[str, int]) -> tuple[int, int, int]:
        answers = self._ask(("check", finals))
        return (
            sum(a[0] for a in answers),
            sum(a[1] for a in answers),
            sum(a[2] for a in answers),
        )

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send("stop")
                pipe.poll(30) and pipe.recv()
            except (OSError, EOFError):
                pass
        for p in self.children:
            p.join(10)
            if p.is_alive():
                p.kill()
