"""Who may publish rooms, book seats, and ask, answer or read assistance requests.

- Rooms are published by the centre's own staff (`is_centre_officer`); published rooms
  are listed to staff and supervisors of every centre, since a centre chooses whom to ask.
- Seats at the main venue are booked by the lot's agency staff (`can_manage_lot`), in a
  room of the lot's own centre.
- An assistance request is read by the lot's agency staff, the staff of both centres and
  the supervisors of both centres — nobody else (administrators neither); the asked
  centre's staff answer it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot, is_agency_staff, is_centre_officer
from remote_eval.venues.models import AssistanceRequest, Venue

NO_VENUES = _l("只有交易中心工作人员可以管理评标室。")
NO_BOOKING = _l("只有本项目代理机构的工作人员可以为该标段预约工位。")
NO_ASSISTANCE = _l("您无权查看该协助请求。")
NO_ANSWER = _l("只有被请求交易中心的工作人员可以答复协助请求。")


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _supervisor_of(user: Any, centre_id: int) -> bool:
    return bool(
        _authenticated(user) and user.role == Role.SUPERVISOR and user.centre_id == centre_id
    )


def can_manage_venues(user: Any, centre_id: int | None) -> bool:
    return is_centre_officer(user, centre_id)


def can_see_venue(user: Any, venue: Venue) -> bool:
    if can_manage_venues(user, venue.centre_id):
        return True
    return bool(
        venue.published
        and _authenticated(user)
        and user.role in (Role.STAFF, Role.SUPERVISOR)
        and user.centre_id is not None
    )


def may_open_venues(user: Any) -> bool:
    """The rooms page: centre staff, agency staff and supervisors attached to a centre."""
    return bool(
        _authenticated(user)
        and user.centre_id is not None
        and (
            is_centre_officer(user, user.centre_id)
            or is_agency_staff(user)
            or user.role == Role.SUPERVISOR
        )
    )


def can_book_for_lot(user: Any, lot: Lot) -> bool:
    return can_manage_lot(user, lot)


def can_see_assistance(user: Any, item: AssistanceRequest, lot: Lot) -> bool:
    centres = (item.from_centre_id, item.to_centre_id)
    return (
        can_manage_lot(user, lot)
        or any(is_centre_officer(user, c) for c in centres)
        or any(_supervisor_of(user, c) for c in centres)
    )


def can_answer_assistance(user: Any, item: AssistanceRequest) -> bool:
    return is_centre_officer(user, item.to_centre_id)


def ensure_can_manage_venues(user: Any, centre_id: int | None) -> None:
    if not can_manage_venues(user, centre_id):
        raise Forbidden(NO_VENUES)


def ensure_can_see_venue(user: Any, venue: Venue) -> None:
    if not can_see_venue(user, venue):
        raise Forbidden(_l("您无权查看该评标室。"))


def ensure_can_book_for_lot(user: Any, lot: Lot) -> None:
    if not can_book_for_lot(user, lot):
        raise Forbidden(NO_BOOKING)


def ensure_can_see_assistance(user: Any, item: AssistanceRequest, lot: Lot) -> None:
    if not can_see_assistance(user, item, lot):
        raise Forbidden(NO_ASSISTANCE)


def ensure_can_answer_assistance(user: Any, item: AssistanceRequest) -> None:
    if not can_answer_assistance(user, item):
        raise Forbidden(NO_ANSWER)


def can_see_fee_sheet(user: Any, lot: Lot) -> bool:
    """The lot's agency, the main centre's staff, its supervisors and administrators."""
    return (
        can_manage_lot(user, lot)
        or can_oversee_lot(user, lot)
        or is_centre_officer(user, lot.project.centre_id)
    )


def ensure_can_see_fee_sheet(user: Any, lot: Lot) -> None:
    if not can_see_fee_sheet(user, lot):
        raise Forbidden(_l("您无权查看该标段的专家劳务费。"))
