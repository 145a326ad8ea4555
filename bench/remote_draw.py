"""Benchmark: the draw of a remote lot over two centres' pools vs ORDER BY random().

    python bench/remote_draw.py [--experts 50000] [--runs 5]
        [--postgresql-url postgresql://postgres@127.0.0.1:5432/th_bench] [--no-sqlite]

Two pools of ``--experts`` each (the main centre's, built as bench/expert_draw.py builds
its pool, and a second centre that shares its A08/A09 experts, experts/sharing.py); per
run one verifiable draw (commit + execute, timed) with each venue's groups drawn from the
pool serving it, avoidance as usual, and a plain `ORDER BY random() LIMIT n` per group
over the same two pools. Prints medians:

    remote_draw_<backend>_ms: N   order_by_random_<backend>_ms: N   remote_draw_<backend>_ratio: N
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TENDERHALL_ENV", "testing")

from expert_draw import SPECIALTIES, _bulk, build  # noqa: E402  (bench/ is the script's folder)


def second_pool(experts: int, now: dt.datetime, staff_id: int) -> int:
    from app.core.auth.models import Centre
    from app.core.extensions import db
    from experts.models import Expert, ExpertStatus, PoolShare

    centre = Centre(
        code="510700",
        name="绵阳市公共资源交易中心",
        name_en="Mianyang",
        region="绵阳市",
        settings={},
        created_at=now,
    )
    db.session.add(centre)
    db.session.flush()
    _bulk(
        Expert,
        [
            {
                "centre_id": centre.id,
                "name": f"副场专家{i}",
                "id_card_hash": f"b{i:063d}",
                "id_card_tail": "",
                "phone": "",
                "email": "",
                "region": "",
                "title": "",
                "main_specialty_code": SPECIALTIES[i % 5],
                "employer_code": f"91510700{i % 500:09d}X",
                "employer_name": "",
                "status": ExpertStatus.ACTIVE,
                "status_reason": "",
                "created_at": now,
                "version": 1,
            }
            for i in range(experts)
        ],
    )
    db.session.add(
        PoolShare(
            centre_id=centre.id,
            specialties=["A08", "A09"],
            fee_half_day="400.00",
            pay_higher=False,
            updated_by_id=staff_id,
            updated_at=now,
        )
    )
    db.session.commit()
    return centre.id


def run_backend(url: str, args: argparse.Namespace, tmp: str) -> dict[str, float]:
    from sqlalchemy import text

    from app.core import clock
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.factory import create_app
    from bidding.models import Lot
    from experts import draws
    from experts.models import DrawStatus

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "EXPERT_SMS_LOG_PATH": os.devnull})
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
        clock.set_now(now)
        world = build(args.experts, 200)
        second = second_pool(args.experts, now, world["staff_id"])
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        main = world["centre_id"]
        groups = [
            {"specialty": "A08", "count": 3, "reserves": 2, "centre_id": main},
            {"specialty": "A09", "count": 1, "reserves": 2, "centre_id": main},
            {"specialty": "A08", "count": 2, "reserves": 2, "centre_id": second},
            {"specialty": "A09", "count": 1, "reserves": 2, "centre_id": second},
        ]
        lot = db.session.get(Lot, world["lot_id"])
        staff = db.session.get(User, world["staff_id"])
        draw_ms: list[float] = []
        plain_ms: list[float] = []
        for _ in range(args.runs):
            item = draws.request_draw(
                lot,
                staff,
                {
                    "evaluation_at": now + dt.timedelta(hours=12),
                    "venue": "主场一号室；副场远程评标室",
                    "purchaser_reps": 2,
                    "pool_centre_ids": [main, second],
                    "groups": groups,
                    "avoided": world["avoided"],
                },
            )
            db.session.commit()
            t0 = time.perf_counter()
            draws.commit_draw(item, staff)
            db.session.commit()
            draws.execute_draw(item, staff)
            db.session.commit()
            draw_ms.append((time.perf_counter() - t0) * 1000)
            item.status = DrawStatus.CANCELLED  # out of the way of the next run
            db.session.commit()
            t0 = time.perf_counter()
            for g in groups:
                db.session.execute(
                    text(
                        "SELECT id FROM expert WHERE centre_id = :c AND status = 'active' AND "
                        "main_specialty_code LIKE :s ORDER BY random() LIMIT :n"
                    ),
                    {
                        "c": g["centre_id"],
                        "s": g["specialty"] + ".%",
                        "n": g["count"] + g["reserves"],
                    },
                ).all()
            db.session.rollback()
            plain_ms.append((time.perf_counter() - t0) * 1000)
        db.session.remove()
        db.engine.dispose()
    return {"draw": statistics.median(draw_ms), "random": statistics.median(plain_ms)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql-url", default=os.environ.get("TENDERHALL_BENCH_PG_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="th-bench-")
    backends: list[tuple[str, str]] = []
    if not args.no_sqlite:
        backends.append(("sqlite", f"sqlite:///{tmp}/bench.db"))
    if args.postgresql_url:
        backends.append(("postgresql", args.postgresql_url))
    print(f"remote_draw_pools: 2 x {args.experts} experts")
    for name, url in backends:
        r = run_backend(url, args, tmp)
        print(f"remote_draw_{name}_ms: {r['draw']:.1f}")
        print(f"order_by_random_{name}_ms: {r['random']:.1f}")
        print(f"remote_draw_{name}_ratio: {r['draw'] / r['random']:.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
