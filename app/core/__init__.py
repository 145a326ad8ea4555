"""The ground floor (no procurement words); its own pages: language switch, inbox, health."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from app.core import views
    from app.core.audit import register_jobs
    from app.core.nav import install

    register_jobs()

    app.register_blueprint(views.bp)
    install(app)
