"""Upgrading an empty database gives exactly the models' schema; downgrade undoes it."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app.core.extensions import db
from app.factory import create_app


@pytest.fixture
def empty_database_url() -> Iterator[str]:
    base = os.environ.get("TENDERHALL_TEST_DATABASE_URL")
    if not base:
        path = os.path.join(tempfile.mkdtemp(prefix="th-mig-"), "empty.db")
        yield f"sqlite:///{path}"
        return
    import psycopg

    root, _name = base.rsplit("/", 1)
    name = f"th_mig_{uuid.uuid4().hex[:10]}"
    admin = root.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{root}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_empty_equals_models_and_downgrade_works(empty_database_url: str) -> None:
    app = create_app({"DATABASE_URL": empty_database_url, "INSTANCE_PATH": tempfile.mkdtemp()})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"migrations drift from the models: {diff}"
        downgrade(revision="base")
        url = db.engine.url
        db.engine.dispose()
    engine = create_engine(url)
    try:
        remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert remaining == set()
