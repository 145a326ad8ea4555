"""What bidding asks of a user now (the workbench's providers for this floor).

Each provider returns only what the user's own pages already show them, under the same
rules: agency staff learn nothing about who intends to bid before the deadline (no supplier
names, no bond counts), a supplier sees only its own organisation's bids and bonds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from app.core.workbench import TodoItem, Urgency, register_provider
from bidding.bids.models import (
    Bid,
    BidBond,
    BidStatus,
    BondKind,
    BondStatus,
    LotCustodian,
    Opening,
    OpeningStatus,
)
from bidding.bids.policies import can_run_bond_account
from bidding.documents.models import DocumentDownload, Objection, ObjectionStatus, Question
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Project
from bidding.policies import can_oversee_lot, is_agency_staff
from bidding.results.rules import staff_link

# Lots whose bidding is still under way (an objection suspends it without ending it).
_OPEN_STATUSES = (LotStatus.PUBLISHED, LotStatus.SUSPENDED)
# Lots whose opening may still need someone (closed at the deadline, or opened).
_OPENING_STATUSES = (LotStatus.PUBLISHED, LotStatus.SUSPENDED, LotStatus.CLOSED, LotStatus.OPENED)
_DONE_OPENINGS = (OpeningStatus.SIGNED, OpeningStatus.PUBLISHED)


def _lot_name(lot: Lot) -> str:
    return f"{lot.code} {lot.name}"


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    """Today in China Standard Time, 00:00 to 24:00, as aware datetimes."""
    day = clock.cst_date(clock.now())
    start = dt.datetime.combine(day, dt.time(0), tzinfo=clock.CST)
    return start, start + dt.timedelta(days=1)


def _managed_lots(user: Any) -> Any:
    """A select of the lots of the user's agency (the `manage` relation of bidding.policies)."""
    return (
        select(Lot)
        .join(Project, Project.id == Lot.project_id)
        .where(Project.agency_id == user.organisation_id)
    )


# ---------------------------------------------------------------- agency staff
def questions_to_answer(user: Any) -> list[TodoItem]:
    """One item per lot with unanswered questions; the askers stay unnamed."""
    if not is_agency_staff(user):
        return []
    rows = db.session.execute(
        _managed_lots(user)
        .add_columns(func.count(Question.id))
        .join(Question, Question.lot_id == Lot.id)
        .where(Question.answered_at.is_(None), Lot.status.in_(_OPEN_STATUSES))
        .group_by(Lot.id)
    ).all()
    return [
        TodoItem(
            kind="bidding.questions",
            title=_("答复 %(n)s 条提问：%(lot)s", n=n, lot=_lot_name(lot)),
            url=url_for("bidding_docs.staff_questions", lot_id=lot.id),
            due_at=lot.bid_deadline,
        )
        for lot, n in rows
    ]


def objections_to_answer(user: Any) -> list[TodoItem]:
    """Objections to the documents awaiting the agency's answer (the lot is suspended)."""
    if not is_agency_staff(user):
        return []
    rows = db.session.execute(
        _managed_lots(user)
        .add_columns(Objection)
        .join(Objection, Objection.lot_id == Lot.id)
        .where(Objection.status == ObjectionStatus.PENDING)
    ).all()
    return [
        TodoItem(
            kind="bidding.objections",
            title=_("答复异议：%(lot)s", lot=_lot_name(lot)),
            url=url_for("bidding_docs.staff_objections", lot_id=lot.id),
            due_at=objection.answer_due_at,
            detail=_("异议期间标段暂停，答复后恢复。"),
        )
        for lot, objection in rows
    ]


def guarantees_to_check(user: Any) -> list[TodoItem]:
    """Guarantee letters awaiting the check of the centre's own staff, one item per lot.

    The centre's bond account, not the agency, checks guarantees (`can_run_bond_account`);
    the agency is told nothing here, before or after the deadline: even a count before it
    would say how many intend to bid. The check is due by the deadline, since a supplier
    whose letter is still unchecked cannot count on it.
    """
    if not can_run_bond_account(user, user.centre_id):
        return []
    rows = db.session.execute(
        select(Lot, func.count(BidBond.id))
        .join(Project, Project.id == Lot.project_id)
        .join(BidBond, BidBond.lot_id == Lot.id)
        .where(
            Project.centre_id == user.centre_id,
            BidBond.kind == BondKind.GUARANTEE,
            BidBond.status == BondStatus.PENDING,
        )
        .group_by(Lot.id)
        .order_by(Lot.bid_deadline)
    ).all()
    return [
        TodoItem(
            kind="bidding.bonds",
            title=_("审核 %(n)s 份投标保函：%(lot)s", n=n, lot=_lot_name(lot)),
            url=url_for("bonds.desk"),
            due_at=lot.bid_deadline,
        )
        for lot, n in rows
    ]


# ---------------------------------------------------------------- openings
def _openings_today() -> list[tuple[Lot, Opening | None]]:
    start, end = _today_bounds()
    return [
        (lot, opening)
        for lot, opening in db.session.execute(
            select(Lot, Opening)
            .outerjoin(Opening, Opening.lot_id == Lot.id)
            .where(
                Lot.bid_deadline >= start,
                Lot.bid_deadline < end,
                Lot.status.in_(_OPENING_STATUSES),
            )
            .order_by(Lot.bid_deadline)
        ).all()
        if opening is None or opening.status not in _DONE_OPENINGS
    ]


def _opening_item(lot: Lot, title: str) -> TodoItem:
    return TodoItem(
        kind="bidding.openings",
        title=title,
        url=url_for("bids.hall_page", lot_id=lot.id),
        due_at=lot.bid_deadline,
        detail=lot.opening_place,
        # The opening starts at the deadline and runs after it: passed is not overdue.
        urgency=Urgency.TODAY,
        due_label=_("开标时间"),
    )


