"""The rules of the result stages that several services share: which law a lot follows,
its periods (from bidding.clocks, fed by the settings and the centre's own), who bid,
and the reasons for passing over a candidate."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from app.core.auth.models import Role, User
from app.core.calendar import calendar_for
from app.core.clock import WorkCalendar
from app.core.extensions import db
from app.core.i18n import N_
from bidding import clocks
from bidding.bids.models import bidder_org_ids
from bidding.methods import rule_for
from bidding.models import Lot

# The reasons the law allows for passing over the first candidate (招标投标法实施条例
# art. 55; 政府采购法实施条例 art. 49): it gave up the award, cannot perform the contract
# (or did not give the performance security), or was found to have cheated.
PASS_OVER_REASONS: dict[str, str] = {
    "gave_up": N_("中标候选人放弃中标"),
    "cannot_perform": N_("因不可抗力不能履行合同，或未按要求提交履约保证金"),
    "cheated": N_("被查实存在影响中标结果的违法行为"),
}


def is_procurement(lot: Lot) -> bool:
    """Government procurement (政府采购法) rather than engineering tendering (招标投标法):
    goods and services, or any method other than open and invited tendering."""
    return not lot.category_code.startswith("A") or not rule_for(lot.project.method).is_tendering


def valid_bids_minimum(lot: Lot) -> int | None:
    """The fewest valid bids with which a tendered lot keeps its result, or None.

    Open and invited tendering need three: with fewer valid bids the competition the law
    requires is missing (政府采购法 art. 36; 招标投标法实施条例 art. 19 reads the same
    count at the deadline), so the evaluation ends the lot as 废标. Negotiation,
    consultation and inquiry have their own special cases and keep what the committee found.
    """
    if not rule_for(lot.project.method).is_tendering:
        return None
    return int(current_app.config["MIN_BIDS_TO_OPEN"])


def period(lot: Lot, key: str, default: int) -> int:
    project = lot.project
    return clocks.result_period_days(
        key, project.method.value, default, current_app.config, project.centre.settings
    )


def calendar(lot: Lot) -> WorkCalendar:
    return calendar_for(lot.project.centre_id)


def publish_by(lot: Lot, report_at: dt.datetime) -> dt.datetime:
    days = period(lot, "publicity_within_days", clocks.DEFAULT_PUBLICITY_WITHIN_DAYS)
    return clocks.publicity_publish_by(report_at, days, calendar(lot))


def publicity_days(lot: Lot) -> int:
    return period(lot, "publicity_min_days", clocks.DEFAULT_PUBLICITY_MIN_DAYS)


def bidder_ids(lot: Lot) -> set[int]:
    return bidder_org_ids(lot.id)


def agency_staff(lot: Lot) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.organisation_id == lot.project.agency_id,
                User.role == Role.STAFF,
                User.is_active_flag.is_(True),
            )
        ).scalars()
    )


def supervisors(lot: Lot) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.centre_id == lot.project.centre_id,
                User.role == Role.SUPERVISOR,
                User.is_active_flag.is_(True),
            )
        ).scalars()
    )


def supplier_users(org_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.organisation_id == org_id,
                User.role == Role.SUPPLIER,
                User.is_active_flag.is_(True),
            )
        ).scalars()
    )


def staff_link(lot: Lot) -> str:
    return f"/results/lots/{lot.id}"


def supplier_link(lot: Lot) -> str:
    return f"/results/lots/{lot.id}/mine"
