"""Who may enter, lift and read credit records."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_record_credit(user: Any) -> bool:
    """Supervisors enter the authorities' decisions (their centre is kept on the record)."""
    return _authenticated(user) and user.role == Role.SUPERVISOR and user.centre_id is not None


def can_read_expert_credit(user: Any) -> bool:
    """Experts' records are not public: supervisors and administrators read them."""
    return _authenticated(user) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def ensure_can_record_credit(user: Any) -> None:
    if not can_record_credit(user):
        raise Forbidden(_l("只有监督人员可以登记或解除信用记录。"))


def ensure_can_read_expert_credit(user: Any) -> None:
    if not can_read_expert_credit(user):
        raise Forbidden(_l("专家信用记录不公开，仅监督人员和管理员可以查看。"))
