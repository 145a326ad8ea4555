"""The organisation-kind data migration: market agencies become intermediaries (中介机构),
procurement agencies stay where they are, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import tempfile
from typing import Any

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.core.extensions import db
from app.factory import create_app
from tests.core.test_migrations import empty_database_url  # noqa: F401

WHEN = "2026-12-01 00:00:00+00:00"


def _org(conn: Any, name: str) -> int:
    conn.execute(
        text(
            "INSERT INTO organisation (kind, name, region, contact_name, contact_phone, address,"
            " legal_rep, blacklist_reason, created_at)"
            " VALUES ('agency', :name, '', '', '', '', '', '', :at)"
        ),
        {"name": name, "at": WHEN},
    )
    return int(
        conn.execute(text("SELECT id FROM organisation WHERE name = :n"), {"n": name}).scalar_one()
    )


def _kinds(conn: Any) -> dict[str, str]:
    return dict(conn.execute(text("SELECT name, kind FROM organisation")).all())


def test_market_agencies_become_intermediaries_and_back(empty_database_url: str) -> None:  # noqa: F811
    app = create_app({"DATABASE_URL": empty_database_url, "INSTANCE_PATH": tempfile.mkdtemp()})
    with app.app_context():
        upgrade(revision="20261203_methods2")
        with db.engine.begin() as conn:
            market = _org(conn, "某环评公司")
            _org(conn, "某招标代理公司")
            conn.execute(
                text(
                    "INSERT INTO market_agency (org_id, intro, staff, fees, cases, status,"
                    " status_reason, credit_score, registered_at)"
                    " VALUES (:id, '', '[]', '[]', '[]', 'active', '', 60, :at)"
                ),
                {"id": market, "at": WHEN},
            )
        upgrade(revision="20261204_sealed")
        with db.engine.connect() as conn:
            assert _kinds(conn) == {"某环评公司": "intermediary", "某招标代理公司": "agency"}
            # SQLite rebuilds the table for its CHECK: the children must survive it.
            assert conn.execute(text("SELECT count(*) FROM market_agency")).scalar_one() == 1
        downgrade(revision="20261203_methods2")
        with db.engine.connect() as conn:
            assert _kinds(conn) == {"某环评公司": "agency", "某招标代理公司": "agency"}
        downgrade(revision="base")
        db.engine.dispose()
