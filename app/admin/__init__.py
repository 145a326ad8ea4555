"""Platform administration: centres, holiday calendars, organisations, users."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.admin import api, views
    from app.core.extensions import api as rest
    from app.core.nav import register_nav

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    register_nav("admin.centres", _l("系统管理"), ["admin"], order=90)
