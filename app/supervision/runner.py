"""Runs the rules: every rule in a sweep, or the rules an event names for one lot.

Each rule runs in a savepoint of its own with a time budget of `SUPERVISION_RULE_TIME_FACTOR`
times its usual time (the median of its recent successful runs of the same scope, never
under `SUPERVISION_RULE_MIN_SECONDS`). Past it the rule is stopped where it stands: SQLite
interrupts the statement (a progress handler), PostgreSQL cancels it (statement_timeout),
and the rule's own loops stop at `scope.tick()`. A rule that errors or is stopped has its
savepoint rolled back, a `RuleRun` row and a warning of its own kind (`system.rule_failed`)
say so, and the next rule runs: one rule never stops the others, nor the lot whose event
triggered it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core import clock
from app.core.audit import record
from app.core.extensions import db
from app.supervision import actions, live
from app.supervision.models import Level, RuleRun, SupervisionWarning, WarningStatus
from app.supervision.rules import RULE_FAILED, Finding, Rule, RuleTimeout, Scope, all_rules
from app.supervision.rules.registry import shared_loader
from app.supervision.steps import step_due
from bidding.models import Lot, Project

log = logging.getLogger(__name__)
USUAL_RUNS = 20  # how many recent successful runs make a rule's usual time


@dataclass
class RunReport:
    ran: int = 0
    found: int = 0
    raised: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    lots: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "found": self.found,
            "raised": self.raised,
            "failed": self.failed,
            "stopped": self.stopped,
        }


def usual_ms(rule: str, scope_name: str) -> float | None:
    rows = db.session.execute(
        select(RuleRun.duration_ms)
        .where(RuleRun.rule == rule, RuleRun.scope == scope_name, RuleRun.outcome == "ok")
        .order_by(RuleRun.id.desc())
        .limit(USUAL_RUNS)
    ).scalars()
    values = list(rows)
    return float(median(values)) if values else None


def budget_seconds(rule: str, scope_name: str) -> float:
    cfg = current_app.config
    floor = float(cfg.get("SUPERVISION_RULE_MIN_SECONDS", 5.0))
    usual = usual_ms(rule, scope_name)
    if usual is None:
        return floor
    return max(floor, usual / 1000 * float(cfg.get("SUPERVISION_RULE_TIME_FACTOR", 10)))


@contextmanager
def _stopped_at(deadline: float) -> Iterator[None]:
    """Stop the database's work on the rule's statements once `deadline` is past.

    PostgreSQL: a statement timeout set before the rule's savepoint (so that rolling the
    savepoint back keeps it) and cleared after it. SQLite: a progress handler, removed
    before the savepoint is rolled back (it would interrupt the rollback too)."""
    conn = db.session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        ms = max(int((deadline - time.monotonic()) * 1000), 1)
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
        try:
            yield
        finally:
            db.session.connection().exec_driver_sql("SET LOCAL statement_timeout = 0")
    else:
        yield


@contextmanager
def _interrupting(deadline: float) -> Iterator[None]:
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


def _timed_out(exc: BaseException, deadline: float) -> bool:
    if isinstance(exc, RuleTimeout):
        return True
    # The interrupt or cancel surfaces as a driver error once the budget is spent.
    return isinstance(exc, DBAPIError) and time.monotonic() > deadline


def run(
    *,
    lot_ids: list[int] | None = None,
    rules: list[Rule] | None = None,
    now: Any = None,
) -> RunReport:
    """Run `rules` (default: all) over `lot_ids` (default: every lot) in the caller's
    transaction; the caller commits."""
    now = now or clock.now()
    scope_name = "sweep" if lot_ids is None else "lot"
    report = RunReport()
    selected = rules if rules is not None else all_rules()
    shared = _load_shared(selected, now, lot_ids)
    for rule in selected:
        started_wall = clock.now()
        started = time.monotonic()
        deadline = started + budget_seconds(rule.name, scope_name)
        scope = Scope(now=now, lot_ids=lot_ids, deadline=deadline, shared=shared)
        outcome, message, found = "ok", "", 0
        try:
            with _stopped_at(deadline), db.session.begin_nested():
                with _interrupting(deadline):
                    findings = list(rule.check(scope))
                found = len(findings)
                _fill_centres(findings)
                for f in findings:
                    if _upsert(rule.name, f, now, report):
                        report.raised += 1
        except Exception as exc:  # a rule's fault is reported, never propagated
            if _timed_out(exc, deadline):
                outcome, message = "timeout", f"stopped after {time.monotonic() - started:.1f}s"
                report.stopped.append(rule.name)
            else:
                log.exception("supervision rule %s failed", rule.name)
                outcome, message = "error", f"{type(exc).__name__}: {exc}"[:2000]
                report.failed.append(rule.name)
        duration = int((time.monotonic() - started) * 1000)
        db.session.add(
            RuleRun(
                rule=rule.name,
                scope=scope_name,
                started_at=started_wall,
                duration_ms=duration,
                outcome=outcome,
                found=found,
                message=message,
            )
        )
        db.session.flush()
        if outcome != "ok":
            try:
                with db.session.begin_nested():
                    _report_failure(rule, outcome, message, now, report)
            except Exception:  # the log keeps it when even the report cannot be written
                log.exception("reporting the failure of rule %s failed", rule.name)
        report.ran += 1
        report.found += found
    if report.lots:
        live.lots_changed(sorted(report.lots))
    return report


def _load_shared(rules: list[Rule], now: Any, lot_ids: list[int] | None) -> dict[str, Any]:
    """What several rules read, once, outside every rule's budget; a load that fails is
    left to the rules (each then loads it within its own budget, and is reported)."""
    shared: dict[str, Any] = {}
    for key in dict.fromkeys(k for rule in rules for k in rule.shares):
        loader = shared_loader(key)
        if loader is None:
            continue
        try:
            with db.session.begin_nested():
                shared[key] = loader(Scope(now=now, lot_ids=lot_ids, shared=shared))
        except Exception:
            log.exception("supervision: loading %s for the rules failed", key)
    return shared


_centre_cache: dict[int, int] = {}


def _fill_centres(findings: list[Finding]) -> None:
    missing = {f.lot_id for f in findings if f.centre_id is None and f.lot_id is not None}
    if not missing:
        return
    rows = db.session.execute(
        select(Lot.id, Project.centre_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Lot.id.in_(missing))
    ).all()
    _centre_cache.update(dict(rows))


def _upsert(rule: str, f: Finding, now: Any, report: RunReport) -> bool:
    """The open warning of (rule, subject), made if there is none; True if made."""
    key = f"{rule}|{f.subject}"[:230]
    centre_id = f.centre_id if f.centre_id is not None else _centre_cache.get(f.lot_id or 0)
    warning = db.session.execute(
        select(SupervisionWarning).where(SupervisionWarning.open_key == key)
    ).scalar_one_or_none()
    if warning is not None:
        warning.last_seen_at = now
        if warning.facts != f.facts:
            warning.facts = f.facts
        if f.level == Level.RED and warning.level != Level.RED:
            warning.level = Level.RED
            db.session.flush()
            record(actions.WARNING_LEVEL_RAISED, warning, {"rule": rule}, actor=None)
            if warning.lot_id:
                report.lots.add(warning.lot_id)
        return False
    closed = db.session.execute(
        select(SupervisionWarning.level)
        .where(SupervisionWarning.rule == rule, SupervisionWarning.subject == f.subject[:160])
        .order_by(SupervisionWarning.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if closed is not None and (closed == Level.RED or f.level == Level.YELLOW):
        # A supervisor closed this very finding: it is raised again only if it grew worse
        # (a deadline that was near is now missed), never once per sweep.
        return False
    warning = SupervisionWarning(
        rule=rule,
        subject=f.subject[:160],
        open_key=key,
        centre_id=centre_id,
        lot_id=f.lot_id,
        level=f.level,
        status=WarningStatus.PENDING,
        facts=f.facts,
        detected_at=now,
        last_seen_at=now,
        step_due_at=step_due(WarningStatus.PENDING, now),
    )
    try:
        with db.session.begin_nested():
            db.session.add(warning)
            db.session.flush()
    except IntegrityError:
        return False  # another runner made it a moment ago: that one is the open warning
    record(
        actions.WARNING_RAISED,
        warning,
        {"rule": rule, "warning_level": f.level.value, "lot_id": f.lot_id},
        actor=None,
    )
    if f.lot_id:
        report.lots.add(f.lot_id)
    return True


def _report_failure(rule: Rule, outcome: str, message: str, now: Any, report: RunReport) -> None:
    record(
        actions.RULE_FAILED,
        object_type="supervision_rule",
        object_id=rule.name,
        # The error's own text stays in the rule's run record, not in the people's log.
        data={"rule": rule.name, "run_outcome": outcome},
        actor=None,
    )
    _upsert(
        RULE_FAILED,
        Finding(
            subject=rule.name,
            lot_id=None,
            level=Level.RED,
            facts={"rule": rule.name, "outcome": outcome, "message": message},
        ),
        now,
        report,
    )
