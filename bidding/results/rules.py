"""The rules of the result stages that several services share: which law a lot follows,
its periods (from bidding.clocks, fed by the settings and the centre's own), who bid,
and the reasons for passing over a candidate."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.auth.models import Role, User
from app.core.calendar import calendar_for
from app.core.clock import WorkCalendar
from app.core.extensions import db
from app.core.i18n import N_
from bidding import clocks
from bidding.bids.models import bidder_org_ids
from bidding.methods import ResultWords, rule_for
from bidding.models import Lot

# The reasons the law allows for passing over the first candidate (招标投标法实施条例
# art. 55; 政府采购法实施条例 art. 49): it gave up the award, cannot perform the contract
# (or did not give the performance security), or was found to have cheated.
PASS_OVER_REASONS: dict[str, str] = {
    # In the method's words (%(c)s 中标候选人, %(w)s 中标, or 成交…).
    "gave_up": N_("%(c)s放弃%(w)s"),
    "cannot_perform": N_("因不可抗力不能履行合同，或未按要求提交履约保证金"),
    "cheated": N_("被查实存在影响%(w)s结果的违法行为"),
}


def pass_over_labels(lot: Lot) -> dict[str, str]:
    """The reasons of PASS_OVER_REASONS in the reader's language and the lot's words."""
    words = rule_for(lot.project.method).result_words
    return {k: _(v, c=_(words.candidates), w=_(words.word)) for k, v in PASS_OVER_REASONS.items()}


def is_procurement(lot: Lot) -> bool:
    """Government procurement (政府采购法) rather than engineering tendering (招标投标法):
    goods and services, or any method other than open and invited tendering."""
    return not lot.category_code.startswith("A") or not rule_for(lot.project.method).is_tendering


def words(lot: Lot) -> ResultWords:
    """中标 or 成交: the words of the lot's result (N_ msgids), from its method."""
    return rule_for(lot.project.method).result_words


def has_candidate_publicity(lot: Lot) -> bool:
    """Whether the candidates are published for objections before the award (招标), or
    the result is confirmed and announced straight after the review (the other methods)."""
    return rule_for(lot.project.method).candidate_publicity


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
    """When the first publication after the report is due: the candidates' publicity, or
    for a method without one, the result announcement."""
    if not has_candidate_publicity(lot):
        days = period(
            lot, "deal_result_within_working_days", clocks.DEFAULT_DEAL_RESULT_WITHIN_WORKING_DAYS
        )
        return clocks.deal_result_publish_by(report_at, days, calendar(lot))
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
