"""Evaluation room fan-out: score-sheet submissions over HTTP to every other member's websocket.

Builds R evaluation sessions (rooms "eval:<id>") × M members in their scoring phase,
inserted directly (SQLite unless --database-url), with every member's draft scores in.
Opens R × M websocket clients (asyncio + `websockets`, in --client-procs processes) with
room tokens minted by the app's own function, then drives sheet submissions through the
real endpoint, POST /api/v1/evaluations/<id>/bids/<bid>/sheet (the submission of a
member's scores; saving a draft publishes nothing), from --concurrency keep-alive
clients. Each submission's latency is the time from sending the request to the LAST of
the room's other members receiving its `sheet_submitted` event (matched by room,
member and bid). Two deployments of ours:

  inproc  one process: `flask serve`'s launcher (waitress + the rooms thread, in-process
          broker), scheduler off
  redis   web (waitress) and `flask rooms serve` as separate processes over Redis pub/sub

and, in the same run, a bare `websockets` server doing the same broadcast (publishers
send the marker over a websocket, the server fans the same JSON frame out to the room
with websockets.broadcast and acks) with the same clients.

Two kinds of load, each measured on every deployment:

  closed loop  --concurrency submitters (8), each sending the next sheet as soon as the
               previous one is answered: the saturated throughput, and the ratio.
  open loop    --rate N[,M…] submissions per second, Poisson arrivals from a fixed seed,
               whatever the answers take (up to 64 submitters in flight); latency counts
               from when a submission was due, so a queue in front of the server shows in
               it. 500 rooms × 9 members each submitting a sheet every ~30 s is 150/s.

Every accepted submission is then counted once, per event and per member: on time; late
(every other member got it, the last after 15 s); partly delivered (some members never
got it); lost (none did) — waiting up to --wait seconds (60) after the last answer, so
a late event is not taken for a lost one. A client that is closed on (4408, too slow)
does not reconnect here and is reported as a dropped client.

Prints medians of --rounds (a `_rate<N>` label for each open-loop rate):

    eval_fanout_<mode>[_rate<N>]_p50: N ms          …_p99: N ms
    eval_fanout_<mode>[_rate<N>]_events_s: N events/s (deliveries to the other members per second)
    eval_fanout_<mode>[_rate<N>]_http_p50 / _http_p99: N ms (request → response, for the diagnosis)
    eval_fanout_<mode>[_rate<N>]_cpu_per_submission: N ms (server processes' CPU ÷ submissions)
    eval_fanout_<mode>[_rate<N>]_undelivered: N submissions (partly delivered or lost, all rounds)
    bare_fanout[_rate<N>]_p50 / _p99 / _events_s / _cpu_per_submission
    eval_fanout_<mode>_ratio: 0.xx        our closed-loop events/s ÷ the bare server's

What each side does per submission, so the ratio reads right: ours authenticates the
bearer token, checks the member, phase and bid (still in after the review, price not
rejected), writes the ScoreSheet, one hash-chained audit entry and the persisted room
event in one transaction (SQLite, one writer at a time), then publishes after commit and
the rooms server fans the event out. The bare server does none of that: it parses the
marker, counts a seq in memory and broadcasts. Both push the same frame to the same 4,500
clients read by the same client processes, and both submitters wait for the answer
before the next submission (8 at a time). The ratio is therefore the cost of the
guarantees, mostly CPU per submission in one Python process on a shared 2-core machine.

Run: .venv/bin/python bench/eval_fanout.py [--rooms 500] [--members 9] [--submissions 1000]
     [--rounds 3] [--concurrency 8] [--rate 50,150] [--wait 60] [--modes inproc,redis]
     [--redis redis://127.0.0.1:6379/15 | --redis ''] [--quick]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.client
import json
import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _eval_world import EvalWorld, build, last_seqs, overrides, room_tokens  # noqa: E402
from _fanout_serve import serve, start, stop, wait_port  # noqa: E402
from _serve import cpu_seconds, free_port, wait_ready  # noqa: E402
from _ws_clients import Assignment, ClientPool, Record, raise_fd_limit  # noqa: E402

SCHEME: dict[str, Any] = {
    "method": "comprehensive",
    "qualification": [{"id": "Q1", "name": "营业执照"}],
    "compliance": [{"id": "K1", "name": "投标有效期"}],
    "technical": [
        {"id": "T1", "name": "技术方案", "type": "range", "maximum": "40", "step": "0.5"},
        {
            "id": "T2",
            "name": "实施方案",
            "type": "fixed",
            "maximum": "10",
            "choices": ["0", "5", "10"],
            "objective": True,
        },
    ],
    "commercial": [
        {
            "id": "C1",
            "name": "售后服务",
            "type": "fixed",
            "maximum": "20",
            "choices": ["0", "10", "20"],
            "objective": True,
        }
    ],
    "price": {"weight": "30"},
}
# Every member scores alike: a full room raises no disagreement or dispersion events.
SCORES = {"T1": Decimal("30"), "T2": Decimal("5"), "C1": Decimal("10")}

# room, member id, bid id, session id, API token
Job = tuple[str, int, int, int, str]
# room, member id, bid id, sent at, answered at, HTTP status
Sent = tuple[str, int, int, float, float, int]


# ----------------------------------------------------------------- drivers
def schedule(n: int, rate: float | None, seed: int) -> list[float] | None:
    """Open loop: when each of n submissions is due, seconds from the start (Poisson
    arrivals at `rate` per second); None for the closed loop."""
    if not rate:
        return None
    rng = random.Random(seed)
    at, out = 0.0, []
    for _ in range(n):
        out.append(at)
        at += rng.expovariate(rate)
    return out


def open_loop_workers(concurrency: int, rate: float | None) -> int:
    # Enough submitters that a due submission rarely waits for a free one; when it does,
    # its latency still counts from when it was due (no coordinated omission).
    return concurrency if not rate else max(concurrency, 64)


def _next_job(
    todo: Any, lock: threading.Lock, due: list[float] | None, origin: float
) -> tuple[Job, float] | None:
    """The next job and the moment its latency counts from (its due time when open loop)."""
    with lock:
        item = next(todo, None)
    if item is None:
        return None
    i, job = item
    if due is None:
        return job, time.monotonic()
    at = origin + due[i]
    delay = at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return job, at


def drive_http(
    port: int, jobs: list[Job], concurrency: int, rate: float | None = None
) -> list[Sent]:
    """Submit every job's sheet: `concurrency` keep-alive clients back to back (closed
    loop), or at `rate` per second whatever the answers take (open loop)."""
    todo = iter(enumerate(jobs))
    lock = threading.Lock()
    sent: list[Sent] = []
    due = schedule(len(jobs), rate, len(jobs))
    origin = time.monotonic() + 0.2

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            nxt = _next_job(todo, lock, due, origin)
            if nxt is None:
                break
            (room, member, bid, session, token), t0 = nxt
            conn.request(
                "POST",
                f"/api/v1/evaluations/{session}/bids/{bid}/sheet",
                body=b"",
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            resp = conn.getresponse()
            body = resp.read()
            t1 = time.monotonic()
            if resp.status != 201 and len(sent) < 3:
                print(f"# {resp.status}: {body[:300]!r}", flush=True)
            with lock:
                sent.append((room, member, bid, t0, t1, resp.status))
        conn.close()

    workers = open_loop_workers(concurrency, rate)
    with cf.ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(worker) for _ in range(workers)]:
            f.result()
    return sent


def drive_bare(
    port: int, jobs: list[Job], concurrency: int, rate: float | None = None
) -> list[Sent]:
    from websockets.sync.client import connect

    todo = iter(enumerate(jobs))
    lock = threading.Lock()
    sent: list[Sent] = []
    due = schedule(len(jobs), rate, len(jobs))
    origin = time.monotonic() + 0.2

    def worker() -> None:
        with connect(f"ws://127.0.0.1:{port}/", max_size=None) as ws:
            ws.send(json.dumps({"publish": True}))
            while True:
                nxt = _next_job(todo, lock, due, origin)
                if nxt is None:
                    break
                (room, member, bid, session, _token), t0 = nxt
                ws.send(
                    json.dumps(
                        {"room": room, "session_id": session, "member_id": member, "bid_id": bid}
                    )
                )
                ws.recv()
                with lock:
                    sent.append((room, member, bid, t0, time.monotonic(), 201))

    workers = open_loop_workers(concurrency, rate)
    with cf.ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(worker) for _ in range(workers)]:
            f.result()
    return sent


# ----------------------------------------------------------------- measuring
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


LATE_AFTER = 15.0  # seconds: a delivery later than this counts as late, not as on time


def settle(
    pool: ClientPool, sent: list[Sent], room_size: int, wait: float
) -> tuple[list[Record], int]:
    """Collect arrivals until every accepted submission reached every other member of its
    room, or `wait` seconds pass after the last answer (what is missing then is lost)."""
    want = sum(room_size - 1 for s in sent if s[5] == 201)
    records: list[Record] = []
    deadline = max((s[4] for s in sent), default=time.monotonic()) + wait
    while True:
        got, dropped = pool.collect()
        records.extend(got)
        others = sum(1 for r in records if r[1] != r[3])
        if others >= want or time.monotonic() > deadline:
            return records, dropped
        time.sleep(0.3)


def analyse(sent: list[Sent], records: list[Record], room_size: int) -> dict[str, float]:
    """Latency to the last member of the room, and every accepted submission counted once
    as on time, late (all delivered, the last after LATE_AFTER), partly delivered (some
    members never got it) or lost (nobody got it) — per-event delivery counts, so a
    broker that drops a message reads apart from a connection that fell behind."""
    arrivals: dict[tuple[str, int, int], dict[int, float]] = {}
    for room, member, bid, me, t in records:
        if me != member:
            seen = arrivals.setdefault((room, member, bid), {})
            seen[me] = min(t, seen.get(me, t))
    latencies, errors, late, partial, lost = [], 0, 0, 0, 0
    for room, member, bid, t0, _t1, status in sent:
        if status != 201:
            errors += 1
            continue
        got = arrivals.get((room, member, bid), {})
        if not got:
            lost += 1
        elif len(got) < room_size - 1:
            partial += 1
        else:
            latency = max(got.values()) - t0
            late += latency > LATE_AFTER
            latencies.append(latency)
    deliveries = sum(len(v) for v in arrivals.values())
    ends = [t for v in arrivals.values() for t in v.values()]
    span = (max(ends) - min(s[3] for s in sent)) if ends else math.nan
    return {
        "p50": pct(latencies, 0.50) * 1000,
        "p99": pct(latencies, 0.99) * 1000,
        "events_s": deliveries / span,
        "http_p50": pct([s[4] - s[3] for s in sent], 0.50) * 1000,
        "http_p99": pct([s[4] - s[3] for s in sent], 0.99) * 1000,
        "errors": errors,
        "late": late,
        "partial": partial,
        "lost": lost,
    }


def run_rounds(
    name: str,
    pool: ClientPool,
    drive: Any,
    plan: list[list[Job]],
    room_size: int,
    procs: list[Any],
    wait: float,
) -> list[dict[str, float]]:
    out = []
    for r, jobs in enumerate(plan):
        cpu0 = cpu_seconds(procs)
        sent = drive(jobs)
        records, dropped = settle(pool, sent, room_size, wait)
        stats = analyse(sent, records, room_size)
        stats["dropped"] = dropped
        # Server CPU per submission: the whole path on our side (HTTP, transaction,
        # audit, event, fan-out), the bare server's receive-and-broadcast on its side.
        stats["cpu_ms"] = (cpu_seconds(procs) - cpu0) / max(1, len(sent)) * 1000
        out.append(stats)
        print(
            f"# {name} round {r + 1}: p50 {stats['p50']:.1f} ms, p99 {stats['p99']:.1f} ms, "
            f"{stats['events_s']:.0f} events/s, http p50/p99 {stats['http_p50']:.1f}/{stats['http_p99']:.1f} ms, "
            f"errors {stats['errors']}, late {stats['late']}, partly delivered {stats['partial']}, "
            f"lost {stats['lost']} (of {len(sent)}), dropped clients {dropped}, "
            f"server CPU {stats['cpu_ms']:.2f} ms/submission",
            flush=True,
        )
    return out


def assignments(
    world: EvalWorld, tokens: dict[int, str] | None, after: dict[str, int]
) -> list[Assignment]:
    return [
        (room.name, m.id, tokens[m.id] if tokens else "bare", after.get(room.name, 0))
        for room in world.rooms
        for m in room.members
    ]


def connect(name: str, url: str, items: list[Assignment], procs: int) -> ClientPool:
    pool = ClientPool(url, items, procs)
    t0 = time.perf_counter()
    ok, failed = pool.start()
    print(
        f"# {name}: {ok} clients connected ({failed} failed) in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    return pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=500)
    parser.add_argument("--members", type=int, default=9)
    parser.add_argument("--submissions", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8, help="submitting clients")
    parser.add_argument("--threads", type=int, default=8, help="web server threads (per worker)")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=1,
        help="redis mode: web processes (gunicorn gthread workers when more than 1)",
    )
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15", help="'' to skip")
    parser.add_argument("--database-url", default=None, help="an empty database")
    parser.add_argument("--logs", default=None, help="keep the servers' logs in this folder")
    parser.add_argument("--modes", default="inproc,redis", help="ours to run: inproc,redis")
    parser.add_argument(
        "--rate",
        default="",
        help="open-loop rates after the closed loop, submissions/s, e.g. 50,150",
    )
    parser.add_argument(
        "--wait", type=float, default=60, help="seconds to wait for late events per round"
    )
    parser.add_argument("--quick", action="store_true", help="20 rooms, 150 submissions")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        kind, instance, port, rooms_port = args.serve
        serve(kind, Path(instance), int(port), int(rooms_port), args)
        return
    if args.quick:
        args.rooms, args.submissions = 20, 150
    raise_fd_limit()
    os.environ["TENDERHALL_ENV"] = "development"
    from app.factory import create_app

    modes = [m for m in args.modes.split(",") if m and (m != "redis" or args.redis)]
    # None: the closed loop (saturated throughput); a number: that many submissions/s.
    loads: list[float | None] = [None] + [float(r) for r in args.rate.split(",") if r]
    per_bid = args.rooms * args.members
    chunks = len(modes) * len(loads)
    bids = max(1, math.ceil(chunks * args.rounds * args.submissions / per_bid))
    me = str(Path(__file__).resolve())
    results: dict[str, list[dict[str, float]]] = {}

    def label(mode: str, load: float | None) -> str:
        return mode if load is None else f"{mode}_rate{load:g}"

    with tempfile.TemporaryDirectory(prefix="th-bench-fanout-") as tmp:
        instance = Path(tmp)
        logs = Path(args.logs) if args.logs else instance
        logs.mkdir(parents=True, exist_ok=True)
        app = create_app(overrides(instance, args.database_url))
        t0 = time.perf_counter()
        world = build(
            app,
            args.rooms,
            args.members,
            bids,
            SCHEME,
            score_of=lambda _r, _m, _b, item: SCORES[item.id],
        )
        print(
            f"# {args.rooms} rooms × {args.members} members, {bids} bids each, "
            f"built in {time.perf_counter() - t0:.1f}s",
            flush=True,
        )
        jobs: list[Job] = [
            (room.name, m.id, b, room.session_id, m.token)
            for room in world.rooms
            for m in room.members
            for b in room.bid_ids
        ]
        random.Random(8).shuffle(jobs)
        n = args.submissions

        def plan(k: int) -> list[list[Job]]:
            # Each (mode, load) of ours submits sheets of its own: a sheet is submitted once.
            start_at = k * args.rounds * n
            return [jobs[start_at + r * n : start_at + (r + 1) * n] for r in range(args.rounds)]

        # The baseline first: nothing of ours is running while it is measured.
        port = free_port()
        procs = [
            start([sys.executable, me, "--serve", "bare", tmp, str(port), "0"], logs / "bare.log")
        ]
        try:
            wait_port(port, procs[0])
            pool = connect(
                "bare", f"ws://127.0.0.1:{port}/", assignments(world, None, {}), args.client_procs
            )
            try:
                for load in loads:
                    results[label("bare", load)] = run_rounds(
                        label("bare", load), pool,
                        lambda j, load=load: drive_bare(port, j, args.concurrency, load),
                        plan(0), args.members, procs, args.wait,
                    )  # fmt: skip
            finally:
                pool.stop()
        finally:
            stop(procs)

        db_arg = ["--database-url", args.database_url] if args.database_url else []
        for k, mode in enumerate(modes):
            web, rooms = free_port(), free_port()
            if mode == "inproc":
                procs = [
                    start(
                        [sys.executable, me, "--serve", "launcher", tmp, str(web), str(rooms)]
                        + db_arg,
                        logs / "inproc.log",
                    )
                ]
            else:
                env = {
                    "TENDERHALL_INSTANCE_PATH": tmp,
                    "TENDERHALL_DATABASE_URL": overrides(instance, args.database_url)[
                        "DATABASE_URL"
                    ],
                    "TENDERHALL_REDIS_URL": args.redis,
                    "TENDERHALL_SCHEDULER_ENABLED": "false",
                }
                flask = str(Path(sys.executable).parent / "flask")
                procs = [
                    start([sys.executable, me, "--serve", "web", tmp, str(web), str(rooms),
                           "--redis", args.redis, "--web-workers", str(args.web_workers),
                           "--threads", str(args.threads)] + db_arg,
                          logs / "web.log"),
                    start([flask, "--app", "wsgi", "rooms", "serve", "--port", str(rooms)],
                          logs / "rooms.log", env),
                ]  # fmt: skip
            try:
                wait_ready(web, procs[0])
                wait_port(rooms, procs[-1])
                tokens = room_tokens(app, world)
                items = assignments(world, tokens, last_seqs(app, world))
                pool = connect(mode, f"ws://127.0.0.1:{rooms}/", items, args.client_procs)
                try:
                    for i, load in enumerate(loads):
                        results[label(mode, load)] = run_rounds(
                            label(mode, load), pool,
                            lambda j, web=web, load=load: drive_http(web, j, args.concurrency, load),
                            plan(k * len(loads) + i), args.members, procs, args.wait,
                        )  # fmt: skip
                finally:
                    pool.stop()
            except BaseException:
                for log in sorted(logs.glob("*.log")):
                    print(f"# {log.name}:", *log.read_text().splitlines()[-15:], sep="\n# ")
                raise
            finally:
                stop(procs)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    for load in loads:
        for name in modes:
            key, out = label(name, load), f"eval_fanout_{label(name, load)}"
            print(f"{out}_p50: {med(key, 'p50'):.1f} ms")
            print(f"{out}_p99: {med(key, 'p99'):.1f} ms")
            print(f"{out}_events_s: {med(key, 'events_s'):.0f} events/s")
            print(f"{out}_http_p50: {med(key, 'http_p50'):.1f} ms")
            print(f"{out}_http_p99: {med(key, 'http_p99'):.1f} ms")
            print(f"{out}_cpu_per_submission: {med(key, 'cpu_ms'):.2f} ms")
            lost = sum(r["lost"] + r["partial"] for r in results[key])
            late = sum(r["late"] for r in results[key])
            print(f"{out}_undelivered: {lost} submissions (late, delivered after 15 s: {late})")
        key, out = label("bare", load), f"bare_fanout{'' if load is None else f'_rate{load:g}'}"
        print(f"{out}_p50: {med(key, 'p50'):.1f} ms")
        print(f"{out}_p99: {med(key, 'p99'):.1f} ms")
        print(f"{out}_events_s: {med(key, 'events_s'):.0f} events/s")
        print(f"{out}_cpu_per_submission: {med(key, 'cpu_ms'):.2f} ms")
    for name in modes:
        ratio = med(name, "events_s") / med("bare", "events_s")
        print(f"eval_fanout_{name}_ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
