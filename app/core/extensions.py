"""Extensions created unbound; create_app() binds them."""

from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.auth.login import TokenFirstLoginManager
from app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = TokenFirstLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class _ApiRegistry:
    """One flask-smorest Api per app, so that several apps (tests, CLI) can live in one process.

    Packages call `api.register_blueprint(blp)` from their init_app, while create_app is
    building that app; the call goes to the Api of the app being built.
    """

    def __init__(self) -> None:
        self._current: Api | None = None

    def init_app(self, app: Any) -> None:
        self._current = Api(app)
        app.extensions["tenderhall_api"] = self._current

    def register_blueprint(self, blp: Any, **options: Any) -> None:
        assert self._current is not None, "api.init_app() must run first"
        self._current.register_blueprint(blp, **options)

    @property
    def spec(self) -> Any:
        from flask import current_app

        return current_app.extensions["tenderhall_api"].spec


api = _ApiRegistry()
