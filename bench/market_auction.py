"""Services-market auction: bidders bid as fast as they can; every bid reaches every bidder.

Builds one live reverse auction with B qualified agencies (SQLite in a temporary instance,
inserted directly) and serves it with `flask serve`'s launcher (waitress + the rooms
thread, in-process broker, scheduler off) in a process of its own. One websocket client
per bidder (asyncio, in a separate process) joins the auction room; --threads HTTP
clients then place bids through POST /api/v1/market/needs/<id>/bids for --seconds, each
bid one step below the best price it last saw (so bidders race, and losers are refused
as not beating the best by the step). Measured:

  market_auction_bids_s       accepted bids per second
  market_auction_p50 / _p99   from sending an accepted bid to the LAST bidder's socket
                              receiving its event
  market_auction_lost / _reordered
                              events missing from, or out of order at, any client (the
                              bid_seq of each client's events must be exactly 1..K)

and, in the same run, a bare `websockets` server broadcasting the same K payloads to the
same clients (one publisher, one message per acknowledged send):

  bare_broadcast_msgs_s, bare_broadcast_p50 / _p99

Run: .venv/bin/python bench/market_auction.py [--bidders 200] [--seconds 60] [--threads 16]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fanout_serve import start, stop, wait_port  # noqa: E402
from _serve import free_port  # noqa: E402
from _ws_clients import raise_fd_limit  # noqa: E402

STEP = Decimal("0.01")
CEILING = Decimal("900000000.00")


def overrides(instance: Path, **more: Any) -> dict[str, Any]:
    return {
        "DATABASE_URL": f"sqlite:///{instance / 'bench.db'}",
        "INSTANCE_PATH": str(instance),
        "REDIS_URL": None,
        "SCHEDULER_ENABLED": False,
        **more,
    }


def build(instance: Path, bidders: int) -> tuple[int, list[str], list[int]]:
    """The world: one type, one buyer, B agencies with a valid qualification, one live
    auction. Returns (need id, the agencies' API tokens, their user ids)."""
    from app.core import clock
    from app.core.auth import credit_code
    from app.core.auth.models import Organisation, OrgKind, Role, User
    from app.core.auth.passwords import hash_password
    from app.core.auth.services import issue_token
    from app.core.extensions import db
    from app.core.storage import get_store
    from app.factory import create_app
    from app.market.models import (
        AgencyProfile,
        AgencyService,
        Need,
        NeedMethod,
        NeedStatus,
        Qualification,
        ServiceType,
    )

    app = create_app(overrides(instance))
    with app.app_context():
        db.create_all()
        now = clock.now()
        pw = hash_password("bench-password-1")
        db.session.add(ServiceType(code="ZX01", name="环境影响评价", active=True))
        buyer = Organisation(
            kind=OrgKind.PURCHASER, name="采购人", credit_code=None, created_at=now
        )
        db.session.add(buyer)
        db.session.flush()
        buyer_user = User(
            username="buyer", display_name="buyer", password_hash=pw, role=Role.PURCHASER,
            organisation_id=buyer.id, created_at=now,
        )  # fmt: skip
        db.session.add(buyer_user)
        sha, _size = get_store().put_bytes(b"%PDF-1.4 certificate")
        users = []
        for n in range(bidders):
            org = Organisation(
                kind=OrgKind.INTERMEDIARY, name=f"机构{n:04d}",
                credit_code=credit_code.complete(f"91110000{n:09d}"), created_at=now,
            )  # fmt: skip
            db.session.add(org)
            db.session.flush()
            db.session.add(
                AgencyProfile(org_id=org.id, registered_at=now, staff=[], fees=[], cases=[])
            )
            db.session.flush()
            db.session.add(AgencyService(org_id=org.id, type_code="ZX01", listed=True))
            db.session.add(
                Qualification(
                    org_id=org.id, type_code="ZX01", name="资质", level=1, number=f"Q{n}",
                    issuer="厅", valid_until=dt.date(2099, 1, 1), cert_sha256=sha,
                    cert_name="c.pdf", created_at=now,
                )
            )  # fmt: skip
            user = User(
                username=f"bidder{n:04d}", display_name=f"bidder{n}", password_hash=pw,
                role=Role.INTERMEDIARY, organisation_id=org.id, created_at=now,
            )  # fmt: skip
            db.session.add(user)
            users.append(user)
        db.session.flush()
        need = Need(
            buyer_org_id=buyer.id, created_by=buyer_user.id, title="竞价基准", type_code="ZX01",
            budget=CEILING, ceiling=CEILING, required_level=3,
            service_deadline=dt.date(2099, 1, 1), method=NeedMethod.AUCTION,
            status=NeedStatus.OPEN, created_at=now, starts_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=6), planned_close_at=now + dt.timedelta(hours=6),
            step=STEP, extend_window_minutes=1, extend_minutes=1,
        )  # fmt: skip
        db.session.add(need)
        db.session.commit()
        tokens = [issue_token(u, "bench")[1] for u in users]
        db.session.commit()
        return need.id, tokens, [u.id for u in users]


