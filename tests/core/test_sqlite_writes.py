"""Writers of one SQLite database queue in the process: a second writer waits for the first
transaction to end and is woken at once, reads never wait, and a rollback frees the lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from app.core import sqlite_writes
from app.core.extensions import db


def _engine(path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": 5, "factory": sqlite_writes.QueuedWriterConnection},
    )
    event.listen(engine, "before_cursor_execute", sqlite_writes.before_cursor_execute)

    @event.listens_for(engine, "connect")
    def _wal(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA journal_mode=WAL")

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    return engine


def test_the_apps_sqlite_connections_queue_their_writes(app) -> None:  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    raw = db.session.connection().connection.dbapi_connection
    assert isinstance(raw, sqlite_writes.QueuedWriterConnection)
    db.session.rollback()


def test_a_second_writer_waits_for_the_first_commit_and_reads_do_not(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "w.db")
    lock = sqlite_writes._lock_for(str(tmp_path / "w.db"))
    first = engine.connect()
    assert not lock.locked()
    first.execute(text("INSERT INTO t (v) VALUES ('first')"))
    assert lock.locked()  # the first write of the transaction took the database's lock
    order: list[str] = []

    def second_writer() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('second')"))
        order.append("second committed")

    t = threading.Thread(target=second_writer)
    t.start()
    time.sleep(0.3)
    # The second writer is parked on the lock, not failing; a reader is not held up.
    assert t.is_alive() and order == []
    with engine.connect() as reader:
        assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
    order.append("first commits")
    t0 = time.monotonic()
    first.commit()
    t.join(5)
    woken = time.monotonic() - t0
    first.close()
    assert order == ["first commits", "second committed"]
    assert not lock.locked()
    assert woken < 0.5  # woken when the lock frees, not at a 100 ms poll of the busy handler
    with engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t ORDER BY id")).scalars().all() == [
            "first",
            "second",
        ]
    engine.dispose()


def test_a_rolled_back_or_failed_writer_frees_the_lock(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "r.db")
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'kept')"))
        conn.commit()
        conn.execute(text("INSERT INTO t (v) VALUES ('undone')"))
        conn.rollback()
        with pytest.raises(Exception, match="UNIQUE"):
            conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'clash')"))
        conn.rollback()
    done = threading.Event()

    def writer() -> None:
        with engine.begin() as c:
            c.execute(text("INSERT INTO t (v) VALUES ('after')"))
        done.set()

    threading.Thread(target=writer).start()
    assert done.wait(2)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t ORDER BY id")).scalars().all() == [
            "kept",
            "after",
        ]
    engine.dispose()


def test_in_memory_databases_take_no_lock() -> None:
    conn = sqlite3.connect(":memory:", factory=sqlite_writes.QueuedWriterConnection)
    conn.th_before_write()  # type: ignore[attr-defined]
    assert conn._th_held is None  # type: ignore[attr-defined]
    conn.close()


def _sync_level(raw) -> str:  # type: ignore[no-untyped-def]
    cur = raw.cursor()
    if isinstance(raw, sqlite3.Connection):
        cur.execute("PRAGMA synchronous")
    else:
        cur.execute("SHOW synchronous_commit")
    return str(cur.fetchone()[0])


def test_a_relaxed_transaction_commits_without_waiting_for_the_disk_and_only_it(app) -> None:  # type: ignore[no-untyped-def]
    db.session.rollback()
    raw = db.session.connection().connection.dbapi_connection
    full = _sync_level(raw)
    sqlite_writes.relax_durability(db.session)
    relaxed = _sync_level(raw)
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert (full, relaxed) in (("2", "1"), ("on", "off"))  # SQLite FULL → NORMAL; PostgreSQL
    after = _sync_level(raw)
    if not isinstance(raw, sqlite3.Connection):
        raw.rollback()  # psycopg opened a transaction for the SHOW: leave the pooled one idle
    assert after == full  # back before the connection went back to the pool


def test_a_transaction_that_has_written_keeps_its_full_sync(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "r.db")
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA synchronous=FULL")
        conn.execute(text("INSERT INTO t (v) VALUES ('written')"))
        assert raw.relax_next_commit() is False  # SQLite cannot change it mid-transaction
        assert _sync_level(raw) == "2"
        conn.commit()
        assert raw.relax_next_commit() is True
        assert _sync_level(raw) == "1"
        conn.execute(text("INSERT INTO t (v) VALUES ('relaxed')"))
        conn.rollback()
        assert _sync_level(raw) == "2"  # a rollback restores it too
    engine.dispose()


def test_write_first_keeps_a_read_then_write_transaction_from_a_newer_snapshot(
    tmp_path: Path,
) -> None:
    """Two connections of two 'processes' (no shared writer queue): the one that read
    first and writes after the other committed fails at once without write_first."""
    from sqlalchemy.orm import Session

    path = tmp_path / "snap.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.commit()

    def run(first: bool) -> str:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 2})
        with Session(engine) as session:
            if first:
                sqlite_writes.write_first(session)
            else:
                session.execute(text("SAVEPOINT s"))  # a transaction that reads first
            session.execute(text("SELECT count(*) FROM t")).scalar()
            other = sqlite3.connect(path, timeout=0.2)
            try:
                other.execute("INSERT INTO t VALUES (1)")
                other.commit()
                outcome = "other wrote"
            except sqlite3.OperationalError:
                outcome = "other waited"
            finally:
                other.close()
            try:
                session.execute(text("INSERT INTO t VALUES (2)"))
                session.commit()
            except Exception as exc:  # noqa: BLE001 — the outcome is the assertion
                return f"{outcome}; ours failed: {type(exc).__name__}"
        engine.dispose()
        return f"{outcome}; ours wrote"

    assert run(first=False) == "other wrote; ours failed: OperationalError"
    assert run(first=True) == "other waited; ours wrote"
