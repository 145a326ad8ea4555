"""Committees, venues, review and scoring, reports and signatures; the rooms websockets server."""

from typing import Any


def init_app(app: Any) -> None:
    from remote_eval.ws import rooms_cli

    app.cli.add_command(rooms_cli)

    from app.core.extensions import api
    from remote_eval import review_api

    api.register_blueprint(review_api.blp)
