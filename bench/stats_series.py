"""Benchmark: every statistics series over many lots, against one bare aggregate scan.

    python bench/stats_series.py [--lots 10000] [--runs 5]
        [--postgresql-url postgresql://postgres@127.0.0.1:5432/th_bench] [--no-sqlite]

Builds (bulk inserts) one centre with ``lots`` lots over the last year, five bids on
each, results for four in five and contracts for most of those, then per run times the
whole statistics page's data (every series of `app.supervision.statistics.series.SERIES`,
queries and charts, wide and narrow) and, as the baseline, one bare
`SELECT count(*), sum(budget) FROM lot WHERE bid_deadline …` over the same period.
Prints, per backend, medians of the runs:

    statistics_all_<backend>_ms: N    statistics_<series>_<backend>_ms: N
    bare_scan_<backend>_ms: N         statistics_<backend>_ratio: N (all / bare)
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _world import parties  # noqa: E402  (bench/ is the script's own folder)

os.environ.setdefault("TENDERHALL_ENV", "testing")
CHUNK = 5000
BIDS_PER_LOT = 5


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from app.core.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def build(n_lots: int, now: dt.datetime) -> int:
    from decimal import Decimal

    from sqlalchemy import select

    from app.core.auth.models import OrgKind, Role
    from app.core.extensions import db
    from bidding.bids.models import Bid, BidStatus
    from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
    from bidding.results.models import Contract, LotResult

    p = parties(now)
    staff = p.user(Role.STAFF, "bench-staff", p.agency)
    suppliers = [p.org(OrgKind.SUPPLIER, 100 + i) for i in range(40)]
    db.session.flush()
    _bulk(
        Project,
        [
            {
                "code": f"B-{i}",
                "trade_id": f"BT-{i}",
                "name": f"基准项目{i}",
                "centre_id": p.centre.id,
                "purchaser_id": p.purchaser.id,
                "agency_id": p.agency.id,
                "method": Method.OPEN,
                "category_code": "A02",
                "description": "",
                "funding_source": "",
                "contact_name": "",
                "contact_phone": "",
                "created_by_id": staff.id,
                "created_at": now,
                "version": 1,
            }
            for i in range(n_lots)
        ],
    )
    projects = list(db.session.execute(select(Project.id).order_by(Project.id)).scalars())

    def deadline(i: int) -> dt.datetime:
        return now - dt.timedelta(days=5 + (i * 360) / n_lots, hours=i % 7)

    _bulk(
        Lot,
        [
            {
                "project_id": pid,
                "seq": 1,
                "code": f"B-{i}-01",
                "name": "基准标段",
                "category_code": "A02",
                "budget": Decimal(100000 + (i % 97) * 1000),
                "bid_bond": Decimal(0),
                "evaluation_method": EvalMethod.LOWEST_PRICE,
                "committee_size": 5,
                "validity_days": 90,
                "status": LotStatus.FAILED if i % 5 == 0 else LotStatus.AWARDED,
                "doc_start_at": deadline(i) - dt.timedelta(days=21),
                "bid_deadline": deadline(i),
                "opening_place": "",
                "price_form_fields": [],
                "max_bid_bytes": 1,
                "status_reason": "",
                "version": 1,
            }
            for i, pid in enumerate(projects)
        ],
    )
    lots = list(db.session.execute(select(Lot.id).order_by(Lot.id)).scalars())
    _bulk(
        Bid,
        [
            {
                "lot_id": lot,
                "supplier_id": suppliers[(i + k) % len(suppliers)].id,
                "version": 1,
                "status": BidStatus.DECRYPTED,
                "ciphertext_sha256": "0" * 64,
                "size": 1,
                "received_at": deadline(i) - dt.timedelta(days=1),
                "submitted_by_id": staff.id,
                "ip": "",
                "user_agent": "",
                "device_fingerprint": "",
                "failure_reason": "",
            }
            for i, lot in enumerate(lots)
            for k in range(BIDS_PER_LOT if i % 5 else 2)
        ],
    )
    awarded = [(i, lot) for i, lot in enumerate(lots) if i % 5]
    _bulk(
        LotResult,
        [
            {
                "lot_id": lot,
                "source": "bench",
                "report_sha256": "1" * 64,
                "report_at": deadline(i) + dt.timedelta(days=2),
                "flagged": [],
                "candidates": [],
                "rejected": [],
                "publish_by": deadline(i) + dt.timedelta(days=4),
                "publicity_start": deadline(i) + dt.timedelta(days=3 + i % 3),
                "awarded_at": deadline(i) + dt.timedelta(days=8),
                "winner_supplier_id": suppliers[i % len(suppliers)].id,
                "award_price": Decimal(90000 + (i % 97) * 900),
                "passed_over": [],
                "contract_due": deadline(i) + dt.timedelta(days=38),
                "created_at": deadline(i) + dt.timedelta(days=2),
                "version": 1,
            }
            for i, lot in awarded
        ],
    )
    _bulk(
        Contract,
        [
            {
                "lot_id": lot,
                "number": f"HT-{i}",
                "supplier_id": suppliers[i % len(suppliers)].id,
                "price": Decimal(90000),
                "signed_on": (deadline(i) + dt.timedelta(days=20)).date(),
                "reason": "",
                "filename": "c.pdf",
                "sha256": "2" * 64,
                "size": 1,
                "filed_by_id": staff.id,
                "filed_at": deadline(i) + dt.timedelta(days=20 + i % 25),
            }
            for i, lot in awarded
            if i % 7
        ],
    )
    _plan_lines(p, staff, lots, deadline)
    db.session.commit()
    return p.centre.id


def _plan_lines(p: Any, staff: Any, lots: list[int], deadline: Any) -> None:
    """One approved plan line behind each lot, drawn by its budget; each failed lot (every
    fifth) gave its budget back, for the plan-use series."""
    from decimal import Decimal

    from sqlalchemy import select

    from app.core.extensions import db
    from bidding.models import Method
    from bidding.plans.models import PlanLine, PlanReturn, PlanStatus, ReturnCause

    def budget(i: int) -> Decimal:
        return Decimal(100000 + (i % 97) * 1000)

    _bulk(
        PlanLine,
        [
            {
                "code": f"JH-B-{i}",
                "centre_id": p.centre.id,
                "purchaser_id": p.purchaser.id,
                "name": f"基准计划{i}",
                "budget_item_code": "2050203-01",
                "funding_source": "一般公共预算资金",
                "amount": budget(i) + 5000,
                "used": Decimal(0) if i % 5 == 0 else budget(i),
                "category_code": "A02",
                "method": Method.OPEN,
                "method_reason": "",
                "expected_month": "2026-01",
                "status": PlanStatus.APPROVED,
                "return_reason": "",
                "review_note": "",
                "submitted_at": deadline(i) - dt.timedelta(days=60),
                "reviewed_at": deadline(i) - dt.timedelta(days=58),
                "created_by_id": staff.id,
                "created_at": deadline(i) - dt.timedelta(days=60),
                "version": 1,
            }
            for i in range(len(lots))
        ],
    )
    line_ids = list(db.session.execute(select(PlanLine.id).order_by(PlanLine.id)).scalars())
    _bulk(
        PlanReturn,
        [
            {
                "plan_line_id": line_ids[i],
                "lot_id": lot,
                "amount": budget(i),
                "cause": ReturnCause.FAILED,
                "returned_at": deadline(i) + dt.timedelta(days=3),
                "returned_by_id": staff.id,
            }
            for i, lot in enumerate(lots)
            if i % 5 == 0
        ],
    )


def run_backend(name: str, url: str, tmp: str, n_lots: int, runs: int) -> None:
    from sqlalchemy import and_, func, select, text

    from app.core import clock
    from app.core.extensions import db
    from app.factory import create_app
    from app.supervision.statistics import report
    from app.supervision.statistics.period import parse_period
    from bidding.models import Lot

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp})
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        now = clock.now()
        centre_id = build(n_lots, now)
        if name == "postgresql":
            # Freshly bulk-loaded tables have no planner statistics until autovacuum comes
            # by; without them PostgreSQL nests loops over the joins (tens of seconds).
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        period = parse_period(None, None, clock.cst_date(now))
        per_series: dict[str, list[float]] = {s.key: [] for s in report.SERIES}
        totals, bare = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            for s in report.SERIES:
                t = time.perf_counter()
                report.build(period, centre_id, [s.key])
                per_series[s.key].append((time.perf_counter() - t) * 1000)
            totals.append((time.perf_counter() - t0) * 1000)
            t = time.perf_counter()
            db.session.execute(
                select(func.count(Lot.id), func.sum(Lot.budget)).where(
                    and_(Lot.bid_deadline >= period.start_at, Lot.bid_deadline < period.end_at)
                )
            ).one()
            bare.append((time.perf_counter() - t) * 1000)
        total, base = statistics.median(totals), statistics.median(bare)
        print(f"statistics_all_{name}_ms: {total:.1f}")
        for key, values in per_series.items():
            print(f"statistics_{key}_{name}_ms: {statistics.median(values):.1f}")
        print(f"bare_scan_{name}_ms: {base:.1f}")
        print(f"statistics_{name}_ratio: {total / base:.1f}")
        db.session.remove()
        db.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql-url")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", tmp, args.lots, args.runs)
        if args.postgresql_url:
            run_backend("postgresql", args.postgresql_url, tmp, args.lots, args.runs)


if __name__ == "__main__":
    main()
