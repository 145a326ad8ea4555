"""Service ratings (好差评): suppliers rate a lot's centre and agency after the award."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.scheduler import register_job

    from . import api as ratings_api
    from . import jobs, models, views, workbench

    del models  # imported for its tables
    app.register_blueprint(views.bp)
    api.register_blueprint(ratings_api.blp)
    workbench.register()
    register_job("ratings.default", jobs.default_ratings, jobs.SWEEP_SECONDS)
    register_nav(
        "ratings.index",
        _l("服务评价"),
        ["supplier", "staff", "supervisor"],
        order=84,
        when=views.sees_ratings,
    )
