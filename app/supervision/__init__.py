"""Supervision (电子监察): dashboards of the centre's lots and the audit log browser."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.supervision import api as supervision_api
    from app.supervision import ratings, statistics, views, workbench

    app.register_blueprint(views.bp)
    api.register_blueprint(supervision_api.blp)
    workbench.register()
    statistics.init_app(app)
    ratings.init_app(app)
    register_nav("supervision.dashboard", _l("监督看板"), ["supervisor"], order=80)
    register_nav("supervision.bond_signals", _l("保证金同源预警"), ["supervisor"], order=82)
    register_nav("supervision.audit", _l("审计日志"), ["supervisor", "admin"], order=85)
