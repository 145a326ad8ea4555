"""Evaluation summary of a large lot: `summary_table` and its rendering against bare arithmetic.

Builds one evaluation in its summary phase (SQLite unless --database-url), inserted
directly: 60 bidders × 9 members × 40 scored items (30 technical, 10 commercial, every
fourth objective and equal across members; on the others one member in nine is a
step off, so that dispersion alerts fire), every sheet submitted, every check item
passed. Times, per round, for a member of the committee:

    compute  remote_eval.summary.summary_table(session, viewer), from a cold identity
             map (what one request does)
    render   the API's response body from it: SummaryOut().dump + JSON, as
             GET /api/v1/evaluations/<id>/summary sends it
    api      the whole GET /api/v1/evaluations/<id>/summary through the app (test client,
             bearer token; no network)

and, in the same run, a bare script doing the same arithmetic (price screen, price
score, per-member totals, group averages, spreads, dispersion alerts, ranking with the
tie rules, candidates, JSON) in plain Python over lists of Decimals already in memory;
the script and the app must agree on every total and on the candidates. Prints medians:

    eval_summary_compute_ms: N   eval_summary_render_ms: N   eval_summary_api_ms: N
    bare_summary_ms: N
    eval_summary_ratio: N.xx     (compute + render) / bare

Run: .venv/bin/python bench/eval_summary.py [--bidders 60] [--members 9] [--items 40]
     [--rounds 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _eval_world import CHECKS, build, overrides  # noqa: E402

D = Decimal
CENTS = D("0.01")


def make_scheme(items: int) -> dict[str, Any]:
    """3/4 technical items of 1.5 points, 1/4 commercial of 2.5: with price 30, near 100."""
    n_tech = items * 3 // 4

    def item(prefix: str, i: int, maximum: str) -> dict[str, Any]:
        return {
            "id": f"{prefix}{i:02d}",
            "name": f"评分因素{prefix}{i:02d}",
            "type": "range",
            "maximum": maximum,
            "step": "0.5",
            "objective": i % 4 == 0,
        }

    return {
        "method": "comprehensive",
        **CHECKS,
        "technical": [item("T", i, "1.5") for i in range(n_tech)],
        "commercial": [item("C", i, "2.5") for i in range(items - n_tech)],
        "price": {"weight": "30", "abnormal_share": "0.5", "dispersion_share": "0.2"},
    }


def score_of(_room: int, member: int, bid: int, item: Any) -> Decimal:
    """Deterministic points on the item's grid: the panel agrees on each item but for one
    member in nine on subjective items, who is one step off (a dispersion alert)."""
    steps = int(item.maximum / item.step)
    n = int(item.id[1:])
    centre = (bid * 31 + n * 7) % (steps + 1)
    if not item.objective and (bid * 7 + n * 3 + member) % 9 == 0:
        centre += 1 if centre < steps else -1
    return item.step * centre


# ----------------------------------------------------------------- the bare script
def bare_summary(
    prices: list[Decimal],
    received: list[dt.datetime],
    scores: list[list[list[Decimal]]],  # bidder → member → item
    maxima: list[Decimal],
    technical: int,  # the first `technical` items are technical
    ceiling: Decimal,
    weight: Decimal,
    abnormal_share: Decimal,
    dispersion_share: Decimal,
) -> str:
    valid = [p for p in prices if 0 < p <= ceiling]
    threshold = abnormal_share * sum(valid, D(0)) / len(valid)
    base = min(valid)
    rows = []
    for b, price in enumerate(prices):
        sheets = scores[b]
        n = len(sheets)
        ok = 0 < price <= ceiling
        price_score = (base * weight / price).quantize(CENTS, ROUND_HALF_UP) if ok else None
        tech = (sum((sum(s[:technical], D(0)) for s in sheets), D(0)) / n).quantize(
            CENTS, ROUND_HALF_UP
        )
        comm = (sum((sum(s[technical:], D(0)) for s in sheets), D(0)) / n).quantize(
            CENTS, ROUND_HALF_UP
        )
        spread, alerts = [], []
        for i, maximum in enumerate(maxima):
            column = [s[i] for s in sheets]
            spread.append(str(max(column) - min(column)))
            mean = sum(column, D(0)) / n
            limit = dispersion_share * maximum
            alerts += [(i, m) for m, v in enumerate(column) if abs(v - mean) > limit]
        rows.append(
            {
                "bidder": b,
                "price": str(price),
                "valid": ok,
                "abnormally_low": ok and price < threshold,
                "price_score": str(price_score),
                "technical": str(tech),
                "commercial": str(comm),
                "total": tech + comm + (price_score or 0),
                "members": [
                    {"items": [str(v) for v in s], "total": str(sum(s, D(0)))} for s in sheets
                ],
                "spread": spread,
                "alerts": alerts,
            }
        )
    ranked = sorted(
        (r for r in rows if r["valid"]),
        key=lambda r: (
            -r["total"],
            -D(r["price_score"]),
            -D(r["technical"]),
            received[r["bidder"]],
        ),
    )
    for rank, r in enumerate(ranked, start=1):
        r["rank"] = rank
        r["total"] = str(r["total"])
    return json.dumps(
        {"bidders": rows, "candidates": [r["bidder"] for r in ranked[:3]]}, ensure_ascii=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bidders", type=int, default=60)
    parser.add_argument("--members", type=int, default=9)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="an empty database")
    args = parser.parse_args()
    os.environ["TENDERHALL_ENV"] = "development"
    from sqlalchemy import select

    from app.core.auth.models import User
    from app.core.extensions import db
    from app.factory import create_app
    from bidding.bids.models import Bid
    from remote_eval.models import EvalSession, Score
    from remote_eval.review_schemas import SummaryOut
    from remote_eval.scheme import Scheme
    from remote_eval.summary import summary_table

    scheme = make_scheme(args.items)
    with tempfile.TemporaryDirectory(prefix="th-bench-summary-") as tmp:
        app = create_app(overrides(Path(tmp), args.database_url))
        t0 = time.perf_counter()
        world = build(
            app, 1, args.members, args.bidders, scheme, phase="summary", score_of=score_of,
            submitted=True,
        )  # fmt: skip
        room = world.rooms[0]
        print(
            f"# 1 lot: {args.bidders} bidders × {args.members} members × {args.items} items, "
            f"built in {time.perf_counter() - t0:.1f}s",
            flush=True,
        )
        member_ids = [m.id for m in room.members]
        token = room.members[0].token
        url = f"/api/v1/evaluations/{room.session_id}/summary"

        # The bare script's input: the same rows, read once, as plain lists.
        with app.app_context():
            parsed = Scheme.from_dict(scheme)
            items = [i.id for i in parsed.scored_items]
            bids = list(
                db.session.execute(
                    select(Bid).where(Bid.id.in_(room.bid_ids)).order_by(Bid.id)
                ).scalars()
            )
            given: dict[tuple[int, int, str], Decimal] = {
                (s.bid_id, s.member_id, s.item_id): D(s.value)
                for s in db.session.execute(
                    select(Score).where(Score.session_id == room.session_id)
                ).scalars()
            }
            bare_args = dict(
                prices=[D(b.price_form["total_price"]) for b in bids],
                received=[b.received_at for b in bids],
                scores=[[[given[(b.id, m, i)] for i in items] for m in member_ids] for b in bids],
                maxima=[i.maximum for i in parsed.scored_items],
                technical=len(parsed.technical),
                ceiling=D("1000000.00"),
                weight=parsed.price.weight,
                abnormal_share=parsed.price.abnormal_share,
                dispersion_share=parsed.price.dispersion_share,
            )
            bid_ids = [b.id for b in bids]

        client = app.test_client()
        timings: dict[str, list[float]] = {"compute": [], "render": [], "api": [], "bare": []}
        for r in range(args.rounds):
            with app.app_context():
                session = db.session.get(EvalSession, room.session_id)
                viewer = db.session.get(User, room.members[0].user_id)
                t0 = time.perf_counter()
                table = summary_table(session, viewer)
                t1 = time.perf_counter()
                body = json.dumps(SummaryOut().dump(table), ensure_ascii=False)
                t2 = time.perf_counter()
                db.session.rollback()
            timings["compute"].append(t1 - t0)
            timings["render"].append(t2 - t1)
            t0 = time.perf_counter()
            resp = client.get(url, headers={"Authorization": f"Bearer {token}"})
            timings["api"].append(time.perf_counter() - t0)
            assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
            t0 = time.perf_counter()
            bare = json.loads(bare_summary(**bare_args))  # type: ignore[arg-type]
            timings["bare"].append(time.perf_counter() - t0)
            # Same data, same answer: the bare script is not cutting corners.
            ours = {row["bid_id"]: row for row in json.loads(body)["bidders"]}
            for b, row in zip(bid_ids, bare["bidders"], strict=True):
                assert ours[b]["total"] == row["total"], (b, ours[b]["total"], row["total"])
                assert ours[b]["rank"] == row["rank"]
                alerts = {(a["item_id"], a["member_id"]) for a in ours[b]["dispersion_alerts"]}
                assert alerts == {(items[i], member_ids[m]) for i, m in row["alerts"]}
            assert json.loads(body)["candidates"] == [bid_ids[c] for c in bare["candidates"]]
            print(
                f"# round {r + 1}: compute {timings['compute'][-1] * 1000:.1f} ms, "
                f"render {timings['render'][-1] * 1000:.1f} ms, "
                f"api {timings['api'][-1] * 1000:.1f} ms, bare {timings['bare'][-1] * 1000:.1f} ms",
                flush=True,
            )
        n_alerts = sum(len(r["dispersion_alerts"]) for r in json.loads(body)["bidders"])
        print(f"# {len(body) / 1024:.0f} KiB of JSON, {n_alerts} dispersion alerts", flush=True)

    med = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    print(f"eval_summary_compute_ms: {med['compute']:.1f}")
    print(f"eval_summary_render_ms: {med['render']:.1f}")
    print(f"eval_summary_api_ms: {med['api']:.1f}")
    print(f"bare_summary_ms: {med['bare']:.1f}")
    print(f"eval_summary_ratio: {(med['compute'] + med['render']) / med['bare']:.2f}")


if __name__ == "__main__":
    main()
