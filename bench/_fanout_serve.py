"""Server processes of the fan-out benchmark: ours (the launcher, or web and rooms apart)
and the bare websockets baseline; starting, waiting for and stopping them."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from _eval_world import ROOT, overrides
from _ws_clients import raise_fd_limit


def serve(kind: str, instance: Path, port: int, rooms_port: int, args: argparse.Namespace) -> None:
    import logging

    logging.getLogger("waitress").setLevel(logging.ERROR)
    if kind == "bare":
        import asyncio

        raise_fd_limit()
        asyncio.run(bare_server(port))
        return
    from app.factory import create_app
    from app.launcher import serve_all, waitress_options

    redis = args.redis if kind == "web" else None
    app = create_app(
        overrides(instance, args.database_url, ROOMS_PORT=rooms_port, REDIS_URL=redis or None)
    )
    if kind == "launcher":
        raise_fd_limit()
        serve_all(app, port=port, threads=args.threads, with_scheduler=False)
    elif getattr(args, "web_workers", 1) > 1:
        from _serve import run_gunicorn

        overrides_ = overrides(instance, args.database_url, ROOMS_PORT=rooms_port, REDIS_URL=redis)
        run_gunicorn(
            lambda: create_app(overrides_),
            host="127.0.0.1",
            port=port,
            workers=args.web_workers,
            threads=args.threads,
        )
    else:
        import waitress

        waitress.serve(
            app, host="127.0.0.1", port=port, threads=args.threads, _quiet=True,
            **waitress_options(app),
        )  # fmt: skip


async def bare_server(port: int) -> None:
    """The baseline: rooms as sets of connections, one broadcast per published marker."""
    import asyncio
    import datetime as dt

    from websockets.asyncio.server import broadcast
    from websockets.asyncio.server import serve as ws_serve

    rooms: dict[str, set[Any]] = {}
    seqs: dict[str, int] = {}

    async def handler(ws: Any) -> None:
        hello = json.loads(await ws.recv())
        if "publish" in hello:
            async for raw in ws:
                m = json.loads(raw)
                room = m["room"]
                seqs[room] = seqs.get(room, 0) + 1
                frame = {
                    "type": "event",
                    "room": room,
                    "seq": seqs[room],
                    "kind": "sheet_submitted",
                    "payload": {
                        "session_id": m["session_id"],
                        "member_id": m["member_id"],
                        "bid_id": m["bid_id"],
                    },
                    "at": dt.datetime.now(dt.UTC).isoformat(),
                }
                broadcast(rooms.get(room, ()), json.dumps(frame, ensure_ascii=False))
                await ws.send("ok")
            return
        room = hello["room"]
        rooms.setdefault(room, set()).add(ws)
        try:
            await ws.send(json.dumps({"type": "ready", "room": room, "seq": hello["after"]}))
            await ws.wait_closed()
        finally:
            rooms[room].discard(ws)

    async with ws_serve(handler, "127.0.0.1", port):
        await asyncio.Future()


def start(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A server process; its output goes to `log` (the rooms server logs every connection)."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd,
            cwd=str(ROOT),
            env={
                **os.environ,
                "TENDERHALL_ENV": "development",
                "PYTHONPATH": str(ROOT),
                **(env or {}),
            },
            stdout=out,
            stderr=out,
        )


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
