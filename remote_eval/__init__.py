"""Committees, venues, rooms, review and scoring, reports and signatures; the rooms server."""

from typing import Any


def init_app(app: Any) -> None:
    from app.core import rooms
    from app.core.extensions import api
    from remote_eval.ws import rooms_cli

    api.register_blueprint(rooms.blp)
    app.cli.add_command(rooms_cli)
