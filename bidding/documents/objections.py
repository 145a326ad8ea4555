"""Objections to the documents (异议): filing suspends the lot until every one is answered."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, NotFound, TooLate
from app.core.extensions import db
from app.core.notify import notify
from bidding import actions, clocks, hooks
from bidding.documents.downloads import supplier_lot_link
from bidding.documents.forms import clean_text
from bidding.documents.models import Objection, ObjectionStatus
from bidding.documents.policies import OPEN_STATUSES, ensure_downloader, ensure_supplier_org
from bidding.labels import method_label
from bidding.methods import rule_for
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot
from bidding.projects import lock_lot


def _last_days(lot: Lot) -> int:
    return clocks.objection_last_days_before_deadline(
        current_app.config, lot.project.centre.settings
    )


def publicity_days(lot: Lot) -> int:
    """Working days the method's publicity runs open to objections (单一来源), else 0."""
    return rule_for(lot.project.method).publicity_working_days


def objection_last_moment(lot: Lot) -> dt.datetime | None:
    """The end (24:00 CST) of the last day an objection may be filed: for a method with a
    publicity, the end of the publicity (from the day the lot was published); otherwise
    the documents' own limit before the bid deadline."""
    days = publicity_days(lot)
    if days:
        if lot.doc_start_at is None:
            return None
        return clocks.publicity_objection_end(
            lot.doc_start_at, days, calendar_for(lot.project.centre_id)
        )
    if lot.bid_deadline is None:
        return None
    return clocks.objection_deadline(lot.bid_deadline, _last_days(lot))


def objection_window_open(lot: Lot) -> bool:
    """Whether an objection filed now is in time."""
    last = objection_last_moment(lot)
    return last is not None and clock.now() < last


def answer_days(lot: Lot) -> int:
    return clocks.objection_answer_days(current_app.config, lot.project.centre.settings)


def file_objection(lot: Lot, user: User, text: str) -> Objection:
    """File an objection to the documents (or, for a method with a publicity, to the
    publicity: any supplier may object during it); the lot is suspended until answered."""
    publicity = publicity_days(lot)
    org = ensure_supplier_org(user, activity="objection", lot=lot) if publicity else None
    if org is None:
        org = ensure_downloader(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("该标段当前不接受对招标文件的异议。"))
    text = clean_text(text, "text", _l("异议内容"))
    last = objection_last_moment(lot)
    now = clock.now()
    if publicity and not objection_window_open(lot):
        raise TooLate(
            _l(
                "%(m)s公示期为 %(n)s 个工作日，已于 %(t)s（北京时间）结束，不再受理异议。",
                m=method_label(lot.project.method),
                n=publicity,
                t=formatting.cst_until(last),
            )
        )
    if not objection_window_open(lot):
        raise TooLate(
            _l(
                "对招标文件的异议须在投标截止时间 %(d)s 日前提出，最后期限为 %(t)s（北京时间），现已逾期。",
                d=_last_days(lot),
                t=formatting.cst_until(last),
            )
        )
    due = clocks.objection_answer_due(now, answer_days(lot), calendar_for(lot.project.centre_id))
    lock_lot(lot)
    obj = Objection(
        lot_id=lot.id,
        supplier_id=org.id,
        user_id=user.id,
        text=text,
        filed_at=now,
        answer_due_at=due,
        status=ObjectionStatus.PENDING,
    )
    db.session.add(obj)
    if lot.status == LotStatus.PUBLISHED:
        lot.status = LotStatus.SUSPENDED
        lot.status_reason = str(
            _l(
                "供应商对招标文件提出异议，暂停至答复为止（答复期限 %(t)s）。",
                t=formatting.cst_until(due),
            )
        )
        db.session.flush()
        record(
            actions.LOT_SUSPENDED, lot, {"reason": "objection", "answer_due_at": due.isoformat()}
        )
    db.session.flush()
    record(actions.OBJECTION_FILED, obj, {"lot_id": lot.id, "answer_due_at": due.isoformat()})
    _notify_agency(
        lot,
        str(_l("收到对招标文件的异议：%(lot)s", lot=lot.name)),
        str(_l("请在 %(t)s（北京时间）前答复。标段已暂停。", t=formatting.cst_until(due))),
    )
    return obj


def _notify_agency(lot: Lot, title: str, body: str) -> None:
    staff = db.session.execute(
        select(User).where(
            User.organisation_id == lot.project.agency_id,
            User.role == Role.STAFF,
            User.is_active_flag.is_(True),
        )
    ).scalars()
    for member in staff:
        notify(member, "objection", title, body, f"/staff/lots/{lot.id}/objections")


def answer_objection(obj: Objection, user: User, answer: str) -> Objection:
    lot = obj.lot
    ensure_can_manage_lot(user, lot)
    if obj.status != ObjectionStatus.PENDING:
        raise Conflict(_l("该异议已答复。"))
    answer = clean_text(answer, "answer", _l("答复内容"))
    now = clock.now()
    lock_lot(lot)
    obj.answer = answer
    obj.answered_by_id = user.id
    obj.answered_at = now
    obj.status = ObjectionStatus.ANSWERED
    db.session.flush()
    record(
        actions.OBJECTION_ANSWERED,
        obj,
        {"lot_id": lot.id, "overdue": now >= obj.answer_due_at},
    )
    still_pending = db.session.execute(
        select(func.count())
        .select_from(Objection)
        .where(Objection.lot_id == lot.id, Objection.status == ObjectionStatus.PENDING)
    ).scalar_one()
    if still_pending == 0 and lot.status == LotStatus.SUSPENDED and not hooks.suspension_held(lot):
        lot.status = LotStatus.PUBLISHED
        lot.status_reason = ""
        db.session.flush()
        record(actions.LOT_RESUMED, lot, {"reason": "objection_answered", "objection_id": obj.id})
    notify(
        obj.user,
        "objection_answered",
        str(_l("您对“%(lot)s”招标文件的异议已答复", lot=lot.name)),
        answer,
        supplier_lot_link(lot),
    )
    return obj


def objections_of(lot: Lot) -> list[Objection]:
    """Pending first; callers decide who may see them and whether the objector is named."""
    return list(
        db.session.execute(
            select(Objection)
            .where(Objection.lot_id == lot.id)
            .order_by(Objection.status.desc(), Objection.filed_at)
        ).scalars()
    )


def own_objections(lot: Lot, user: User) -> list[Objection]:
    if user.organisation_id is None:
        return []
    return list(
        db.session.execute(
            select(Objection)
            .where(Objection.lot_id == lot.id, Objection.supplier_id == user.organisation_id)
            .order_by(Objection.filed_at)
        ).scalars()
    )


def get_objection(oid: int) -> Objection:
    obj = db.session.get(Objection, oid)
    if obj is None:
        raise NotFound(_l("异议不存在。"))
    return obj
