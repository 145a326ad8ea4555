"""The ground floor (no procurement words): extensions, database types, clock, errors,
audit, auth, crypto, storage, notifications, rooms infrastructure, search, formatting,
request helpers, the scheduler; its own pages: language switch, inbox, health."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from app.core import (
        auth,
        keys,
        notify,  # noqa: F401  (tables)
        realtime,  # noqa: F401  (tables)
        rooms,
        search,  # noqa: F401  (tables)
        views,
    )
    from app.core.audit import register_jobs
    from app.core.audit.cli import audit_cli
    from app.core.extensions import api
    from app.core.nav import install
    from app.core.scheduler import scheduler_cli

    auth.init_app(app)
    app.register_blueprint(views.bp)
    api.register_blueprint(rooms.blp)
    app.register_blueprint(keys.bp)
    api.register_blueprint(keys.blp)
    app.cli.add_command(audit_cli)
    app.cli.add_command(scheduler_cli)
    register_jobs()
    install(app)
