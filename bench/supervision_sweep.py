"""Benchmark: a full sweep of every supervision rule, the monitoring board and an
incremental check, against the bare SQL each rule needs, in the same run.

    python bench/supervision_sweep.py [--lots 10000] [--bids-per-lot 10] [--audit 1000000]
        [--quick] [--postgresql-url postgresql://postgres@127.0.0.1:5432/th_bench]

Builds (bulk inserts, not measured) lots across every stage, their bids (prices, IPs,
device fingerprints, file hashes; one lot in a hundred collusive), results with contract
deadlines, and an audit log with refused reads of sealed records among its entries. Then:

    supervision_sweep_first_s      the first sweep (it raises the warnings)
    supervision_sweep_s            a sweep that finds the same (median of --rounds)
    supervision_sweep_peak_mb      peak Python memory of one sweep (tracemalloc)
    supervision_bare_sql_s         the single query each rule needs, run bare, summed
    supervision_sweep_ratio        sweep / bare SQL
    supervision_board_ms           the monitoring board page of the centre (median)
    supervision_event_ms           the rules of a "bid submitted" event on one lot (median)

`--quick`: 1,000 lots and 100,000 audit entries. SQLite runs on a temporary file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _world import parties  # noqa: E402  (bench/ is the script's own folder)

os.environ.setdefault("TENDERHALL_ENV", "testing")
CHUNK = 5000
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from app.core.extensions import db

    table = model if hasattr(model, "c") else model.__table__
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])


def build(lots: int, per_lot: int, audit: int) -> dict[str, Any]:
    from app.core.audit.models import AuditEntry, AuditHead
    from app.core.auth.models import OrgKind, Role
    from app.core.extensions import db
    from bidding.actions import SEALED_READ_REFUSED
    from bidding.bids.models import Bid, LotFreeze
    from bidding.models import Lot, LotStatus, Project
    from bidding.results.models import LotResult

    rnd = random.Random(7)
    p = parties(NOW)
    staff = p.user(Role.STAFF, "bench_staff", p.agency)
    supervisor = p.user(Role.SUPERVISOR, "bench_super", None)
    supervisor.centre_id = p.centre.id
    suppliers = [p.org(OrgKind.SUPPLIER, 1000 + i) for i in range(200)]
    db.session.flush()
    supplier_users = [p.user(Role.SUPPLIER, f"bench_sup{i}", o) for i, o in enumerate(suppliers)]
    db.session.flush()
    statuses = [LotStatus.OPENED, LotStatus.AWARDED, LotStatus.CONTRACTED, LotStatus.EVALUATING]
    _bulk(
        Project,
        [
            {
                "id": i + 1,
                "code": f"B-{i}",
                "trade_id": f"BT-{i}",
                "name": f"基准项目{i}",
                "centre_id": p.centre.id,
                "purchaser_id": p.purchaser.id,
                "agency_id": p.agency.id,
                "method": "open",
                "category_code": "B",
                "description": "",
                "funding_source": "",
                "contact_name": "",
                "contact_phone": "",
                "created_by_id": staff.id,
                "created_at": NOW,
                "version": 1,
            }
            for i in range(lots)
        ],
    )
    lot_rows = []
    for i in range(lots):
        lot_rows.append(
            {
                "id": i + 1,
                "project_id": i + 1,
                "seq": 1,
                "code": f"BL-{i}",
                "name": f"基准标段{i}",
                "category_code": "B",
                "budget": Decimal("1000000.00"),
                "bid_bond": Decimal("0"),
                "evaluation_method": "comprehensive",
                "committee_size": 5,
                "validity_days": 90,
                "status": statuses[i % len(statuses)].value,
                "bid_deadline": NOW - dt.timedelta(days=1 + i % 60),
                "opening_place": "",
                "price_form_fields": [],
                "max_bid_bytes": 1 << 20,
                "status_reason": "",
                "version": 1,
            }
        )
    _bulk(Lot, lot_rows)
    bids = []
    bid_id = 0
    for i in range(lots):
        collusive = i % 100 == 0
        chosen = rnd.sample(range(len(suppliers)), per_lot)
        base = Decimal(rnd.randint(700000, 950000))
        for j, s in enumerate(chosen):
            bid_id += 1
            price = base - Decimal(20000) * j if collusive else base + rnd.randint(-90000, 90000)
            bids.append(
                {
                    "id": bid_id,
                    "lot_id": i + 1,
                    "supplier_id": suppliers[s].id,
                    "version": 1,
                    "status": "decrypted",
                    "ciphertext_sha256": hashlib.sha256(f"{i}-{j}".encode()).hexdigest(),
                    "size": 1000,
                    "received_at": NOW - dt.timedelta(days=2 + i % 60, hours=j * 2),
                    "submitted_by_id": supplier_users[s].id,
                    "ip": "10.0.0.1" if collusive and j < 2 else f"10.{i % 250}.{j}.{s}",
                    "user_agent": "",
                    "device_fingerprint": hashlib.sha256(
                        b"shared" if collusive and j < 2 else f"{i}-{j}".encode()
                    ).hexdigest(),
                    "price_form": {"total_price": f"{price:.2f}"},
                    "plaintext_files": [
                        {
                            "name": "技术标.pdf",
                            "sha256": "0" * 64,
                            "sha256_actual": hashlib.sha256(f"f{i}-{j}".encode()).hexdigest(),
                            "author": "",
                        }
                    ],
                    "files_check": "confirmed",
                    "failure_reason": "",
                }
            )
    _bulk(Bid, bids)
    _bulk(
        LotFreeze,
        [
            {
                "lot_id": i + 1,
                "frozen_at": NOW - dt.timedelta(days=1 + i % 60),
                "entries": [],
                "list_hash": "0" * 64,
                "bid_count": per_lot if i % 50 else 2,
                "failed": False,
                "audit_seq": 0,
            }
            for i in range(lots)
        ],
    )
    _bulk(
        LotResult,
        [
            {
                "lot_id": i + 1,
                "source": "bench",
                "report_sha256": "0" * 64,
                "report_at": NOW - dt.timedelta(days=40),
                "flagged": [],
                "candidates": [],
                "rejected": [],
                "publish_by": NOW - dt.timedelta(days=38),
                "passed_over": [],
                "contract_due": NOW + dt.timedelta(days=(i % 45) - 5),
                "created_at": NOW - dt.timedelta(days=40),
                "version": 1,
            }
            for i in range(lots)
            if lot_rows[i]["status"] == LotStatus.AWARDED.value
        ],
    )
    entries = []
    for n in range(1, audit + 1):
        refused = n % 5000 == 0
        entries.append(
            {
                "seq": n,
                "ts": NOW - dt.timedelta(seconds=audit - n),
                "actor_id": staff.id,
                "actor_name": "bench_staff",
                "role": "staff",
                "ip": "",
                "action": SEALED_READ_REFUSED if refused else "bid.submitted",
                "object_type": "lot",
                "object_id": str(1 + n % lots),
                "data": json.dumps({"what": "bond_list"}) if refused else "{}",
                "prev_hash": "",
                "entry_hash": hashlib.sha256(str(n).encode()).hexdigest(),
            }
        )
        if len(entries) >= CHUNK:
            _bulk(AuditEntry, entries)
            entries = []
    _bulk(AuditEntry, entries)
    # The head of the log where the bulk rows end (no frontier: the next append rebuilds it).
    db.session.add(
        AuditHead(id=1, seq=audit, entry_hash=hashlib.sha256(str(audit).encode()).hexdigest())
    )
    db.session.commit()
    return {"supervisor": supervisor.id, "centre": p.centre.id, "bids": len(bids)}


def bare_sql() -> float:
    """The one query each rule needs, without the rule's Python around it."""
    from sqlalchemy import func, select

    from app.core.audit.models import AuditEntry
    from app.core.extensions import db
    from bidding.actions import SEALED_READ_REFUSED
    from bidding.bids.models import Bid, LotFreeze
    from bidding.models import Lot
    from bidding.results.models import LotResult

    started = time.perf_counter()
    for column in (Bid.ip, Bid.device_fingerprint):
        db.session.execute(
            select(Bid.lot_id, column)
            .group_by(Bid.lot_id, column)
            .having(func.count(func.distinct(Bid.supplier_id)) >= 2)
        ).all()
    db.session.execute(select(LotFreeze.lot_id).where(LotFreeze.bid_count < 3)).all()
    # price pattern, same files, same author, same contact, clustered uploads: one read of the
    # lots' current bids between them
    db.session.execute(
        select(Bid.lot_id, Bid.supplier_id, Bid.price_form, Bid.plaintext_files, Bid.received_at)
    ).all()
    db.session.execute(
        select(LotResult.lot_id, LotResult.contract_due)
        .join(Lot, Lot.id == LotResult.lot_id)
        .where(LotResult.contract_due <= NOW + dt.timedelta(days=1))
    ).all()
    db.session.execute(
        select(AuditEntry.actor_id, AuditEntry.object_id, func.count())
        .where(AuditEntry.action == SEALED_READ_REFUSED)
        .group_by(AuditEntry.actor_id, AuditEntry.object_id)
    ).all()
    # the cross-lot rules: bidder pairs per purchaser, winners per purchaser, declines per
    # expert and lot, members' totals per bidder (the correlation is Python over these)
    from sqlalchemy.orm import aliased

    from bidding.models import Project
    from experts.models import Draw, Invitation, InvitationState
    from remote_eval.models import EvalMember, EvalSession, Score

    a, b = aliased(Bid), aliased(Bid)
    db.session.execute(
        select(Project.purchaser_id, a.supplier_id, b.supplier_id)
        .select_from(a)
        .join(b, (b.lot_id == a.lot_id) & (b.supplier_id > a.supplier_id))
        .join(Lot, Lot.id == a.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .group_by(Project.purchaser_id, a.supplier_id, b.supplier_id)
        .having(func.count(func.distinct(a.lot_id)) >= 3)
    ).all()
    db.session.execute(
        select(Project.purchaser_id, LotResult.winner_supplier_id, func.count())
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(LotResult.winner_supplier_id.is_not(None))
        .group_by(Project.purchaser_id, LotResult.winner_supplier_id)
    ).all()
    db.session.execute(
        select(Invitation.expert_id, Draw.lot_id, func.count())
        .join(Draw, Draw.id == Invitation.draw_id)
        .where(Invitation.state == InvitationState.DECLINED)
        .group_by(Invitation.expert_id, Draw.lot_id)
    ).all()
    db.session.execute(
        select(EvalSession.lot_id, Bid.supplier_id, EvalMember.user_id, func.sum(Score.value))
        .join(EvalSession, EvalSession.id == Score.session_id)
        .join(EvalMember, EvalMember.id == Score.member_id)
        .join(Bid, Bid.id == Score.bid_id)
        .group_by(EvalSession.lot_id, Bid.supplier_id, EvalMember.user_id)
    ).all()
    db.session.rollback()
    return time.perf_counter() - started


def run(url: str, args: argparse.Namespace, label: str) -> None:
    from flask_login import login_user

    from app.core import clock
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.factory import create_app
    from app.supervision import runner
    from app.supervision.rules import rules_for_event

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp()})
    with app.app_context():
        db.drop_all()
        db.create_all()
        clock.set_now(NOW)
        t = time.perf_counter()
        info = build(args.lots, args.bids_per_lot, args.audit)
        print(f"supervision_build_{label}_s: {time.perf_counter() - t:.1f}", flush=True)
        print(
            f"supervision_world_{label}: {args.lots} lots, {info['bids']} bids, {args.audit} audit entries"
        )

        def sweep() -> float:
            started = time.perf_counter()
            report = runner.run(now=NOW)
            db.session.commit()
            elapsed = time.perf_counter() - started
            if report.failed or report.stopped:
                print(f"# rules failed {report.failed} stopped {report.stopped}")
            return elapsed

        print(f"supervision_sweep_first_{label}_s: {sweep():.2f}", flush=True)
        times = [sweep() for _ in range(args.rounds)]
        tracemalloc.start()
        sweep()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        bare = statistics.median(bare_sql() for _ in range(args.rounds))
        s = statistics.median(times)
        print(f"supervision_sweep_{label}_s: {s:.2f}")
        print(f"supervision_sweep_peak_{label}_mb: {peak:.0f}")
        print(f"supervision_bare_sql_{label}_s: {bare:.2f}")
        print(f"supervision_sweep_{label}_ratio: {s / bare:.1f}")

        from app.supervision import views

        user = db.session.get(User, info["supervisor"])
        board = []
        for _ in range(5):
            with app.test_request_context("/supervision/"):
                login_user(user)
                started = time.perf_counter()
                html = views.dashboard()
                board.append((time.perf_counter() - started) * 1000)
                assert "监督看板" in html
            db.session.rollback()
        print(f"supervision_board_{label}_ms: {statistics.median(board):.0f}")

        rules = rules_for_event("bid_submitted")
        event = []
        for lot_id in range(1, args.lots + 1, max(args.lots // 20, 1)):
            started = time.perf_counter()
            runner.run(lot_ids=[lot_id], rules=rules, now=NOW)
            db.session.commit()
            event.append((time.perf_counter() - started) * 1000)
        print(f"supervision_event_{label}_ms: {statistics.median(event):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lots", type=int, default=10_000)
    ap.add_argument("--bids-per-lot", type=int, default=10)
    ap.add_argument("--audit", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--postgresql-url")
    args = ap.parse_args()
    if args.quick:
        args.lots, args.audit = 1000, 100_000
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", args, "sqlite")
    if args.postgresql_url:
        run(args.postgresql_url, args, "postgresql")


if __name__ == "__main__":
    main()
