"""Statistics (统计分析): aggregate series as SVG charts, tables, CSV and JSON."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav

    from . import api as statistics_api
    from . import views

    app.register_blueprint(views.bp)
    api.register_blueprint(statistics_api.blp)
    register_nav("statistics.index", _l("统计分析"), ["supervisor", "admin"], order=83)
