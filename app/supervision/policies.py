"""Who watches which lots and handles or answers which warnings."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.supervision.models import SupervisionWarning
from bidding.policies import is_provincial_supervisor


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_supervisor(user: Any) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def is_provincial(user: Any) -> bool:
    return is_provincial_supervisor(user)


def can_watch_centre(user: Any, centre_id: int | None) -> bool:
    return is_supervisor(user) and (user.centre_id is None or user.centre_id == centre_id)


def can_handle_warning(user: Any, warning: SupervisionWarning) -> bool:
    """Send, read, close and order corrections: the supervisors of the warning's centre
    (a warning of no centre, such as a rule's own failure, concerns every supervisor)."""
    return is_supervisor(user) and (
        warning.centre_id is None or can_watch_centre(user, warning.centre_id)
    )


def can_answer_warning(user: Any, warning: SupervisionWarning) -> bool:
    return _active(user) and warning.responsible_id == user.id


def can_see_warning(user: Any, warning: SupervisionWarning) -> bool:
    return can_handle_warning(user, warning) or can_answer_warning(user, warning)


def ensure_supervisor(user: Any) -> None:
    if not is_supervisor(user):
        raise Forbidden(_l("只有监督人员可以查看电子监察。"))


def ensure_can_handle_warning(user: Any, warning: SupervisionWarning) -> None:
    if not can_handle_warning(user, warning):
        raise Forbidden(_l("只有本中心的监督人员可以处理该预警。"))


def ensure_can_answer_warning(user: Any, warning: SupervisionWarning) -> None:
    if not can_answer_warning(user, warning):
        raise Forbidden(_l("您不是该预警的责任人，不能答复。"))


def ensure_can_see_warning(user: Any, warning: SupervisionWarning) -> None:
    if not can_see_warning(user, warning):
        raise Forbidden(_l("您无权查看该预警。"))
