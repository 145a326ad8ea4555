from __future__ import annotations

from sqlalchemy import text

from app.core.audit import record
from app.core.audit.service import verify
from app.core.extensions import db


def _three_entries() -> None:
    for i in range(3):
        record("test.action", data={"i": i})
    db.session.commit()


def test_untouched_chain_verifies() -> None:
    _three_entries()
    result = verify()
    assert result.ok and result.checked == 3


def test_changed_row_is_caught() -> None:
    _three_entries()
    db.session.execute(text("UPDATE audit_entry SET data = :d WHERE seq = 2"), {"d": '{"i":99}'})
    db.session.commit()
    result = verify()
    assert not result.ok and result.broken_seq == 2


def test_removed_row_is_caught() -> None:
    _three_entries()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    db.session.commit()
    result = verify()
    assert not result.ok and result.broken_seq == 2


def test_removed_tail_is_caught() -> None:
    _three_entries()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    db.session.commit()
    assert not verify().ok
