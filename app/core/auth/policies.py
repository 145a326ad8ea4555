"""Named permission predicates, checked in views and again in services."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.auth.models import Role
from app.core.errors import Forbidden


def require_role(*roles: Role | str) -> Any:
    """View decorator: 401 when anonymous (via login_required semantics), 403 for a wrong role."""

    def deco(fn: Any) -> Any:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from app.core.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            ensure_role(current_user, *roles)
            return fn(*args, **kwargs)

        return wrapper

    return deco


def ensure_role(user: Any, *roles: Role | str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role(*roles):
        raise Forbidden(_l("您的角色无权执行此操作。"))
