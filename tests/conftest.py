"""Test app on SQLite by default, on PostgreSQL when TENDERHALL_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

os.environ["TENDERHALL_ENV"] = "testing"

from app.core import clock  # noqa: E402
from app.core.extensions import db, limiter  # noqa: E402
from app.factory import create_app  # noqa: E402

_tmp = tempfile.mkdtemp(prefix="tenderhall-test-")


def test_database_url() -> str:
    url = os.environ.get("TENDERHALL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{_tmp}/test.db"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # One database per xdist worker so that workers never share tables.
        import psycopg

        base, name = url.rsplit("/", 1)
        name = f"{name}_{worker}"
        admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{base}/{name}"
    return url


def test_redis_url() -> str | None:
    url = os.environ.get("TENDERHALL_TEST_REDIS_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url and worker.startswith("gw"):
        # One Redis database per xdist worker: rate-limit counters and room channels of
        # one worker must not leak into the other's tests.
        base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        url = f"{base}/{int(worker[2:]) + 1}"
    return url


@pytest.fixture(scope="session")
def app() -> Iterator[Any]:
    application = create_app(
        {
            "DATABASE_URL": test_database_url(),
            "INSTANCE_PATH": _tmp,
            "REDIS_URL": test_redis_url(),
        }
    )
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application


@pytest.fixture(autouse=True)
def _clean(app: Any) -> Iterator[None]:
    ctx = app.app_context()
    ctx.push()
    clock.set_now(None)
    limiter.reset()
    yield
    clock.set_now(None)
    db.session.rollback()
    # Every test starts from empty tables; the schema itself is built once.
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.remove()
    _empty_staging(app)
    ctx.pop()


def _empty_staging(app: Any) -> None:
    """The upload sessions are gone with the tables, so their staging files go too.

    The file store lives as long as the session's app, while each test's rows do not: an
    upload a test leaves open (refused at its first chunk or at finish, or past a deadline
    that no freeze in the test ever reached) would otherwise stay in the staging area for
    the next test, which the deadline freeze clears in production.
    """
    from app.core.storage import STAGING_DIR

    staging = app.extensions["tenderhall_store"].root / STAGING_DIR
    if staging.is_dir():
        for path in staging.iterdir():
            path.unlink(missing_ok=True)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()
