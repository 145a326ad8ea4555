"""Expert pool, specialties, avoidance, verifiable draws, invitations, appraisal and credit."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from app.core.extensions import api
    from experts import api as experts_api
    from experts import (
        jobs,
        models,  # noqa: F401  (tables)
        views,
        workbench,
    )
    from experts.cli import experts_cli

    app.register_blueprint(views.bp)
    api.register_blueprint(experts_api.blp)
    app.cli.add_command(experts_cli)
    jobs.register(app)
    workbench.register()
    _init_prequal(app)


def _init_prequal(app: Any) -> None:
    """The prequalification committee: seated from a draw, which it then releases."""
    from app.core.extensions import api
    from bidding.prequal import views as prequal_pages
    from experts import draws, prequal_committee, prequal_views

    app.register_blueprint(prequal_views.bp)
    api.register_blueprint(prequal_views.blp)
    draws.register_released_check(prequal_committee.released)
    if prequal_committee.committee_panel not in prequal_pages.committee_panel_source:
        prequal_pages.committee_panel_source.append(prequal_committee.committee_panel)