def room_tokens(instance: Path, user_ids: list[int], room: str) -> list[str]:
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.core.rooms import issue_room_token
    from app.factory import create_app

    app = create_app(overrides(instance))
    with app.app_context():
        return [issue_room_token(db.session.get(User, uid), room) for uid in user_ids]


# ------------------------------------------------------------------ websocket clients
async def _clients(conn: Any, url: str, room: str, tokens: list[str | None]) -> None:
    from websockets.asyncio.client import connect

    arrivals: list[list[tuple[int, float]]] = [[] for _ in tokens]
    sockets: list[Any] = []
    gate = asyncio.Semaphore(50)

    async def listen(ws: Any, i: int) -> None:
        try:
            async for raw in ws:
                t = time.monotonic()
                msg = json.loads(raw)
                if msg.get("type") == "event" and msg.get("kind") == "bid":
                    arrivals[i].append((int(msg["payload"]["bid_seq"]), t))
        except Exception:  # noqa: S110  (a dropped client shows as lost events)
            pass

    async def join(i: int, token: str | None) -> None:
        async with gate:
            ws = await connect(url, open_timeout=120, max_size=None)
            hello = {"room": room, "after": 0} | ({"token": token} if token else {})
            await ws.send(json.dumps(hello))
            while json.loads(await ws.recv()).get("type") != "ready":
                pass
        sockets.append(ws)
        asyncio.get_running_loop().create_task(listen(ws, i))

    await asyncio.gather(*(join(i, t) for i, t in enumerate(tokens)))
    conn.send("ready")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)
    await asyncio.sleep(3)  # the last events in flight
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    conn.send(arrivals)


def _client_process(conn: Any, url: str, room: str, tokens: list[str | None]) -> None:
    raise_fd_limit()
    asyncio.run(_clients(conn, url, room, tokens))


def clients(url: str, room: str, tokens: list[str | None]) -> tuple[Any, Any]:
    parent, child = mp.get_context("spawn").Pipe()
    proc = mp.get_context("spawn").Process(
        target=_client_process, args=(child, url, room, tokens), daemon=True
    )
    proc.start()
    if not parent.poll(300) or parent.recv() != "ready":
        raise SystemExit("websocket clients did not connect")
    return parent, proc


def check(arrivals: list[list[tuple[int, float]]], k: int) -> tuple[int, int]:
    """(events lost, clients that saw events out of order) against 1..k."""
    lost = reordered = 0
    for seqs in ([s for s, _t in a] for a in arrivals):
        lost += k - len(set(seqs))
        reordered += seqs != sorted(seqs)
    return lost, reordered


def latencies(sent: dict[int, float], arrivals: list[list[tuple[int, float]]]) -> list[float]:
    last: dict[int, float] = {}
    for a in arrivals:
        for seq, t in a:
            last[seq] = max(last.get(seq, 0.0), t)
    return [(last[s] - t0) * 1000 for s, t0 in sent.items() if s in last]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ------------------------------------------------------------------ the two runs
