"""Portal list benchmark: the public announcement list against /healthz of the same app.

Builds a fresh SQLite database in a temporary directory with 10,000 published
announcements (and their search index), serves the real app with waitress in a
subprocess on 127.0.0.1, drives it with 32 keep-alive client threads for several rounds
and prints the medians:

    portal_list_rps: N req/s      portal_list_p99: N ms
    healthz_rps: N req/s          healthz_p99: N ms
    portal_list_rps_ratio: 0.xx   portal_list_p99_ratio: N.xx

Run: .venv/bin/python bench/portal_list.py [--rounds 3] [--seconds 4]
        [--database-url postgresql://postgres@127.0.0.1:5432/DB] [--redis-url redis://…/N]
        [--server gunicorn --workers 4 --threads 8]

With --database-url the announcements go to that database instead (its tables are dropped
and recreated); --redis-url gives the app its Redis (broker, rate limits); --server gunicorn
serves it as at scale (`gunicorn wsgi:app`: gthread workers, each with its own app), and
/healthz is measured on the same server in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _serve import free_port, run_gunicorn, wait_ready  # noqa: E402  (bench/ is the script's own folder)

ANNOUNCEMENTS = 10_000
CLIENTS = 32
SERVER_THREADS = 8

PLACES = [
    "集宁区",
    "察右前旗",
    "丰镇市",
    "卓资县",
    "化德县",
    "商都县",
    "兴和县",
    "凉城县",
    "四子王旗",
]
SUBJECTS = [
    ("A08", "道路改造施工"),
    ("A08", "学校教学楼新建工程施工"),
    ("A05", "污水处理厂提标改造工程"),
    ("A02", "老旧小区综合整治工程"),
    ("B01", "人民医院医疗设备采购"),
    ("B02", "信息化系统建设及设备采购"),
    ("B03", "办公家具采购"),
    ("B05", "教学设备采购"),
    ("C01", "物业管理服务"),
    ("C02", "工程监理服务"),
    ("C04", "财务审计服务"),
    ("C06", "城市保洁及垃圾清运服务"),
]
KINDS = [
    ("tender", "招标公告", 5),
    ("clarification", "澄清公告", 1),
    ("candidates", "中标候选人公示", 1),
    ("result", "中标结果公告", 2),
    ("intent", "采购意向公告", 1),
]
METHODS = ["open", "open", "open", "consultation", "inquiry", "negotiation"]
LIST_PATHS = [
    "/announcements",
    "/announcements",
    "/announcements?kind=tender",
    "/announcements?q=" + urllib.parse.quote("施工"),
    "/announcements?q=" + urllib.parse.quote("医疗") + "&kind=tender",
    "/announcements?category=C&status=open",
    "/announcements?page=7",
]


def build_database(instance: Path, database_url: str | None = None) -> None:
    """Bulk-insert centres, organisations, projects, lots and published announcements."""
    os.environ["TENDERHALL_ENV"] = "development"
    from sqlalchemy import insert

    from app.core.auth.models import Centre, Organisation, User
    from app.core.extensions import db
    from app.core.search import SearchTerm, terms
    from app.factory import create_app
    from bidding.models import Announcement, Lot, Project

    app = create_app(_overrides(instance, database_url))
    rnd = random.Random(20260301)
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with app.app_context():
        if database_url:
            db.drop_all()
        db.create_all()
        db.session.execute(
            insert(Centre),
            [
                {
                    "id": i,
                    "code": f"15{i:02d}00",
                    "name": f"第{i}交易中心",
                    "name_en": "",
                    "region": f"第{i}地区",
                    "settings": {},
                    "created_at": now,
                }
                for i in range(1, 6)
            ],
        )
        db.session.execute(
            insert(Organisation),
            [
                {
                    "id": i,
                    "kind": "purchaser" if i % 2 else "agency",
                    "name": f"{PLACES[i % len(PLACES)]}{'采购单位' if i % 2 else '招标代理有限公司'}{i}",
                    "credit_code": None,
                    "centre_id": 1 + i % 5,
                    "region": "",
                    "contact_name": "",
                    "contact_phone": "",
                    "address": "",
                    "legal_rep": "",
                    "created_at": now,
                }
                for i in range(1, 41)
            ],
        )
        db.session.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "username": "bench",
                    "display_name": "bench",
                    "email": "",
                    "phone": "",
                    "password_hash": "x",
                    "role": "staff",
                    "created_at": now,
                    "session_epoch": 0,
                    "is_active": True,
                    "totp_enabled": False,
                    "failed_logins": 0,
                    "locale": "zh_CN",
                }
            ],
        )
        projects, lots, anns, index_rows = [], [], [], []
        statuses = ["published", "published", "closed", "evaluating", "awarded", "terminated"]
        n_projects = ANNOUNCEMENTS // 2
        for pid in range(1, n_projects + 1):
            code, subject = rnd.choice(SUBJECTS)
            place = rnd.choice(PLACES)
            centre = 1 + pid % 5
            projects.append(
                {
                    "id": pid,
                    "code": f"XM{pid:06d}",
                    "trade_id": f"T1500{pid:07d}",
                    "name": f"{place}{subject}项目",
                    "centre_id": centre,
                    "purchaser_id": 1 + 2 * (pid % 20),
                    "agency_id": 2 + 2 * (pid % 20),
                    "method": rnd.choice(METHODS),
                    "category_code": code,
                    "description": "",
                    "funding_source": "财政资金",
                    "contact_name": "",
                    "contact_phone": "",
                    "created_by_id": 1,
                    "created_at": now,
                    "version": 1,
                }
            )
            deadline = now + dt.timedelta(days=rnd.randint(-60, 40))
            lots.append(
                {
                    "id": pid,
                    "project_id": pid,
                    "seq": 1,
                    "code": f"XM{pid:06d}-01",
                    "name": f"{place}{subject}",
                    "category_code": code,
                    "budget": Decimal(rnd.randint(10_000, 5_000_000)),
                    "ceiling_price": None,
                    "bid_bond": Decimal(0),
                    "evaluation_method": "comprehensive",
                    "committee_size": 5,
                    "validity_days": 90,
                    "status": rnd.choice(statuses),
                    "doc_start_at": deadline - dt.timedelta(days=25),
                    "doc_end_at": deadline - dt.timedelta(days=18),
                    "bid_deadline": deadline,
                    "opening_place": "开标一室",
                    "price_form_fields": [],
                    "max_bid_bytes": 1,
                    "status_reason": "",
                    "version": 1,
                }
            )
        weights = [w for _k, _t, w in KINDS]
        for aid in range(1, ANNOUNCEMENTS + 1):
            project = projects[rnd.randrange(n_projects)]
            kind, word, _w = rnd.choices(KINDS, weights=weights)[0]
            title = f"{project['name']}{word}"
            body = f"{project['name']}已具备采购条件，现对该项目进行{word.removesuffix('公告')}。"
            anns.append(
                {
                    "id": aid,
                    "project_id": project["id"],
                    "lot_id": project["id"],
                    "kind": kind,
                    "title": title,
                    "body": body,
                    "fields": {},
                    "centre_id": project["centre_id"],
                    "method": project["method"],
                    "category_code": project["category_code"],
                    "published_at": now - dt.timedelta(minutes=rnd.randint(0, 400_000)),
                    "supersedes_id": None,
                    "created_by_id": 1,
                    "created_at": now,
                }
            )
            index_rows.extend(
                {"kind": "announcement", "term": t, "doc_id": aid} for t in terms(title + body)
            )
        db.session.execute(insert(Project), projects)
        db.session.execute(insert(Lot), lots)
        db.session.execute(insert(Announcement), anns)
        for i in range(0, len(index_rows), 50_000):
            db.session.execute(insert(SearchTerm), index_rows[i : i + 50_000])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def _overrides(
    instance: Path, database_url: str | None = None, redis_url: str | None = None
) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'bench.db'}",
        "INSTANCE_PATH": str(instance),
        "REDIS_URL": redis_url,
        "SCHEDULER_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }


def serve(instance: Path, port: int, args: argparse.Namespace) -> None:
    os.environ["TENDERHALL_ENV"] = "development"
    import logging

    import waitress

    from app.factory import create_app

    overrides = _overrides(instance, args.database_url, args.redis_url)
    if args.server == "gunicorn":
        run_gunicorn(
            lambda: create_app(overrides),
            host="127.0.0.1",
            port=port,
            workers=args.workers,
            threads=args.threads,
        )
        return
    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = create_app(overrides)
    waitress.serve(
        app,
        host="127.0.0.1",
        port=port,
        threads=args.threads,
        connection_limit=256,
        channel_timeout=30,
        _quiet=True,
    )


def drive(port: int, paths: list[str], seconds: float) -> tuple[float, float, int]:
    """32 keep-alive clients for `seconds`; returns (req/s, p99 ms, errors)."""
    stop = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0] * CLIENTS
    start_gate = threading.Barrier(CLIENTS + 1)

    def client(n: int) -> None:
        rnd = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_gate.wait()
        while time.perf_counter() < stop:
            path = rnd.choice(paths)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[n] += 1
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[n].append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - began
    flat = sorted(x for per in latencies for x in per)
    if not flat:
        return 0.0, float("inf"), sum(errors)
    p99 = flat[min(len(flat) - 1, int(len(flat) * 0.99))] * 1000
    return len(flat) / elapsed, p99, sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="per figure per round")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="per worker")
    parser.add_argument("--serve", nargs=2, metavar=("INSTANCE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), args)
        return

    with tempfile.TemporaryDirectory(prefix="th-bench-") as tmp:
        instance = Path(tmp)
        t0 = time.perf_counter()
        build_database(instance, args.database_url)
        where = "PostgreSQL" if args.database_url else "SQLite"
        how = f"{args.server}, " + (
            f"{args.workers} workers × " if args.server == "gunicorn" else ""
        )
        print(
            f"# built {ANNOUNCEMENTS} announcements in {time.perf_counter() - t0:.1f}s "
            f"({where}{', Redis' if args.redis_url else ''}; {how}{args.threads} threads)",
            flush=True,
        )
        port = free_port()
        env = {**os.environ, "TENDERHALL_ENV": "development", "PYTHONPATH": str(ROOT)}
        env = {
            k: v for k, v in env.items() if not k.startswith("TENDERHALL_") or k == "TENDERHALL_ENV"
        }
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", str(instance), str(port)]
        cmd += ["--server", args.server, "--workers", str(args.workers)]
        cmd += ["--threads", str(args.threads)]
        if args.database_url:
            cmd += ["--database-url", args.database_url]
        if args.redis_url:
            cmd += ["--redis-url", args.redis_url]
        proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT))
        try:
            wait_ready(port, proc)
            # Warm both code paths (template compile, connection pool) before measuring.
            drive(port, LIST_PATHS, 1.0)
            drive(port, ["/healthz"], 0.5)
            figures: dict[str, list[float]] = {k: [] for k in ("lr", "lp", "hr", "hp")}
            errors = 0
            for n in range(args.rounds):
                lr, lp, e1 = drive(port, LIST_PATHS, args.seconds)
                hr, hp, e2 = drive(port, ["/healthz"], args.seconds)
                errors += e1 + e2
                for key, val in zip(("lr", "lp", "hr", "hp"), (lr, lp, hr, hp), strict=True):
                    figures[key].append(val)
                print(
                    f"# round {n + 1}: list {lr:.0f} req/s p99 {lp:.1f} ms; "
                    f"healthz {hr:.0f} req/s p99 {hp:.1f} ms",
                    flush=True,
                )
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"portal_list_rps: {med['lr']:.0f} req/s")
    print(f"portal_list_p99: {med['lp']:.1f} ms")
    print(f"healthz_rps: {med['hr']:.0f} req/s")
    print(f"healthz_p99: {med['hp']:.1f} ms")
    print(f"portal_list_rps_ratio: {med['lr'] / med['hr']:.2f}")
    print(f"portal_list_p99_ratio: {med['lp'] / med['hp']:.2f}")
    if errors:
        print(f"# errors: {errors}")


if __name__ == "__main__":
    main()
