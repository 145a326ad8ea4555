"""The scheduler: job registry, one sweep run, and the one-scheduler database lease."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock, scheduler
from app.core.audit import record
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.scheduler import Job, Scheduler, release, run_due_jobs_once, try_acquire

T0 = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.UTC)


def _count(action: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    ).scalar_one()


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, Job]:
    # Only this test's jobs are registered while it runs.
    registry: dict[str, Job] = {}
    monkeypatch.setattr(scheduler, "_jobs", registry)
    return registry


def test_registered_sweep_runs_in_its_own_transaction_and_commits(app: Any, jobs: Any) -> None:
    scheduler.register_job("test.sweep", lambda: record("test.swept"), seconds=60)
    assert run_due_jobs_once(app) == {"test.sweep": True}
    db.session.rollback()
    assert _count("test.swept") == 1


def test_failing_sweep_is_rolled_back_and_does_not_stop_the_others(app: Any, jobs: Any) -> None:
    def broken() -> None:
        record("test.half_done")
        raise RuntimeError("boom")

    scheduler.register_job("a.broken", broken, seconds=60)
    scheduler.register_job("b.fine", lambda: record("test.fine"), seconds=60)
    assert run_due_jobs_once(app) == {"a.broken": False, "b.fine": True}
    db.session.rollback()
    assert _count("test.half_done") == 0
    assert _count("test.fine") == 1


def test_register_job_refuses_a_non_positive_interval(jobs: Any) -> None:
    with pytest.raises(ValueError):
        scheduler.register_job("bad", lambda: None, seconds=0)


def test_second_scheduler_waits_until_the_first_lease_expires(app: Any) -> None:
    clock.set_now(T0)
    assert try_acquire("host-a", lease_seconds=90)
    assert try_acquire("host-a", lease_seconds=90)  # renewal by the holder
    assert not try_acquire("host-b", lease_seconds=90)
    clock.set_now(T0 + dt.timedelta(seconds=89))
    assert not try_acquire("host-b", lease_seconds=90)
    clock.set_now(T0 + dt.timedelta(seconds=200))  # host-a stopped renewing
    assert try_acquire("host-b", lease_seconds=90)
    assert not try_acquire("host-a", lease_seconds=90)


def test_released_lease_is_taken_at_once_by_the_next_scheduler(app: Any) -> None:
    clock.set_now(T0)
    assert try_acquire("host-a", lease_seconds=90)
    release("host-a")
    assert try_acquire("host-b", lease_seconds=90)


def test_only_the_lease_holder_runs_sweeps(app: Any, jobs: Any) -> None:
    clock.set_now(T0)
    ran: list[str] = []
    scheduler.register_job("test.count", lambda: ran.append("x"), seconds=60)
    first, second = Scheduler(app, holder="one"), Scheduler(app, holder="two")
    assert first.heartbeat() is True
    assert second.heartbeat() is False
    job = jobs["test.count"]
    second._guarded(job)()
    assert ran == []
    first._guarded(job)()
    assert ran == ["x"]
    first.stop()  # releases the lease at a clean shutdown
    assert second.heartbeat() is True
    second._guarded(job)()
    assert ran == ["x", "x"]


def test_background_scheduler_starts_and_stops_cleanly(app: Any, jobs: Any) -> None:
    sched = Scheduler(app, holder="bg")
    sched.start(blocking=False)
    try:
        assert sched.is_leader
        assert sched._aps.running
    finally:
        sched.stop()
    assert not sched._aps.running
    assert try_acquire("someone-else", lease_seconds=30)


def test_scheduler_run_command_does_nothing_when_disabled(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["scheduler", "run"])
    assert result.exit_code == 0
    assert "SCHEDULER_ENABLED" in result.output
