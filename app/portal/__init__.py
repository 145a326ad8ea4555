"""Public portal: announcements, detail pages, documents, OCDS feed (no login)."""

from typing import Any


def init_app(app: Any) -> None:
    from app.core.extensions import api
    from app.portal import api as portal_api
    from app.portal import (
        open_data,
        printable,  # noqa: F401  (the announcement PDF route on views.bp)
        views,
    )

    app.register_blueprint(views.bp)
    api.register_blueprint(portal_api.blp)
    open_data.init_app(app)