def openings_today(user: Any) -> list[TodoItem]:
    """Today's openings the user takes part in: as the lot's staff, as a custodian whose
    share is still to be presented, as a supervisor of the centre, or as a bidder."""
    items: list[TodoItem] = []
    for lot, _opening in _openings_today():
        if user.role == Role.SUPPLIER:
            if _has_current_bid(user, lot):
                items.append(
                    _opening_item(lot, _("今日开标，请按时签到：%(lot)s", lot=_lot_name(lot)))
                )
            continue
        custodian = db.session.execute(
            select(LotCustodian).where(
                LotCustodian.lot_id == lot.id, LotCustodian.user_id == user.id
            )
        ).scalar_one_or_none()
        if custodian is not None and custodian.presented_at is None:
            items.append(
                _opening_item(lot, _("今日开标，请出示密钥份额：%(lot)s", lot=_lot_name(lot)))
            )
        elif is_agency_staff(user) and lot.project.agency_id == user.organisation_id:
            items.append(_opening_item(lot, _("今日开标，请主持：%(lot)s", lot=_lot_name(lot))))
        elif user.role == Role.SUPERVISOR and can_oversee_lot(user, lot):
            items.append(_opening_item(lot, _("今日开标，请监督：%(lot)s", lot=_lot_name(lot))))
    return items


# ---------------------------------------------------------------- suppliers
def _supplier_org_id(user: Any) -> int | None:
    org = user.organisation
    return org.id if org is not None and org.kind == OrgKind.SUPPLIER else None


def _has_current_bid(user: Any, lot: Lot) -> bool:
    org_id = _supplier_org_id(user)
    if org_id is None:
        return False
    return (
        db.session.execute(
            select(Bid.id).where(
                Bid.lot_id == lot.id,
                Bid.supplier_id == org_id,
                Bid.status.in_((BidStatus.SUBMITTED, BidStatus.DECRYPTED)),
            )
        ).first()
        is not None
    )


def bids_to_submit(user: Any) -> list[TodoItem]:
    """Lots whose documents the supplier's organisation downloaded, open for bids, with no
    current bid of theirs yet."""
    org_id = _supplier_org_id(user)
    if org_id is None:
        return []
    submitted = select(Bid.lot_id).where(
        Bid.supplier_id == org_id, Bid.status == BidStatus.SUBMITTED
    )
    downloaded = select(DocumentDownload.lot_id).where(DocumentDownload.supplier_id == org_id)
    lots = db.session.execute(
        select(Lot).where(
            Lot.id.in_(downloaded),
            Lot.id.not_in(submitted),
            Lot.status.in_(_OPEN_STATUSES),
            Lot.bid_deadline > clock.now(),
        )
    ).scalars()
    return [
        TodoItem(
            kind="bidding.submit",
            title=_("递交投标文件：%(lot)s", lot=_lot_name(lot)),
            url=url_for("bids.lot_page", lot_id=lot.id),
            due_at=lot.bid_deadline,
            detail=_("已下载招标文件，尚未递交投标文件。"),
        )
        for lot in lots
    ]


def bonds_returned(user: Any) -> list[TodoItem]:
    """The supplier's own guarantee letters sent back by the reviewer, while it can still
    submit another before the deadline."""
    org_id = _supplier_org_id(user)
    if org_id is None:
        return []
    rows = db.session.execute(
        select(Lot, BidBond)
        .join(BidBond, BidBond.lot_id == Lot.id)
        .where(
            BidBond.supplier_id == org_id,
            BidBond.status == BondStatus.REJECTED,
            Lot.status.in_(_OPEN_STATUSES),
            Lot.bid_deadline > clock.now(),
        )
    ).all()
    return [
        TodoItem(
            kind="bidding.bond_returned",
            title=_("保函被退回，请重新提交：%(lot)s", lot=_lot_name(lot)),
            url=url_for("bids.lot_page", lot_id=lot.id),
            due_at=lot.bid_deadline,
            detail=bond.note,
        )
        for lot, bond in rows
    ]


def failures_to_announce(user: Any) -> list[TodoItem]:
    """Failed lots (流标 at the deadline, 废标 at the evaluation) whose notice is not out."""
    if not is_agency_staff(user):
        return []
    announced = select(Announcement.id).where(
        Announcement.lot_id == Lot.id, Announcement.kind == AnnouncementKind.FAILURE
    )
    lots = db.session.execute(
        _managed_lots(user).where(Lot.status == LotStatus.FAILED, ~announced.exists())
    ).scalars()
    return [
        TodoItem(
            kind="bidding.failures",
            title=_("发布流标/废标公告：%(lot)s", lot=_lot_name(lot)),
            url=staff_link(lot),
            detail=lot.status_reason,
        )
        for lot in lots
    ]


def register() -> None:
    register_provider(
        "bidding.failures", _l("待发布的流标/废标公告"), failures_to_announce, ("staff",), 16
    )
    register_provider(
        "bidding.objections", _l("待答复的异议"), objections_to_answer, ("staff",), order=10
    )
    register_provider(
        "bidding.questions", _l("待答复的提问"), questions_to_answer, ("staff",), order=12
    )
    register_provider(
        "bidding.openings",
        _l("今日开标"),
        openings_today,
        ("staff", "supervisor", "supplier"),
        order=5,
    )
    register_provider("bidding.bonds", _l("待审核的保函"), guarantees_to_check, ("staff",), 14)
    register_provider(
        "bidding.submit", _l("待递交的投标文件"), bids_to_submit, ("supplier",), order=8
    )
    register_provider(
        "bidding.bond_returned", _l("被退回的保函"), bonds_returned, ("supplier",), order=9
    )
