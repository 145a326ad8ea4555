"""Cross-cutting pages: language switch, inbox, health; the navigation registry."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from app.audit import register_jobs
    from app.core import views
    from app.core.nav import install

    register_jobs()

    app.register_blueprint(views.bp)
    install(app)
