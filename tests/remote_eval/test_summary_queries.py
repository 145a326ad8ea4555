"""The summary reads each kind of row once: its SQL statements do not grow with the bids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from app.core.extensions import db
from remote_eval import summary
from remote_eval.models import Phase
from tests.remote_eval import review_world as rw
from tests.remote_eval.test_scoring import sheet

BOUND = 20  # a handful of reads for the whole lot, whatever its size


def statements(work: Callable[[], Any]) -> int:
    """SQL statements `work` sends, from a cold identity map as in a fresh request."""
    db.session.expire_all()
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def summary_world(bids: int) -> rw.ReviewWorld:
    """A comprehensive lot in its summary phase: every bid passed and scored by everyone,
    the third member one far step off on T1 so that dispersion alerts fire."""
    w = rw.build_world("comprehensive", [f"{800000 + 10000 * i}.00" for i in range(bids)])
    rw.pass_all(w)
    rw.move(w, Phase.SCORING)
    for bid in w.bids:
        for m, t1 in zip(w.members, ("30", "31", "10"), strict=True):
            sheet(w, m, bid, t1, "5", "10")
    rw.move(w, Phase.SUMMARY)
    return w


def test_summary_statements_do_not_grow_with_the_bids(app: Any) -> None:
    counts = {}
    for n in (2, 8):
        w = summary_world(n)
        table = summary.summary_table(w.session, w.host)
        assert len(table["bidders"]) == n
        assert all(len(r["dispersion_alerts"]) == 1 for r in table["bidders"])
        counts[n] = (
            statements(lambda w=w: summary.summary_table(w.session, w.host)),
            statements(lambda w=w: summary.lock_problems(w.session)),
            statements(lambda w=w: summary.missing_justifications(w.session)),
        )
    assert counts[2] == counts[8], counts
    assert all(c <= BOUND for c in counts[8]), counts
