"""Committees, venues, review and scoring, reports and signatures; the rooms websockets server."""

from typing import Any


def init_app(app: Any) -> None:
    from app.core.extensions import api
    from app.core.rooms import register_room_policy
    from remote_eval import (
        committee,  # noqa: F401  (registers the sign-in and commitment exit checks)
        election,  # noqa: F401  (registers the election's exit check)
        jobs,
        session_api,
    )
    from remote_eval.policies import EVAL, may_join_eval
    from remote_eval.ws import rooms_cli

    app.cli.add_command(rooms_cli)
    api.register_blueprint(session_api.blp)
    register_room_policy(EVAL, may_join_eval)
    jobs.register(app)
