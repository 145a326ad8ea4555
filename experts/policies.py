"""Named permission predicates for the pool and the draws, checked in views and services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from app.core.extensions import db
from bidding.models import Lot
from experts.models import Draw, Expert, Invitation


def _authed(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_centre_staff(user: Any, centre_id: int | None = None) -> bool:
    if not _authed(user):
        return False
    if user.role == Role.ADMIN:
        return True
    org = user.organisation
    return (
        user.role == Role.STAFF
        and org is not None
        and org.kind == OrgKind.CENTRE
        and (centre_id is None or user.centre_id == centre_id)
    )


def can_manage_pool(user: Any, centre_id: int) -> bool:
    return is_centre_staff(user, centre_id)


def can_request_draw(user: Any, lot: Lot) -> bool:
    """The lot's agency staff, or staff of the centre running it."""
    if not _authed(user) or user.role != Role.STAFF:
        return False
    return user.organisation_id == lot.project.agency_id or is_centre_staff(
        user, lot.project.centre_id
    )


def can_view_draw(user: Any, draw: Draw) -> bool:
    if not _authed(user):
        return False
    lot = db.session.get(Lot, draw.lot_id)
    return lot is not None and (can_request_draw(user, lot) or can_supervise(user))


def can_supervise(user: Any) -> bool:
    return _authed(user) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def expert_of(user: Any) -> Expert | None:
    if not _authed(user) or user.role != Role.EXPERT:
        return None
    return db.session.execute(select(Expert).where(Expert.user_id == user.id)).scalar_one_or_none()


def can_answer(user: Any, invitation: Invitation) -> bool:
    expert = expert_of(user)
    return expert is not None and invitation.expert_id == expert.id


def ensure(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_l("您无权执行此操作。"))
