"""Benchmark: verifiable expert draw vs a plain ORDER BY random() over the same pool.

    python bench/expert_draw.py [--experts 100000] [--avoided 200] [--runs 7]
        [--postgresql-url postgresql://postgres@127.0.0.1:5432/th_bench] [--no-sqlite]
        [--profile]

Builds a pool (bulk inserts: experts, secondary specialties, past employers and declared
relationships, some of them to the avoided enterprises), then per run: request a draw for
4 groups-worth of seats with the avoided enterprises, commit and execute it (timed: the
draw), reveal it and re-check the exported record (timed: the verification), and time a
plain `SELECT id … ORDER BY random() LIMIT n` per group over the same pool. Prints, per
backend, medians of the runs:

    expert_draw_<backend>_ms: N       expert_verify_<backend>_ms: N
    order_by_random_<backend>_ms: N   expert_draw_<backend>_ratio: N (draw / random)

SQLite runs on a temporary file; PostgreSQL (when --postgresql-url is given) on that
database, whose tables are dropped and recreated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _world import parties, project_lot  # noqa: E402  (bench/ is the script's own folder)

os.environ.setdefault("TENDERHALL_ENV", "testing")

SPECIALTIES = (
    "A08.01.01.01",
    "A08.02.01.01",
    "A09.01.01.01",
    "B01.01.01.01",
    "C01.01.01.01",
)
GROUPS = [
    {"specialty": "A08", "count": 5, "reserves": 2},
    {"specialty": "A09", "count": 2, "reserves": 2},
]
CHUNK = 5000


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from app.core.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def build(experts: int, n_avoided: int) -> dict[str, Any]:
    """A centre, a lot and its parties, and a pool of ``experts`` built with bulk inserts."""
    from sqlalchemy import select

    from app.core import clock
    from app.core.auth import credit_code
    from app.core.auth.models import Role
    from app.core.extensions import db
    from bidding.models import EvalMethod
    from experts.models import (
        Employment,
        Expert,
        ExpertSpecialty,
        ExpertStatus,
        Relation,
        RelationKind,
    )
    from experts.pool import seed_specialties

    now = clock.now()
    seed_specialties()
    p = parties(now)
    centre = p.centre
    staff = p.user(Role.STAFF, "bench-staff", p.agency)
    db.session.flush()
    lot = project_lot(
        p, staff, budget=Decimal("1000000"), evaluation_method=EvalMethod.COMPREHENSIVE
    )
    avoided = [credit_code.complete(f"91150000{100 + i:09d}") for i in range(n_avoided)]
    others = [credit_code.complete(f"91150000{900000 + i:09d}") for i in range(500)]
    _bulk(
        Expert,
        [
            {
                "centre_id": centre.id,
                "name": f"专家{i}",
                "id_card_hash": f"{i:064d}",
                "id_card_tail": "",
                "phone": "",
                "email": "",
                "region": "",
                "title": "",
                "main_specialty_code": SPECIALTIES[i % 5],
                # 2% work for an avoided enterprise, the rest for someone else.
                "employer_code": avoided[i % n_avoided] if i % 50 == 0 else others[i % 500],
                "employer_name": "",
                "status": ExpertStatus.SUSPENDED if i % 97 == 0 else ExpertStatus.ACTIVE,
                "status_reason": "",
                "created_at": now,
                "version": 1,
            }
            for i in range(experts)
        ],
    )
    ids = list(db.session.execute(select(Expert.id).order_by(Expert.id)).scalars())
    # Every 7th expert also holds a secondary specialty; every 40th left an avoided
    # enterprise two years ago; every 60th declared a relationship to one.
    _bulk(
        ExpertSpecialty,
        [
            {"expert_id": e, "specialty_code": SPECIALTIES[(n + 2) % 5]}
            for n, e in enumerate(ids)
            if n % 7 == 0
        ],
    )
    _bulk(
        Employment,
        [
            {
                "expert_id": e,
                "credit_code": avoided[n % n_avoided] if n % 40 == 0 else others[n % 500],
                "name": "",
                "start_date": dt.date(2018, 1, 1),
                "end_date": dt.date(2024, 6, 30),
            }
            for n, e in enumerate(ids)
            if n % 10 == 0
        ],
    )
    _bulk(
        Relation,
        [
            {
                "expert_id": e,
                "credit_code": avoided[n % n_avoided],
                "kind": RelationKind.SHAREHOLDER,
                "note": "",
                "declared_at": now,
            }
            for n, e in enumerate(ids)
            if n % 60 == 0
        ],
    )
    db.session.commit()
    return {
        "centre_id": centre.id,
        "lot_id": lot.id,
        "staff_id": staff.id,
        "avoided": [{"credit_code": c, "reason": 9} for c in avoided],
    }


def run_backend(url: str, args: argparse.Namespace, tmp: str) -> dict[str, float]:
    from sqlalchemy import text

    from app.core import clock
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.factory import create_app
    from bidding.models import Lot
    from experts import draw as pure
    from experts import draw_record, draws
    from experts.models import Draw, DrawStatus

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "EXPERT_SMS_LOG_PATH": os.devnull})
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
        clock.set_now(now)
        t0 = time.perf_counter()
        world = build(args.experts, args.avoided)
        built = time.perf_counter() - t0
        # A live pool has statistics; a freshly loaded one needs them for good plans.
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"# {db.engine.dialect.name}: pool built in {built:.1f} s", file=sys.stderr)
        lot = db.session.get(Lot, world["lot_id"])
        staff = db.session.get(User, world["staff_id"])
        evaluation_at = now + dt.timedelta(hours=12)
        draw_ms: list[float] = []
        draw_cpu_ms: list[float] = []
        verify_ms: list[float] = []
        plain_ms: list[float] = []
        for _ in range(args.runs):
            item = draws.request_draw(
                lot,
                staff,
                {
                    "evaluation_at": evaluation_at,
                    "venue": "一号室",
                    "purchaser_reps": 2,
                    "groups": GROUPS,
                    "avoided": world["avoided"],
                },
            )
            db.session.commit()
            profiler = None
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            t0, c0 = time.perf_counter(), time.process_time()
            draws.commit_draw(item, staff)
            db.session.commit()
            draws.execute_draw(item, staff)
            db.session.commit()
            draw_ms.append((time.perf_counter() - t0) * 1000)
            draw_cpu_ms.append((time.process_time() - c0) * 1000)
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
            clock.set_now(evaluation_at + dt.timedelta(minutes=1))
            draws.reveal_draw(item, staff)
            db.session.commit()
            record = draw_record.export_record(item)
            t0 = time.perf_counter()
            ok = all(passed for _n, passed in pure.verify_record(record))
            verify_ms.append((time.perf_counter() - t0) * 1000)
            assert ok, "verification failed"
            clock.set_now(now)
            # The lot may be drawn again in the next run once this draw is out of the way.
            item.status = DrawStatus.CANCELLED
            db.session.commit()
            t0 = time.perf_counter()
            for group in GROUPS:
                db.session.execute(
                    text(
                        "SELECT id FROM expert WHERE centre_id = :c AND status = 'active' AND "
                        "main_specialty_code LIKE :s ORDER BY random() LIMIT :n"
                    ),
                    {
                        "c": world["centre_id"],
                        "s": group["specialty"] + ".%",
                        "n": group["count"] + group["reserves"],
                    },
                ).all()
            db.session.rollback()
            plain_ms.append((time.perf_counter() - t0) * 1000)
        assert db.session.query(Draw).count() == args.runs
        db.session.remove()
        db.engine.dispose()
    d, c, v, p = (statistics.median(x) for x in (draw_ms, draw_cpu_ms, verify_ms, plain_ms))
    return {"draw": d, "draw_cpu": c, "verify": v, "random": p}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--avoided", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgresql-url", default=os.environ.get("TENDERHALL_BENCH_PG_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="pyinstrument each draw (dev)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="th-bench-")
    backends: list[tuple[str, str]] = []
    if not args.no_sqlite:
        backends.append(("sqlite", f"sqlite:///{tmp}/bench.db"))
    if args.postgresql_url:
        backends.append(("postgresql", args.postgresql_url))
    print(f"expert_pool_size: {args.experts} experts")
    print(f"expert_avoided_enterprises: {args.avoided} enterprises")
    for name, url in backends:
        r = run_backend(url, args, tmp)
        print(f"expert_draw_{name}_ms: {r['draw']:.1f}")
        # CPU time of this process only (the database server's work is not in it): a
        # steadier figure than wall time on a busy machine.
        print(f"expert_draw_{name}_client_cpu_ms: {r['draw_cpu']:.1f}")
        print(f"expert_verify_{name}_ms: {r['verify']:.1f}")
        print(f"order_by_random_{name}_ms: {r['random']:.1f}")
        print(f"expert_draw_{name}_ratio: {r['draw'] / r['random']:.2f}")
        print(f"expert_verify_{name}_ratio: {r['verify'] / r['random']:.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
