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
