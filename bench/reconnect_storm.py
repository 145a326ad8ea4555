"""Reconnect storm: the rooms process is killed under thousands of clients and comes back.

Builds R evaluation rooms × M members (rooms "eval:<id>", inserted directly; SQLite unless
--database-url), starts a real rooms process (`flask --app wsgi rooms serve`, events
through Redis pub/sub, as deployed apart from the web), connects R × M websocket clients
(in --client-procs processes, behaving like the pages' room-socket.js: a fresh token per
connection, the last seq seen, its back-off) and keeps a publisher process appending
events to random rooms with the app's own `emit` (--rate a second). Each round:

  the rooms process is killed (SIGKILL) and started again on the same port, while the
  publisher goes on; measured until every client has a new connection's "ready" and
  holds every event its room had when the new process listened.

Then the run checks every client's stream against the log: events lost (must be 0),
delivered twice, delivered out of order. In the same run a bare `websockets` server
(no tokens, no room policy, no ORM: one plain SELECT for the replay and the same Redis
channel for live events) is killed and restarted under the same clients.

Prints medians of --rounds:
    reconnect_storm_<db>_s: N s           kill → every client caught up
    reconnect_storm_<db>_after_listen_s: N s   the new process listening → caught up
    reconnect_storm_<db>_start_s: N s     kill → the new process listening
    reconnect_storm_<db>_lost: N events (also _dup, _disorder)
    bare_storm_…                          the same for the bare server
    reconnect_storm_ratio: 0.xx           bare ÷ ours, after listening (1 = as fast)
    reconnect_storm_total_ratio: 0.xx     bare ÷ ours, from the kill

Run: .venv/bin/python bench/reconnect_storm.py [--rooms 500] [--members 9] [--rounds 3]
     [--rate 100] [--redis redis://127.0.0.1:6379/15] [--database-url URL]
     [--backoff jittered|plain] [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _eval_world import build, overrides  # noqa: E402
from _fanout_serve import start, wait_port  # noqa: E402
from _serve import free_port  # noqa: E402
from _storm_clients import Assignment, StormClients  # noqa: E402
from _ws_clients import raise_fd_limit  # noqa: E402

SCHEME: dict[str, Any] = {
    "method": "comprehensive",
    "qualification": [{"id": "Q1", "name": "营业执照"}],
    "compliance": [{"id": "K1", "name": "投标有效期"}],
    "technical": [{"id": "T1", "name": "技术方案", "type": "range", "maximum": "70"}],
    "commercial": [],
    "price": {"weight": "30"},
}


# ----------------------------------------------------------------- the publisher
def publish(instance: str, database_url: str | None, redis: str, rooms: list[str], rate: float,
            stop: Any) -> None:  # fmt: skip
    """Append `rate` events a second to random rooms, each in its own transaction."""
    from app.core.extensions import db
    from app.core.realtime import emit
    from app.factory import create_app

    app = create_app(overrides(Path(instance), database_url, REDIS_URL=redis))
    rng = random.Random(9)
    n = 0
    with app.app_context():
        t0 = time.monotonic()
        while not stop.is_set():
            n += 1
            emit(rng.choice(rooms), "storm_tick", {"n": n})
            db.session.commit()
            pause = t0 + n / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)


def last_seqs(engine: Any) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as c:
        rows = c.execute(text("SELECT room, max(seq) FROM room_event GROUP BY room")).all()
    return {room: int(seq) for room, seq in rows}


# ----------------------------------------------------------------- the bare server
async def bare_server(port: int, database_url: str, redis_url: str) -> None:
    """The baseline: the same protocol with a plain replay query and no checks at all."""
    import asyncio
    import json

    import redis.asyncio as aioredis
    from sqlalchemy import create_engine, text
    from websockets.asyncio.server import serve as ws_serve

    engine = create_engine(database_url)
    query = text(
        "SELECT seq, kind, payload, created_at FROM room_event "
        "WHERE room = :room AND seq > :after ORDER BY seq"
    )
    rooms: dict[str, set[asyncio.Queue[str]]] = {}

    def replay(room: str, after: int) -> list[str]:
        with engine.connect() as c:
            rows = c.execute(query, {"room": room, "after": after}).all()
        return [
            json.dumps(
                {
                    "type": "event",
                    "room": room,
                    "seq": seq,
                    "kind": kind,
                    "payload": json.loads(p) if isinstance(p, str) else p,
                    "at": str(at),
                },
                ensure_ascii=False,
            )  # fmt: skip
            for seq, kind, p, at in rows
        ]

    async def live() -> None:
        from app.core.realtime import RedisBroker

        prefix = RedisBroker(redis_url).prefix  # the channels our web process publishes on
        client = aioredis.Redis.from_url(redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(f"{prefix}*")
        async for msg in pubsub.listen():
            room = msg["channel"].decode().removeprefix(prefix)
            for q in list(rooms.get(room, ())):
                q.put_nowait(msg["data"].decode())

    async def handler(ws: Any) -> None:
        hello = json.loads(await ws.recv())
        room, last = hello["room"], int(hello.get("after") or 0)
        queue: asyncio.Queue[str] = asyncio.Queue()
        rooms.setdefault(room, set()).add(queue)
        try:
            for frame in await asyncio.to_thread(replay, room, last):
                await ws.send(frame)
                last = json.loads(frame)["seq"]
            await ws.send(json.dumps({"type": "ready", "room": room, "seq": last}))
            while True:
                message = json.loads(await queue.get())
                if message["seq"] <= last:
                    continue
                if message["seq"] > last + 1:  # a publish overtaken: fill from the log
                    for frame in await asyncio.to_thread(replay, room, last):
                        if json.loads(frame)["seq"] >= message["seq"]:
                            break
                        await ws.send(frame)
                        last = json.loads(frame)["seq"]
                await ws.send(json.dumps({"type": "event", **message}, ensure_ascii=False))
                last = message["seq"]
        except Exception:
            return
        finally:
            rooms[room].discard(queue)

    listener = asyncio.create_task(live())
    async with ws_serve(handler, "127.0.0.1", port):
        await asyncio.Future()
    listener.cancel()


# ----------------------------------------------------------------- one server, N rounds
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def storm_rounds(name: str, proc: Any, launch: Any, port: int, clients: StormClients,
                 engine: Any, rounds: int, timeout: float) -> list[dict[str, float]]:  # fmt: skip
    """Kill and restart the server `rounds` times under the connected clients."""
    out = []
    try:
        for r in range(rounds):
            time.sleep(3)  # events flow to connected clients for a while
            clients.new_round()
            t_kill = time.monotonic()
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc = launch()
            wait_port(port, proc, timeout=300)
            t_listen = time.monotonic()
            clients.targets(last_seqs(engine))
            while True:
                caught, total, last_caught, last_ready = clients.status()
                if caught == total or time.monotonic() - t_kill > timeout:
                    break
                time.sleep(0.2)
            stats = {
                "s": last_caught - t_kill,
                "after_listen_s": last_caught - t_listen,
                "start_s": t_listen - t_kill,
                "ready_s": last_ready - t_kill,
                "missing_clients": total - caught,
            }
            out.append(stats)
            print(
                f"# {name} round {r + 1}: caught up {caught}/{total} in {stats['s']:.2f} s "
                f"from the kill ({stats['after_listen_s']:.2f} s after listening; listening "
                f"after {stats['start_s']:.2f} s; last ready at {stats['ready_s']:.2f} s)",
                flush=True,
            )
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def run_mode(name: str, launch: Any, port: int, items: list[Assignment], secret: str | None,
             args: argparse.Namespace, engine: Any, publisher: Any) -> dict[str, Any]:  # fmt: skip
    """Connect the clients to one kind of server, storm it, then check every stream."""
    proc = launch()
    wait_port(port, proc, timeout=300)
    clients = StormClients(
        f"ws://127.0.0.1:{port}/", items, args.client_procs, secret, args.backoff
    )
    t0 = time.perf_counter()
    connected = clients.wait_connected()
    print(f"# {name}: {connected} clients connected in {time.perf_counter() - t0:.1f}s", flush=True)
    try:
        rounds = storm_rounds(name, proc, launch, port, clients, engine, args.rounds, args.timeout)
        # The check: every event the log holds up to now, once and in order.
        stop_publisher, proc_pub = publisher
        stop_publisher.set()
        proc_pub.join(30)
        server = launch()
        wait_port(port, server, timeout=300)
        finals = last_seqs(engine)
        clients.new_round()
        clients.targets(finals)
        deadline = time.monotonic() + args.timeout
        while clients.status()[0] < len(items) and time.monotonic() < deadline:
            time.sleep(0.3)
        lost, dups, disorder = clients.check(finals)
        print(f"# {name}: lost {lost}, twice {dups}, out of order {disorder}", flush=True)
        server.terminate()
        try:
            server.wait(30)  # closing thousands of connections takes a while
        except subprocess.TimeoutExpired:
            server.kill()
    finally:
        clients.stop()
    return {"rounds": rounds, "lost": lost, "dup": dups, "disorder": disorder}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=500)
    parser.add_argument("--members", type=int, default=9)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=100.0, help="events a second")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--database-url", default=None, help="an empty database")
    parser.add_argument("--backoff", choices=("jittered", "plain"), default="jittered")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per round")
    parser.add_argument("--quick", action="store_true", help="20 rooms, 1 round")
    parser.add_argument("--serve-bare", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        import asyncio

        raise_fd_limit()
        asyncio.run(bare_server(int(args.serve_bare[0]), args.serve_bare[1], args.serve_bare[2]))
        return
    if args.quick:
        args.rooms, args.rounds = 20, 1
    raise_fd_limit()
    os.environ["TENDERHALL_ENV"] = "development"
    from sqlalchemy import create_engine

    from app.factory import create_app

    db_name = "postgresql" if args.database_url else "sqlite"
    me = str(Path(__file__).resolve())
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="th-bench-storm-") as tmp:
        instance = Path(tmp)
        settings = overrides(instance, args.database_url)
        app = create_app(settings)
        t0 = time.perf_counter()
        world = build(app, args.rooms, args.members, 1, SCHEME, score_of=lambda *_: 0)
        secret = str(app.config["SECRET_KEY"])
        print(
            f"# {args.rooms} rooms × {args.members} members built in "
            f"{time.perf_counter() - t0:.1f}s; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        engine = create_engine(settings["DATABASE_URL"])
        rooms = [room.name for room in world.rooms]
        ctx = mp.get_context("spawn")

        def publisher() -> tuple[Any, Any]:
            stop = ctx.Event()
            p = ctx.Process(
                target=publish,
                args=(tmp, args.database_url, args.redis, rooms, args.rate, stop),
                daemon=True,
            )
            p.start()
            return stop, p

        env = {
            "TENDERHALL_INSTANCE_PATH": tmp,
            "TENDERHALL_DATABASE_URL": settings["DATABASE_URL"],
            "TENDERHALL_REDIS_URL": args.redis,
            "TENDERHALL_SCHEDULER_ENABLED": "false",
        }
        flask = str(Path(sys.executable).parent / "flask")
        for name in ("bare", db_name):
            port = free_port()
            if name == "bare":
                cmd = [sys.executable, me, "--serve-bare", str(port), settings["DATABASE_URL"],
                       args.redis]  # fmt: skip
                token_secret = None
            else:
                cmd = [flask, "--app", "wsgi", "rooms", "serve", "--port", str(port)]
                token_secret = secret
            log = instance / f"{name}.log"

            def launch(cmd: list[str] = cmd, log: Path = log) -> subprocess.Popen[bytes]:
                return start(cmd, log, env)

            after = last_seqs(engine)
            items = [(room.name, m.user_id, after.get(room.name, 0))
                     for room in world.rooms for m in room.members]  # fmt: skip
            try:
                results[name] = run_mode(name, launch, port, items, token_secret, args, engine,
                                         publisher())  # fmt: skip
            except BaseException:
                print(f"# {log.name}:", *log.read_text().splitlines()[-15:], sep="\n# ")
                raise

    def med(name: str, key: str) -> float:
        return median([r[key] for r in results[name]["rounds"]])

    for name, label in ((db_name, f"reconnect_storm_{db_name}"), ("bare", "bare_storm")):
        print(f"{label}_s: {med(name, 's'):.2f} s")
        print(f"{label}_after_listen_s: {med(name, 'after_listen_s'):.2f} s")
        print(f"{label}_start_s: {med(name, 'start_s'):.2f} s")
        print(f"{label}_missing_clients: {med(name, 'missing_clients'):.0f} clients")
        for key in ("lost", "dup", "disorder"):
            print(f"{label}_{key}: {results[name][key]} events")
    ratio = med("bare", "after_listen_s") / med(db_name, "after_listen_s")
    print(f"reconnect_storm_ratio: {ratio:.2f}")
    print(f"reconnect_storm_total_ratio: {med('bare', 's') / med(db_name, 's'):.2f}")


if __name__ == "__main__":
    main()
