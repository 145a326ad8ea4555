"""The websocket client harness of the fan-out benchmark: thousands of room clients in a few
processes, each recording when every `sheet_submitted` event reached it.

A client sends the rooms protocol's first message {token, room, after}, waits for
"ready", then stamps every event on arrival (time.monotonic(), CLOCK_MONOTONIC, the same
clock in every process on the machine) before parsing it. The parent asks each process
for its records between rounds; a record is (room, submitting member, bid, receiving
member, arrival time).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import resource
import time
from dataclasses import dataclass
from typing import Any

# room name, member id, room token, seq already seen
Assignment = tuple[str, int, str, int]
Record = tuple[str, int, int, int, float]

CONNECT_AT_ONCE = 100  # handshakes in flight per process


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _client_main(conn: Any, url: str, assignments: list[Assignment]) -> None:
    from websockets.asyncio.client import connect

    records: list[Record] = []
    sockets: list[Any] = []
    failed: list[str] = []
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def listen(ws: Any, me: int) -> None:
        append, clock, loads = records.append, time.monotonic, json.loads
        try:
            async for raw in ws:
                t = clock()
                msg = loads(raw)
                if msg.get("kind") == "sheet_submitted":
                    p = msg["payload"]
                    append((msg["room"], p["member_id"], p["bid_id"], me, t))
        except Exception as exc:  # a dropped client is reported, not fatal
            failed.append(f"{type(exc).__name__}: {exc}"[:200])

    async def join(room: str, me: int, token: str, after: int) -> None:
        async with gate:
            try:
                ws = await connect(url, open_timeout=120, max_size=None)
                await ws.send(json.dumps({"token": token, "room": room, "after": after}))
                while json.loads(await ws.recv()).get("type") != "ready":
                    pass
            except Exception as exc:
                failed.append(f"{type(exc).__name__}: {exc}"[:200])
                return
        sockets.append(ws)
        asyncio.get_running_loop().create_task(listen(ws, me))

    await asyncio.gather(*(join(*a) for a in assignments))
    conn.send(("ready", len(sockets), failed[:5], len(failed)))
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command == "collect":
            out, records[:] = list(records), []
            conn.send((out, len(failed)))
        elif command == "stop":
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
            conn.send("stopped")
            return


def _client_process(conn: Any, url: str, assignments: list[Assignment]) -> None:
    raise_fd_limit()
    asyncio.run(_client_main(conn, url, assignments))


@dataclass
class ClientPool:
    """`procs` client processes sharing `assignments` round-robin, connected to `url`."""

    url: str
    assignments: list[Assignment]
    procs: int

    def start(self, timeout: float = 600) -> tuple[int, int]:
        """Connect every client; return (connected, failed)."""
        ctx = mp.get_context("spawn")
        self.pipes: list[Any] = []
        self.children: list[Any] = []
        for i in range(self.procs):
            parent, child = ctx.Pipe()
            p = ctx.Process(
                target=_client_process,
                args=(child, self.url, self.assignments[i :: self.procs]),
                daemon=True,
            )
            p.start()
            self.pipes.append(parent)
            self.children.append(p)
        connected = failed = 0
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise SystemExit("clients did not connect in time")
            _tag, ok, sample, bad = pipe.recv()
            connected += ok
            failed += bad
            if sample:
                print(f"# client errors, e.g.: {sample}", flush=True)
        return connected, failed

    def collect(self) -> tuple[list[Record], int]:
        for pipe in self.pipes:
            pipe.send("collect")
        out: list[Record] = []
        dropped = 0
        for pipe in self.pipes:
            records, failed = pipe.recv()
            out.extend(records)
            dropped += failed
        return out, dropped

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
