"""The first audited writes of a fresh database race to create the log's head: all land."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import record
from app.core.audit.models import AuditEntry
from app.core.audit.service import verify
from app.core.extensions import db


def test_concurrent_first_entries_all_land_in_one_chain(app: Any) -> None:
    if db.engine.dialect.name == "sqlite":
        # SQLite transactions read without a lock, so concurrent writers of the log need
        # BEGIN IMMEDIATE; the multi-writer deployment is PostgreSQL, where this is checked.
        pytest.skip("concurrent writers are checked on PostgreSQL")
    db.session.remove()  # the test's own session must not hold a transaction open
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                record(f"test.first_{n}", data={"n": n})
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001  (reported to the test below)
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    seqs = db.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all()
    assert seqs == [1, 2, 3]
    assert verify().ok
