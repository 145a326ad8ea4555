"""Work queued for after the commit waits for the transaction itself, not a savepoint
inside it, and a rolled-back savepoint drops only what was queued inside it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.core.extensions import db
from app.core.realtime import after_commit


def test_savepoints_neither_run_nor_drop_the_transactions_work(app: Any) -> None:
    ran: list[str] = []
    db.session.execute(text("SELECT 1"))
    after_commit(lambda: ran.append("outer"))
    with db.session.begin_nested():
        after_commit(lambda: ran.append("kept"))
    assert ran == []  # releasing a savepoint is not a commit
    try:
        with db.session.begin_nested():
            after_commit(lambda: ran.append("dropped"))
            raise RuntimeError("a rule's fault")
    except RuntimeError:
        pass
    assert ran == []
    db.session.commit()
    assert ran == ["outer", "kept"]


def test_a_rollback_drops_everything_queued(app: Any) -> None:
    ran: list[str] = []
    db.session.execute(text("SELECT 1"))
    after_commit(lambda: ran.append("x"))
    db.session.rollback()
    db.session.commit()
    assert ran == []
