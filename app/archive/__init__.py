"""Project archives (项目档案): a signed, self-verifying ZIP of everything about a lot.

`contents` lists what goes in, `build` streams the package into the store and signs its
manifest, `verify` checks one (the same checks as the standalone scripts/verify_archive.py).
"""

from typing import Any


def init_app(app: Any) -> None:
    from app.archive import api, build, models, views  # noqa: F401  (models: tables)
    from app.archive.cli import archive_cli
    from app.archive.retention import hold
    from app.core.extensions import api as smorest
    from app.core.scheduler import register_job
    from bidding import hooks

    app.register_blueprint(views.bp)
    hooks.register_retention_hold(hold)
    smorest.register_blueprint(api.blp)
    app.cli.add_command(archive_cli)
    register_job(
        "archive.build_due", build.build_due, int(app.config.get("ARCHIVE_SWEEP_SECONDS", 600))
    )
