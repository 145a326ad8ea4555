"""Benchmark: verifiable expert draw vs a plain ORDER BY random() over the same pool.

    python bench/expert_draw.py [--experts 100000] [--avoided 200] [--runs 7]
        [--database-url postgresql://postgres@127.0.0.1:5432/th_bench]

Prints `name: value unit` lines and `*_ratio:` lines (draw time / plain random select).
Without --database-url it runs on a temporary SQLite file.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TENDERHALL_ENV", "testing")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--avoided", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true", help="pyinstrument one draw (dev)")
    args = parser.parse_args()

    from sqlalchemy import insert, text

    from app import clock
    from app.auth import credit_code
    from app.auth.models import Centre, Organisation, OrgKind, Role, User
    from app.extensions import db
    from app.factory import create_app
    from bidding.models import EvalMethod, Lot, Method, Project
    from experts import draw as pure
    from experts import draw_services as ds
    from experts.models import Draw, DrawStatus, Expert, ExpertStatus
    from experts.services import seed_specialties

    tmp = tempfile.mkdtemp(prefix="th-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "EXPERT_SMS_LOG_PATH": os.devnull})
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
        clock.set_now(now)
        seed_specialties()
        centre = Centre(code="150900", name="基准中心", region="测试", settings={}, created_at=now)
        db.session.add(centre)
        db.session.flush()

        def org(kind: OrgKind, n: int) -> Organisation:
            o = Organisation(
                kind=kind,
                name=f"{kind.value}{n}",
                credit_code=credit_code.complete(f"91150000{n:09d}"),
                centre_id=centre.id,
                created_at=now,
            )
            db.session.add(o)
            return o

        agency, purchaser = org(OrgKind.AGENCY, 1), org(OrgKind.PURCHASER, 2)
        db.session.flush()
        staff = User(
            username="bench-staff",
            display_name="bench",
            password_hash="!",
            role=Role.STAFF,
            organisation_id=agency.id,
            centre_id=centre.id,
            created_at=now,
        )
        db.session.add(staff)
        db.session.flush()
        project = Project(
            code="B-1",
            trade_id="B-1",
            name="基准项目",
            centre_id=centre.id,
            purchaser_id=purchaser.id,
            agency_id=agency.id,
            method=Method.OPEN,
            category_code="A08",
            created_by_id=staff.id,
            created_at=now,
        )
        db.session.add(project)
        db.session.flush()
        lot = Lot(
            project_id=project.id,
            seq=1,
            code="B-1-1",
            name="基准标段",
            category_code="A08",
            budget=Decimal("1000000"),
            evaluation_method=EvalMethod.COMPREHENSIVE,
        )
        db.session.add(lot)
        db.session.flush()
        avoided_codes = [
            credit_code.complete(f"91150000{100 + i:09d}") for i in range(args.avoided)
        ]
        specialties = [
            "A08.01.01.01",
            "A08.02.01.01",
            "A09.01.01.01",
            "B01.01.01.01",
            "C01.01.01.01",
        ]
        rows = [
            {
                "centre_id": centre.id,
                "name": f"专家{i}",
                "id_card_hash": f"{i:064d}",
                "id_card_tail": "",
                "phone": "",
                "email": "",
                "region": "",
                "title": "",
                "main_specialty_code": specialties[i % 5],
                "employer_code": avoided_codes[i % args.avoided] if i % 50 == 0 else "",
                "employer_name": "",
                "status": ExpertStatus.SUSPENDED if i % 97 == 0 else ExpertStatus.ACTIVE,
                "status_reason": "",
                "created_at": now,
                "version": 1,
            }
            for i in range(args.experts)
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Expert), rows[start : start + 5000])
        db.session.commit()
        evaluation_at = now + dt.timedelta(hours=12)
        groups = [
            {"specialty": "A08", "count": 5, "reserves": 2},
            {"specialty": "A09", "count": 2, "reserves": 2},
        ]
        avoided = [{"credit_code": c, "reason": 9} for c in avoided_codes]

        draw_ms, verify_ms, plain_ms = [], [], []
        for _ in range(args.runs):
            item = ds.request_draw(
                lot,
                staff,
                {
                    "evaluation_at": evaluation_at,
                    "venue": "一号室",
                    "purchaser_reps": 2,
                    "groups": groups,
                    "avoided": avoided,
                },
            )
            db.session.commit()
            profiler = None
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            t0 = time.perf_counter()
            ds.commit_draw(item, staff)
            db.session.commit()
            ds.execute_draw(item, staff)
            db.session.commit()
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
            draw_ms.append((time.perf_counter() - t0) * 1000)
            clock.set_now(evaluation_at + dt.timedelta(minutes=1))
            ds.reveal_draw(item, staff)
            db.session.commit()
            record = ds.export_record(item)
            t0 = time.perf_counter()
            ok = all(passed for _n, passed in pure.verify_record(record))
            verify_ms.append((time.perf_counter() - t0) * 1000)
            assert ok, "verification failed"
            clock.set_now(now)
            # Next run: the lot may be drawn again once this one is cancelled-equivalent.
            item.status = DrawStatus.CANCELLED
            db.session.commit()
            t0 = time.perf_counter()
            for code, count in (("A08.%", 7), ("A09.%", 4)):
                db.session.execute(
                    text(
                        "SELECT id FROM expert WHERE centre_id = :c AND status = 'active' AND "
                        "main_specialty_code LIKE :s ORDER BY random() LIMIT :n"
                    ),
                    {"c": centre.id, "s": code, "n": count},
                ).all()
            plain_ms.append((time.perf_counter() - t0) * 1000)
        draws = db.session.query(Draw).count()
        assert draws == args.runs
        d, v, p = (statistics.median(x) for x in (draw_ms, verify_ms, plain_ms))
        print(f"{backend}_pool_size: {args.experts} experts")
        print(f"{backend}_avoided_enterprises: {args.avoided} enterprises")
        print(f"{backend}_draw_median: {d:.1f} ms")
        print(f"{backend}_verify_median: {v:.1f} ms")
        print(f"{backend}_order_by_random_median: {p:.1f} ms")
        print(f"{backend}_draw_vs_random_ratio: {d / p:.2f}")
        print(f"{backend}_verify_vs_random_ratio: {v / p:.2f}")


if __name__ == "__main__":
    main()