def run_ours(args: argparse.Namespace, tmp: Path) -> dict[int, str]:
    need_id, tokens, user_ids = build(tmp, args.bidders)
    web, rooms = free_port(), free_port()
    me = str(Path(__file__).resolve())
    server = start([sys.executable, me, "--serve", str(tmp), str(web), str(rooms)], tmp / "web.log")
    try:
        wait_port(web, server)
        wait_port(rooms, server)
        room = f"auction:{need_id}"
        conn, proc = clients(
            f"ws://127.0.0.1:{rooms}/", room, list(room_tokens(tmp, user_ids, room))
        )
        best = [CEILING + STEP]
        lock = threading.Lock()
        sent: dict[int, float] = {}
        prices: dict[int, str] = {}
        refused = [0]
        stop_at = time.monotonic() + args.seconds

        def bidder(k: int) -> None:
            c = http.client.HTTPConnection("127.0.0.1", web, timeout=60)
            mine = tokens[k :: args.threads]
            i = 0
            while time.monotonic() < stop_at:
                token = mine[i % len(mine)]
                i += 1
                with lock:
                    price = best[0] - STEP
                t0 = time.monotonic()
                body = json.dumps({"price": str(price)})
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                c.request("POST", f"/api/v1/market/needs/{need_id}/bids", body, headers)
                resp = c.getresponse()
                data = json.loads(resp.read())
                if resp.status == 201:
                    seq = int(data["bid_seq"])
                    with lock:
                        sent[seq] = t0
                        prices[seq] = str(price)
                if data.get("best"):
                    with lock:
                        best[0] = min(best[0], Decimal(data["best"]))
                if resp.status != 201:
                    with lock:
                        refused[0] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=bidder, args=(k,)) for k in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        conn.send("collect")
        arrivals = conn.recv()
        proc.join(10)
    finally:
        stop([server])
    k = len(sent)
    lost, reordered = check(arrivals, k)
    lat = latencies(sent, arrivals)
    print(f"market_auction_bidders: {args.bidders}")
    print(
        f"market_auction_bids_s: {k / elapsed:.1f} ({k} accepted, {refused[0]} refused in {elapsed:.1f} s)"
    )
    print(f"market_auction_p50: {pct(lat, 0.5):.1f} ms")
    print(f"market_auction_p99: {pct(lat, 0.99):.1f} ms")
    print(f"market_auction_lost: {lost}")
    print(f"market_auction_reordered: {reordered}")
    return prices


def run_bare(args: argparse.Namespace, tmp: Path, prices: dict[int, str]) -> None:
    port = free_port()
    me = str(Path(__file__).resolve())
    server = start([sys.executable, me, "--bare", str(port)], tmp / "bare.log")
    try:
        wait_port(port, server)
        room = "auction:1"
        conn, proc = clients(f"ws://127.0.0.1:{port}/", room, [None] * args.bidders)
        sent: dict[int, float] = {}

        async def publish() -> float:
            from websockets.asyncio.client import connect

            async with connect(f"ws://127.0.0.1:{port}/") as ws:
                await ws.send(json.dumps({"publish": True}))
                t_start = time.monotonic()
                for seq in sorted(prices):
                    sent[seq] = time.monotonic()
                    await ws.send(json.dumps({"room": room, "bid_seq": seq, "best": prices[seq]}))
                    await ws.recv()
                return time.monotonic() - t_start

        elapsed = asyncio.run(publish())
        conn.send("collect")
        arrivals = conn.recv()
        proc.join(10)
    finally:
        stop([server])
    k = len(sent)
    lost, reordered = check(arrivals, k)
    lat = latencies(sent, arrivals)
    print(f"bare_broadcast_msgs_s: {k / elapsed:.1f} ({k} messages)")
    print(f"bare_broadcast_p50: {pct(lat, 0.5):.1f} ms")
    print(f"bare_broadcast_p99: {pct(lat, 0.99):.1f} ms")
    print(f"bare_broadcast_lost: {lost}, reordered: {reordered}")


async def bare_server(port: int) -> None:
    from websockets.asyncio.server import broadcast
    from websockets.asyncio.server import serve as ws_serve

    members: set[Any] = set()

    async def handler(ws: Any) -> None:
        hello = json.loads(await ws.recv())
        if "publish" in hello:
            async for raw in ws:
                m = json.loads(raw)
                frame = {
                    "type": "event", "room": m["room"], "seq": m["bid_seq"], "kind": "bid",
                    "payload": {"bid_seq": m["bid_seq"], "best": m["best"]},
                }  # fmt: skip
                broadcast(members, json.dumps(frame))
                await ws.send("ok")
            return
        members.add(ws)
        try:
            await ws.send(json.dumps({"type": "ready", "room": hello["room"], "seq": 0}))
            await ws.wait_closed()
        finally:
            members.discard(ws)

    async with ws_serve(handler, "127.0.0.1", port):
        await asyncio.Future()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bidders", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        raise_fd_limit()
        asyncio.run(bare_server(args.bare))
        return
    if args.serve:
        import logging

        from app.factory import create_app
        from app.launcher import serve_all

        logging.getLogger("waitress").setLevel(logging.ERROR)
        instance, web, rooms = args.serve
        raise_fd_limit()
        app = create_app(overrides(Path(instance), ROOMS_PORT=int(rooms)))
        serve_all(app, port=int(web), threads=16, with_scheduler=False)
        return
    with tempfile.TemporaryDirectory(prefix="tenderhall-market-bench-") as tmp:
        prices = run_ours(args, Path(tmp))
        run_bare(args, Path(tmp), prices)


if __name__ == "__main__":
    main()
