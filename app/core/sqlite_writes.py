"""One writer at a time on a SQLite database, queued in the process instead of polled;
and `relax_durability` for a transaction whose commit need not wait for the disk.

SQLite lets one connection write at a time; the others wait in its busy handler, which
sleeps and retries with growing pauses (up to 100 ms each). Under a steady stream of
writes from several threads of one process that handler is unfair: a thread that has
already waited long polls every 100 ms while newcomers polling every 1-2 ms take the lock
first, so a few requests wait many times longer than the rest (the evaluation room's
fan-out benchmark saw 30 ms at the median and 600 ms at p99 for the same command).

Here a process-wide lock per database file is taken before the first write of a
transaction (where pysqlite opens it) and released as soon as the transaction commits or
rolls back, so waiting writers are woken when the lock frees, not at their next poll.
Reads take no lock: they run beside the writer as WAL allows. Other processes still meet
at SQLite's own lock and busy handler. A writer that cannot have the lock within the
connection's busy timeout goes ahead and lets SQLite decide, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

# pysqlite opens a transaction implicitly before these statements (and a savepoint opens
# one when none is open); the lock is taken then.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(database, threading.Lock())


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection that holds its database's writer lock for one transaction."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._th_wait = float(kwargs.get("timeout", args[0] if args else 5.0))
        # In-memory databases are private to their connection: nothing to share.
        name = str(database)
        self._th_lock = None if name in ("", ":memory:") or "mode=memory" in name else name
        self._th_held: threading.Lock | None = None
        self._th_synchronous: int | None = None  # the level to restore after a relaxed commit

    def th_before_write(self) -> None:
        if self._th_lock is None or self._th_held is not None or self.in_transaction:
            return
        lock = _lock_for(self._th_lock)
        if lock.acquire(timeout=self._th_wait):
            self._th_held = lock

    def _th_release(self) -> None:
        held, self._th_held = self._th_held, None
        if held is not None:
            held.release()

    def relax_next_commit(self) -> bool:
        """Let the next transaction commit without syncing the WAL (synchronous=NORMAL).

        SQLite changes the level only between transactions, so this works only before the
        transaction's first write; False means the commit keeps its full sync. The level
        comes back when the transaction ends, before the connection returns to the pool.
        """
        if self.in_transaction:
            return False
        if self._th_synchronous is None:
            self._th_synchronous = int(self.execute("PRAGMA synchronous").fetchone()[0])
            self.execute("PRAGMA synchronous=NORMAL")
        return True

    def _th_restore_sync(self) -> None:
        level, self._th_synchronous = self._th_synchronous, None
        if level is not None:
            self.execute(f"PRAGMA synchronous={level:d}")

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            # Still inside a transaction (the commit failed, e.g. busy): keep the lock.
            if not self.in_transaction:
                self._th_release()
                self._th_restore_sync()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._th_release()
            self._th_restore_sync()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._th_release()


def before_cursor_execute(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    """Engine hook: take the writer lock before the statement that opens a write."""
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, QueuedWriterConnection) and statement.lstrip()[:9].upper().startswith(
        _WRITES
    ):
        dbapi.th_before_write()


def relax_durability(session: Any) -> None:
    """Let the session's current transaction commit without waiting for the disk.

    For records worth less than the time of a disk sync, such as an upload's progress: a
    crash of the process loses nothing, a power failure may lose the last few such
    commits (never half of one), and the next fully synced commit makes them durable.
    PostgreSQL: synchronous_commit off for this transaction; SQLite: synchronous=NORMAL
    for it, when asked before its first write (otherwise it syncs as usual).
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, QueuedWriterConnection):
        dbapi.relax_next_commit()


def write_first(session: Any) -> None:
    """Open the session's transaction as a writer, for work that reads and then writes.

    On SQLite a transaction that has read and then writes after another process committed
    meets a newer snapshot and fails at once ("database is locked", no waiting), so such
    work — a background job beside several web processes — takes the write lock first:
    this process's writer queue, then BEGIN IMMEDIATE (which waits its busy timeout).
    Nothing on PostgreSQL, or when the transaction is already open.
    """
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi.in_transaction:
        return
    if isinstance(dbapi, QueuedWriterConnection):
        dbapi.th_before_write()
    conn.exec_driver_sql("BEGIN IMMEDIATE")
