"""Periodic sweeps (deadlines, openings, publication windows, checkpoints) on APScheduler 3.x.

Packages call `register_job(name, func, seconds)` from their `init_app`. A job is an
idempotent sweep over "due and not done" rows: it runs inside an app context, the
scheduler commits once after it, rolls back and logs when it raises, and carries on.

Exactly one scheduler acts at a time across every host: a `scheduler_lock` row is
taken with a conditional UPDATE (holder = me, or the previous holder's lease has
expired). A second scheduler keeps trying on every tick and takes over only when the
first one's lease runs out, so a crashed scheduler is replaced within one lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.core.extensions import db

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"
# A lease outlives a few missed ticks so that a slow sweep does not hand the lock over.
LEASE_TICKS = 3


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Any]
    seconds: int


_jobs: dict[str, Job] = {}


def register_job(name: str, func: Callable[[], Any], seconds: int) -> None:
    """Register (or replace, by name) a sweep to run every `seconds`."""
    if seconds <= 0:
        raise ValueError("a job interval must be positive")
    _jobs[name] = Job(name, func, int(seconds))


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


class SchedulerLock(Base):
    """The one row that says which scheduler process may run sweeps, and until when."""

    __tablename__ = "scheduler_lock"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(holder: str, lease_seconds: int, name: str = LOCK_NAME) -> bool:
    """Take or renew the lease; True when `holder` now holds it. Commits its own transaction."""
    now = clock.now()
    if db.session.get(SchedulerLock, name) is None:
        try:
            db.session.add(
                SchedulerLock(name=name, holder="", expires_at=now - dt.timedelta(seconds=1))
            )
            db.session.commit()
        except IntegrityError:  # another scheduler created it first
            db.session.rollback()
    result = db.session.execute(
        update(SchedulerLock)
        .where(
            SchedulerLock.name == name,
            (SchedulerLock.holder == holder) | (SchedulerLock.expires_at < now),
        )
        .values(holder=holder, expires_at=now + dt.timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def release(holder: str, name: str = LOCK_NAME) -> None:
    """Give the lease up at a clean shutdown so a successor need not wait for it to expire."""
    db.session.execute(
        update(SchedulerLock)
        .where(SchedulerLock.name == name, SchedulerLock.holder == holder)
        .values(holder="", expires_at=clock.now() - dt.timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_job(app: Flask, job: Job) -> bool:
    """Run one sweep in its own app context; commit once; never raise."""
    with app.app_context():
        try:
            job.func()
            db.session.commit()
            return True
        except Exception:
            db.session.rollback()
            log.exception("scheduled job %s failed", job.name)
            return False


def run_due_jobs_once(app: Flask) -> dict[str, bool]:
    """Run every registered sweep once (sweeps pick what is due themselves). For tests and cron."""
    return {job.name: run_job(app, job) for job in registered_jobs()}


class Scheduler:
    """APScheduler wrapper that only runs sweeps while it holds the database lease."""

    def __init__(self, app: Flask, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or new_holder_id()
        self.tick = int(app.config.get("SCHEDULER_TICK_SECONDS", 30))
        self.lease = self.tick * LEASE_TICKS
        self.is_leader = False
        self._aps: Any = None
        self._stopped = threading.Event()

    def heartbeat(self) -> bool:
        with self.app.app_context():
            try:
                held = try_acquire(self.holder, self.lease)
            except Exception:
                db.session.rollback()
                log.exception("scheduler lock heartbeat failed")
                held = False
        if held != self.is_leader:
            log.warning(
                "scheduler %s %s the lock", self.holder, "took" if held else "does not hold"
            )
        self.is_leader = held
        return held

    def _guarded(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            if self.is_leader and not self._stopped.is_set():
                run_job(self.app, job)

        return run

    def _build(self, blocking: bool) -> Any:
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.schedulers.blocking import BlockingScheduler

        cls = BlockingScheduler if blocking else BackgroundScheduler
        aps = cls(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
        aps.add_job(self.heartbeat, "interval", seconds=self.tick, id="_heartbeat")
        for job in registered_jobs():
            aps.add_job(self._guarded(job), "interval", seconds=job.seconds, id=job.name)
        return aps

    def start(self, blocking: bool = False) -> None:
        self.heartbeat()
        self._aps = self._build(blocking)
        log.info("scheduler %s started with %d jobs", self.holder, len(_jobs))
        self._aps.start()  # returns only at shutdown when blocking

    def stop(self) -> None:
        self._stopped.set()
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=True)
        if self.is_leader:
            with self.app.app_context():
                try:
                    release(self.holder)
                except Exception:
                    log.exception("could not release the scheduler lock")
            self.is_leader = False


def _exit_on_sigterm() -> None:
    import signal

    def handler(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)


scheduler_cli = AppGroup("scheduler", help="Periodic sweeps (exactly one scheduler at a time).")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in the foreground until Ctrl-C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SCHEDULER_ENABLED", True):
        click.echo("SCHEDULER_ENABLED is off: nothing to run.")
        return
    logging.basicConfig(level=logging.INFO)
    sched = Scheduler(app)
    _exit_on_sigterm()
    click.echo(f"scheduler {sched.holder}: {len(_jobs)} jobs, tick {sched.tick}s")
    try:
        sched.start(blocking=True)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sched.stop()


@scheduler_cli.command("jobs")
def jobs_command() -> None:
    """List registered sweeps."""
    for job in registered_jobs():
        click.echo(f"{job.name}\tevery {job.seconds}s")


@scheduler_cli.command("once")
def once_command() -> None:
    """Run every sweep once now (ignores the lock: for maintenance)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for name, ok in run_due_jobs_once(app).items():
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}")
