"""Who rates a lot's service, who answers a follow-up (整改), who closes it, who sees names."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from bidding.bids.models import bidder_org_ids
from bidding.models import Lot
from bidding.policies import is_agency_staff, is_centre_officer

from .models import RatingFollowUp, RatingTarget, ServiceRating


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_supplier(user: Any) -> bool:
    return bool(
        _authenticated(user) and user.role == Role.SUPPLIER and user.organisation_id is not None
    )


def took_part(user: Any, lot: Lot) -> bool:
    """A supplier whose organisation held a live bid on the lot (withdrawn ones did not)."""
    return is_supplier(user) and user.organisation_id in bidder_org_ids(lot.id)


def can_rate_lot(user: Any, lot: Lot) -> bool:
    return took_part(user, lot)


def is_rated_party(user: Any, rating: ServiceRating) -> bool:
    """The agency's own staff for an agency rating; the centre's own officers for the centre."""
    if rating.target == RatingTarget.AGENCY:
        return is_agency_staff(user) and user.organisation_id == rating.agency_id
    return is_centre_officer(user, rating.centre_id)


def is_centre_supervisor(user: Any, centre_id: int | None) -> bool:
    return bool(
        _authenticated(user) and user.role == Role.SUPERVISOR and user.centre_id == centre_id
    )


def can_answer_follow_up(user: Any, follow_up: RatingFollowUp) -> bool:
    return is_rated_party(user, follow_up.rating)


def can_close_follow_up(user: Any, follow_up: RatingFollowUp) -> bool:
    return is_centre_supervisor(user, follow_up.rating.centre_id)


def can_view_follow_up(user: Any, follow_up: RatingFollowUp) -> bool:
    return can_answer_follow_up(user, follow_up) or can_close_follow_up(user, follow_up)


def can_see_rater(user: Any, rating: ServiceRating) -> bool:
    """Real name to the platform, anonymous to the rated: only the centre's supervisors
    (and administrators) learn which supplier gave a rating."""
    if not _authenticated(user):
        return False
    if user.role == Role.ADMIN:
        return user.centre_id is None or user.centre_id == rating.centre_id
    return is_centre_supervisor(user, rating.centre_id)


def ensure_can_rate_lot(user: Any, lot: Lot) -> None:
    if not can_rate_lot(user, lot):
        raise Forbidden(_l("只有参与本标段投标的供应商可以评价。"))


def ensure_can_answer_follow_up(user: Any, follow_up: RatingFollowUp) -> None:
    if not can_answer_follow_up(user, follow_up):
        raise Forbidden(_l("只有被评价的单位可以答复这项整改。"))


def ensure_can_close_follow_up(user: Any, follow_up: RatingFollowUp) -> None:
    if not can_close_follow_up(user, follow_up):
        raise Forbidden(_l("只有本交易中心的监督人员可以办结整改。"))


def ensure_can_view_follow_up(user: Any, follow_up: RatingFollowUp) -> None:
    if not can_view_follow_up(user, follow_up):
        raise Forbidden(_l("您无权查看这项整改。"))
