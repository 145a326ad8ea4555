"""Who may see and act on a lot's result: the one home of these rules.

- manage: the project's agency staff publish, answer objections and challenges, award,
  file the contract (the purchaser's own staff may file the contract too);
- oversee: supervisors (and admins) of the centre read everything; supervisors alone
  decide complaints (投诉);
- a bidder sees the published notices, its own filings and its own notice, never
  another bidder's filing.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot, can_supervise_lot
from bidding.results import rules
from bidding.results.models import FilingKind, ResultFiling

NO_ACCESS = _l("您无权查看该标段的评标结果。")


def is_bidder(user: Any, lot: Lot) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.SUPPLIER
        and user.organisation_id is not None
        and user.organisation_id in rules.bidder_ids(lot)
    )


def can_read_result(user: Any, lot: Lot) -> bool:
    """The staff page: the agency and the centre's overseers."""
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def can_file_contract(user: Any, lot: Lot) -> bool:
    if can_manage_lot(user, lot):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.STAFF
        and user.organisation_id == lot.project.purchaser_id
    )


def can_answer(user: Any, filing: ResultFiling) -> bool:
    """Objections and challenges are answered by the agency; complaints by supervisors."""
    if filing.kind == FilingKind.COMPLAINT:
        return can_supervise_lot(user, filing.lot)
    return can_manage_lot(user, filing.lot)


def can_see_filing(user: Any, filing: ResultFiling) -> bool:
    if can_read_result(user, filing.lot):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.SUPPLIER
        and user.organisation_id == filing.supplier_id
    )


def ensure_can_read_result(user: Any, lot: Lot) -> None:
    if not can_read_result(user, lot):
        raise Forbidden(NO_ACCESS)


def ensure_can_follow_result(user: Any, lot: Lot) -> None:
    """A lot's filings and contracts: its staff and overseers, and those who bid on it."""
    if not (can_read_result(user, lot) or is_bidder(user, lot)):
        raise Forbidden(NO_ACCESS)


def ensure_bidder(user: Any, lot: Lot) -> None:
    if not is_bidder(user, lot):
        raise Forbidden(_l("只有参加本标段投标的供应商可以提出异议、质疑或投诉。"))


def ensure_can_answer(user: Any, filing: ResultFiling) -> None:
    if not can_answer(user, filing):
        if filing.kind == FilingKind.COMPLAINT:
            raise Forbidden(_l("投诉由本中心的监督人员处理。"))
        raise Forbidden(_l("只有本项目代理机构的工作人员可以答复。"))


def ensure_can_see_filing(user: Any, filing: ResultFiling) -> None:
    if not can_see_filing(user, filing):
        raise Forbidden(_l("您无权查看该记录。"))


def ensure_can_file_contract(user: Any, lot: Lot) -> None:
    if not can_file_contract(user, lot):
        raise Forbidden(_l("只有采购人或本项目代理机构的工作人员可以备案合同。"))


def ensure_can_record_negotiation(user: Any, lot: Lot) -> None:
    """单一来源: the project's agency staff record the price negotiation."""
    if not can_manage_lot(user, lot):
        raise Forbidden(_l("只有本项目代理机构的工作人员可以记录价格谈判。"))
