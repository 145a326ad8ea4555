"""Checks for events that come in bursts, run after the change and once per burst.

A deadline surge brings a bid to a lot every few milliseconds. Running the lot's bid rules
inside each bid's transaction would hold the database's writer (on SQLite, one at a time)
while every earlier bid of the lot is read again: n bids, n² reads, and each finish
waiting behind the last. Instead the bid's transaction only notes the lot; after it has
committed, a background thread of this process runs the lot's rules once for everything
noted in the last `SUPERVISION_BURST_SECONDS`, in its own transaction.

What a dying process had noted and not yet run is not lost: the scheduled sweep
(`SUPERVISION_SWEEP_SECONDS`) runs every rule over every lot, and a rule raises one open
warning per subject however often it runs. With `SUPERVISION_BURST_SECONDS` at 0 the
rules run inline, in the change's own transaction, as every other event's do.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app

from app.core.extensions import db
from app.core.realtime import after_commit
from app.core.sqlite_writes import write_first

log = logging.getLogger(__name__)

# The lot events that arrive in bursts.
BURST_EVENTS = frozenset({"bid_submitted"})


class Coalescer:
    """Lots noted with their events, run by one daemon thread per process and app."""

    def __init__(self, app: Flask, window: float) -> None:
        self.app = app
        self.window = window
        self._pending: dict[int, set[str]] = {}
        self._cond = threading.Condition()
        self._busy = False
        self._thread = threading.Thread(target=self._loop, name="supervision-bursts", daemon=True)
        self._thread.start()

    def note(self, lot_id: int, event: str) -> None:
        with self._cond:
            self._pending.setdefault(lot_id, set()).add(event)
            self._cond.notify()

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is noted or running (tests, and a clean shutdown)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
            time.sleep(self.window)  # let the rest of the burst arrive
            with self._cond:
                batch, self._pending = self._pending, {}
                self._busy = True
            try:
                with self.app.app_context():
                    for lot_id, events in sorted(batch.items()):
                        run_now(lot_id, events)
            except Exception:  # the thread must outlive any one batch (the sweep redoes it)
                log.exception("supervision burst run failed for lots %s", sorted(batch))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


def run_now(lot_id: int, events: set[str]) -> None:
    """The lot's rules for `events`, in a transaction of their own; a fault is logged."""
    from app.supervision import events as lot_events
    from bidding.models import Lot

    try:
        # Read and then write beside the web processes' bids: the write lock first.
        write_first(db.session)
        lot = db.session.get(Lot, lot_id)
        if lot is not None:
            for event in sorted(events):
                lot_events.run_rules(lot, event)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("supervision checks for lot %s after %s failed", lot_id, events)
    finally:
        db.session.remove()


_coalescers: dict[int, Coalescer] = {}
_guard = threading.Lock()


def coalescer(app: Any) -> Coalescer:
    with _guard:
        found = _coalescers.get(id(app))
        if found is None or found.app is not app:
            found = _coalescers[id(app)] = Coalescer(
                app, float(app.config["SUPERVISION_BURST_SECONDS"])
            )
        return found


def defer(lot_id: int, event: str) -> bool:
    """Note the lot for its burst run once the current transaction commits; False when
    bursts run inline (`SUPERVISION_BURST_SECONDS` 0)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if float(app.config["SUPERVISION_BURST_SECONDS"]) <= 0:
        return False
    target = coalescer(app)
    after_commit(lambda: target.note(lot_id, event))
    return True
