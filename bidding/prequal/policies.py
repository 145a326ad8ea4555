"""Who may do what in a prequalification. The applicant list is secret like the
downloaders: the centre's supervisors see it at any time; the agency and the overseers
see the count until the application deadline, the names after it; the committee sees the
applications it reviews (only once the deadline has passed: it is seated after it)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.auth.models import Role
from app.core.errors import Forbidden
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot, can_supervise_lot
from bidding.prequal.models import Prequalification, PrequalMember


def deadline_passed(prequal: Prequalification) -> bool:
    return clock.now() >= prequal.application_deadline


def can_count_applicants(user: Any, lot: Lot) -> bool:
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def can_see_applicants(user: Any, prequal: Prequalification) -> bool:
    if can_supervise_lot(user, prequal.lot):
        return True
    return can_count_applicants(user, prequal.lot) and deadline_passed(prequal)


def member_of(user: Any, prequal: Prequalification) -> PrequalMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return next((m for m in prequal.members if m.user_id == user.id), None)


def is_supplier(user: Any) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.SUPPLIER
        and user.organisation_id is not None
    )


def ensure_can_count_applicants(user: Any, lot: Lot) -> None:
    if not can_count_applicants(user, lot):
        raise Forbidden(_l("您无权查看本标段的资格预审申请情况。"))
