"""Who may do what with the expert pool, draws and invitations: every rule under one name.

Checked in views and again in services. The relations to a draw, named as in
bidding.policies:
- request and run: staff of the lot's agency, or staff of the centre running it;
- oversee: supervisors and administrators read every draw and its audit trail, but never
  run, cancel or reveal one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from app.core.extensions import db
from app.core.masking import mask_id_card, mask_phone
from bidding.models import Lot
from experts.models import Draw, Expert, Invitation


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_l("您无权执行此操作。"))


# ---------------------------------------------------------------- the pool
def is_centre_staff(user: Any, centre_id: int | None = None) -> bool:
    """Staff of a centre (of this one when given); administrators count as every centre's."""
    if not _authenticated(user):
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


def can_manage_pool(user: Any, centre_id: int | None) -> bool:
    """Staff of the centre whose pool it is (a user without a centre manages none)."""
    return centre_id is not None and is_centre_staff(user, centre_id)


def can_record_credit(user: Any, centre_id: int | None) -> bool:
    """An expert's credit record: the pool's own staff, or the supervisors of its centre
    (who enter the authorities' decisions, 诚信记录)."""
    if can_manage_pool(user, centre_id):
        return True
    return (
        _authenticated(user)
        and user.role == Role.SUPERVISOR
        and centre_id is not None
        and user.centre_id == centre_id
    )


def can_open_pool(user: Any) -> bool:
    """The pool page shows the pool of the user's own centre: its menu entry follows this."""
    return _authenticated(user) and can_manage_pool(user, user.centre_id)


def expert_of(user: Any) -> Expert | None:
    """The pool record of an expert's own account."""
    if not _authenticated(user) or user.role != Role.EXPERT:
        return None
    return db.session.execute(select(Expert).where(Expert.user_id == user.id)).scalar_one_or_none()


def can_act_for_expert(user: Any, expert: Expert) -> bool:
    """The expert themself, or staff of their pool: read the record, declare relations, leave."""
    own = expert_of(user)
    return (own is not None and own.id == expert.id) or can_manage_pool(user, expert.centre_id)


def can_see_contact(user: Any, expert: Expert) -> bool:
    """An expert's whole phone number: the staff of the centre whose pool holds them, and
    the expert themself. Administrators (who manage every pool), other centres, venue,
    agency and supervision staff see it masked: none of them calls an expert directly."""
    if not _authenticated(user):
        return False
    own = expert_of(user)
    if own is not None and own.id == expert.id:
        return True
    return user.role == Role.STAFF and is_centre_staff(user, expert.centre_id)


def shown_phone(user: Any, expert: Expert) -> str:
    """The expert's phone as `user` may read it, wherever it is shown or exported."""
    return expert.phone if can_see_contact(user, expert) else mask_phone(expert.phone)


def shown_id_card(expert: Expert) -> str:
    """Only the last four digits are kept (and a hash to find duplicates): everyone,
    the pool's staff included, reads the number masked."""
    return mask_id_card(tail=expert.id_card_tail)


# ---------------------------------------------------------------- draws
def can_list_draws(user: Any) -> bool:
    return _authenticated(user) and user.role in (Role.STAFF, Role.SUPERVISOR, Role.ADMIN)


def can_request_draw(user: Any, lot: Lot) -> bool:
    """The lot's agency staff, or staff of the centre running it."""
    if not _authenticated(user) or user.role != Role.STAFF:
        return False
    return user.organisation_id == lot.project.agency_id or is_centre_staff(
        user, lot.project.centre_id
    )


def can_oversee_draws(user: Any) -> bool:
    """Supervisors and administrators read every draw and its audit trail (all centres)."""
    return _authenticated(user) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def can_view_draw(user: Any, draw: Draw) -> bool:
    if not _authenticated(user):
        return False
    lot = db.session.get(Lot, draw.lot_id)
    return lot is not None and (can_request_draw(user, lot) or can_oversee_draws(user))


def can_run_draw(user: Any, draw: Draw) -> bool:
    """Run, resume, cancel or reveal: those who may see the draw, except its overseers."""
    return can_view_draw(user, draw) and not can_oversee_draws(user)


def can_appraise(user: Any, expert: Expert, lot: Lot) -> bool:
    """Those who requested the lot's draw, or staff of the expert's pool."""
    return can_request_draw(user, lot) or can_manage_pool(user, expert.centre_id)


# ---------------------------------------------------------------- invitations
def can_receive_invitations(user: Any) -> bool:
    return _authenticated(user) and user.role == Role.EXPERT


def can_answer(user: Any, invitation: Invitation) -> bool:
    """Only the invited expert answers, declares a conflict or signs in."""
    expert = expert_of(user)
    return expert is not None and invitation.expert_id == expert.id


# ---------------------------------------------------------------- ensure_* (403 otherwise)
def ensure_can_manage_pool(user: Any, centre_id: int | None) -> None:
    _ensure(can_manage_pool(user, centre_id))


def ensure_can_record_credit(user: Any, centre_id: int | None) -> None:
    _ensure(can_record_credit(user, centre_id))


def ensure_can_act_for_expert(user: Any, expert: Expert) -> None:
    _ensure(can_act_for_expert(user, expert))


def ensure_can_list_draws(user: Any) -> None:
    _ensure(can_list_draws(user))


def ensure_can_request_draw(user: Any, lot: Lot) -> None:
    _ensure(can_request_draw(user, lot))


def ensure_can_oversee_draws(user: Any) -> None:
    _ensure(can_oversee_draws(user))


def ensure_can_view_draw(user: Any, draw: Draw) -> None:
    _ensure(can_view_draw(user, draw))


def ensure_can_run_draw(user: Any, draw: Draw) -> None:
    _ensure(can_run_draw(user, draw))


def ensure_can_appraise(user: Any, expert: Expert, lot: Lot) -> None:
    _ensure(can_appraise(user, expert, lot))


def ensure_can_receive_invitations(user: Any) -> None:
    _ensure(can_receive_invitations(user))


def ensure_can_answer(user: Any, invitation: Invitation) -> None:
    _ensure(can_answer(user, invitation))
