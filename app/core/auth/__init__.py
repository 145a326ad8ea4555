"""Users, organisations, roles, login, two-factor and API tokens."""

from typing import Any


def init_app(app: Any) -> None:
    from app.core.auth import api, views
    from app.core.auth.cli import users_cli
    from app.core.extensions import api as rest

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.cli.add_command(users_cli)
