"""Public portal: announcements, detail pages, documents, OCDS feed (no login)."""

from typing import Any


def init_app(app: Any) -> None:
    from app.portal import views

    app.register_blueprint(views.bp)
