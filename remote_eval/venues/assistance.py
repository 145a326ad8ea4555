"""Assistance requests (协助请求): the main centre asks another centre to host part of a
remote lot's committee — seats at a time, and experts drawn from its pool there.

The asked centre's staff accept (reserving seats of one of their rooms in the same
transaction) or decline with a reason, before the answer deadline; the scheduler marks
the requests nobody answered in time. Every step is audited on the request, and the
request is read only by both centres and their supervisors (`policies`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.errors import Conflict, NotFound, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.models import Lot
from experts import avoidance
from experts import settings as expert_settings
from experts.models import Draw, Specialty
from remote_eval.venues import actions, bookings, policies
from remote_eval.venues.models import (
    AssistanceRequest,
    AssistanceStatus,
    RemoteLot,
    Venue,
)


def get_request(request_id: int) -> AssistanceRequest:
    item = db.session.get(AssistanceRequest, request_id)
    if item is None:
        raise NotFound(_l("协助请求不存在。"))
    return item


def is_remote(lot: Lot) -> bool:
    return db.session.get(RemoteLot, lot.id) is not None


def mark_remote(lot: Lot, actor: User) -> RemoteLot:
    """The lot's agency marks it for remote cross-region evaluation (once)."""
    policies.ensure_can_book_for_lot(actor, lot)
    if lot.status in bookings.ENDED:
        raise Conflict(_l("标段“%(n)s”已无待评标的工作。", n=lot.name))
    row = db.session.get(RemoteLot, lot.id)
    if row is not None:
        return row
    row = RemoteLot(lot_id=lot.id, marked_by_id=actor.id, marked_at=clock.now())
    db.session.add(row)
    db.session.flush()
    record(actions.LOT_MARKED_REMOTE, lot, {"lot_id": lot.id}, actor=actor)
    return row


def _specialties(rows: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows or [], start=1):
        code = str(row.get("specialty") or "").strip()
        if not code or db.session.get(Specialty, code) is None:
            raise ValidationError(
                _l("第 %(n)s 项的评标专业代码“%(c)s”不存在。", n=n, c=code), field="specialties"
            )
        count = int(row.get("count") or 0)
        if count < 1:
            raise ValidationError(
                _l("第 %(n)s 项的专家人数须至少 1 人。", n=n), field="specialties"
            )
        out.append({"specialty": code, "count": count})
    return out


def eligible_shortfalls(
    lot: Lot, centre_id: int, at: dt.datetime, wanted: list[dict[str, Any]]
) -> list[str]:
    """Why the centre's pool cannot give these experts at that time (empty: it can).

    The same pools and avoidance as the draw itself, with the draw's reserves, so a request
    accepted here does not fail at the draw for want of experts known today.
    """
    probe = Draw(
        evaluation_at=at,
        pool_centre_ids=[centre_id],
        groups=[
            {
                "specialty": w["specialty"],
                "count": w["count"],
                "reserves": expert_settings.min_reserves(),
                "centre_id": centre_id,
                "slot": n,
            }
            for n, w in enumerate(wanted)
        ],
        excluded_ids=[],
    )
    pools = avoidance.compute_pools(probe, lot, avoidance.auto_avoided(lot))
    return avoidance.shortfalls(pools)


def request_assistance(lot: Lot, actor: User, data: dict[str, Any]) -> AssistanceRequest:
    policies.ensure_can_book_for_lot(actor, lot)
    if not is_remote(lot):
        raise Conflict(_l("请先将标段标记为远程异地评标，再向其他中心发协助请求。"))
    if lot.status in bookings.ENDED:
        raise Conflict(_l("标段“%(n)s”已无待评标的工作。", n=lot.name))
    home = lot.project.centre_id
    to_id = int(data["to_centre_id"])
    if to_id == home:
        raise ValidationError(
            _l("不能向本项目所属的交易中心发协助请求；主场工位请直接预约。"), field="to_centre_id"
        )
    target = db.session.get(Centre, to_id)
    if target is None:
        raise ValidationError(_l("交易中心不存在。"), field="to_centre_id")
    start: dt.datetime = data["start_at"]
    end: dt.datetime = data["end_at"]
    now = clock.now()
    if end <= start:
        raise ValidationError(_l("结束时间须晚于开始时间。"), field="end_at")
    if start <= now:
        raise TooLate(_l("评标时间须晚于当前时间。"), field="start_at")
    seats = int(data["seats"])
    wanted = _specialties(data.get("specialties"))
    experts = sum(w["count"] for w in wanted)
    if seats < 1:
        raise ValidationError(_l("请至少请求一个工位。"), field="seats")
    if experts > seats:
        raise ValidationError(
            _l("在该中心抽取的专家 %(e)s 人，多于请求的工位 %(s)s 个。", e=experts, s=seats),
            field="seats",
        )
    due: dt.datetime = data.get("answer_due_at") or min(
        now + dt.timedelta(hours=int(current_app.config["VENUE_ASSISTANCE_ANSWER_HOURS"])), start
    )
    if due <= now or due > start:
        raise ValidationError(
            _l("答复期限须在现在与评标开始（%(t)s 北京时间）之间。", t=formatting.cst(start)),
            field="answer_due_at",
        )
    messages = eligible_shortfalls(lot, to_id, start, wanted) if wanted else []
    if messages:
        raise ValidationError(
            _l("%(c)s的共享专家不足：%(m)s", c=target.name, m=" ".join(messages)),
            field="specialties",
        )
    item = AssistanceRequest(
        lot_id=lot.id,
        from_centre_id=home,
        to_centre_id=to_id,
        start_at=start,
        end_at=end,
        seats=seats,
        expert_count=experts,
        specialties=wanted,
        note=str(data.get("note") or "").strip()[:2000],
        answer_due_at=due,
        status=AssistanceStatus.PENDING,
        requested_by_id=actor.id,
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.ASSISTANCE_REQUESTED,
        item,
        {
            "lot_id": lot.id,
            "to_centre_id": to_id,
            "start_at": start.isoformat(),
            "end_at": end.isoformat(),
            "seats": seats,
            "specialties": wanted,
            "answer_due_at": due.isoformat(),
        },
        actor=actor,
    )
    _tell(item, _l("协助请求：%(lot)s", lot=lot.name), target_centre=to_id)
    return item


def _pending(item: AssistanceRequest) -> None:
    if item.status != AssistanceStatus.PENDING:
        raise Conflict(_l("该协助请求已答复或已结束，不能再答复。"))
    if clock.now() >= item.answer_due_at:
        raise TooLate(
            _l(
                "答复期限（%(t)s 北京时间）已过，不能再答复。",
                t=formatting.cst(item.answer_due_at),
            )
        )


def accept(item: AssistanceRequest, actor: User, venue: Venue) -> AssistanceRequest:
    """Accept and reserve the seats in one of the asked centre's rooms, in one transaction."""
    policies.ensure_can_answer_assistance(actor, item)
    _pending(item)
    if venue.centre_id != item.to_centre_id:
        raise ValidationError(_l("请选择本中心的评标室。"), field="venue_id")
    lot = db.session.get(Lot, item.lot_id)
    assert lot is not None
    booking = bookings.book_seats(
        lot, venue, actor, item.start_at, item.end_at, item.seats, assistance=item
    )
    item.status = AssistanceStatus.ACCEPTED
    item.booking_id = booking.id
    item.answered_by_id = actor.id
    item.answered_at = clock.now()
    db.session.flush()
    record(
        actions.ASSISTANCE_ACCEPTED,
        item,
        {"venue_id": venue.id, "booking_id": booking.id},
        actor=actor,
    )
    _tell(item, _l("协助请求已接受：%(lot)s", lot=lot.name), target_centre=item.from_centre_id)
    return item


def decline(item: AssistanceRequest, actor: User, reason: str) -> AssistanceRequest:
    policies.ensure_can_answer_assistance(actor, item)
    _pending(item)
    text = str(reason or "").strip()
    if len(text) < 2:
        raise ValidationError(_l("请说明拒绝的原因。"), field="reason")
    item.status = AssistanceStatus.DECLINED
    item.reason = text[:2000]
    item.answered_by_id = actor.id
    item.answered_at = clock.now()
    db.session.flush()
    record(actions.ASSISTANCE_DECLINED, item, {"reason": item.reason}, actor=actor)
    lot = db.session.get(Lot, item.lot_id)
    assert lot is not None
    _tell(item, _l("协助请求被拒绝：%(lot)s", lot=lot.name), target_centre=item.from_centre_id)
    return item


def expire_overdue() -> int:
    """Scheduler: pending requests past their deadline become expired (safe to re-run)."""
    rows = list(
        db.session.execute(
            select(AssistanceRequest).where(
                AssistanceRequest.status == AssistanceStatus.PENDING,
                AssistanceRequest.answer_due_at <= clock.now(),
            )
        ).scalars()
    )
    for item in rows:
        item.status = AssistanceStatus.EXPIRED
        db.session.flush()
        record(actions.ASSISTANCE_EXPIRED, item, {"answer_due_at": item.answer_due_at.isoformat()})
        lot = db.session.get(Lot, item.lot_id)
        if lot is not None:
            _tell(
                item,
                _l("协助请求逾期未答复：%(lot)s", lot=lot.name),
                target_centre=item.from_centre_id,
            )
    return len(rows)


def requests_for(user: User) -> list[AssistanceRequest]:
    """Requests the user may read, newest first (the policy decides per request)."""
    if user.centre_id is None:
        return []
    rows = db.session.execute(
        select(AssistanceRequest)
        .where(
            or_(
                AssistanceRequest.from_centre_id == user.centre_id,
                AssistanceRequest.to_centre_id == user.centre_id,
            )
        )
        .order_by(AssistanceRequest.id.desc())
        .limit(200)
    ).scalars()
    out = []
    for item in rows:
        lot = db.session.get(Lot, item.lot_id)
        if lot is not None and policies.can_see_assistance(user, item, lot):
            out.append(item)
    return out


def requests_of(lot: Lot) -> list[AssistanceRequest]:
    return list(
        db.session.execute(
            select(AssistanceRequest)
            .where(AssistanceRequest.lot_id == lot.id)
            .order_by(AssistanceRequest.id)
        ).scalars()
    )


def history(item: AssistanceRequest) -> list[Any]:
    """Every audit entry of the request, in log order (shown to those who may read it)."""
    from app.core.audit.models import AuditEntry

    return list(
        db.session.execute(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "venue_assistance",
                AuditEntry.object_id == str(item.id),
            )
            .order_by(AuditEntry.seq)
        ).scalars()
    )


def _tell(item: AssistanceRequest, title: Any, *, target_centre: int) -> None:
    """Inbox notes to the centre's staff who act on it (after commit)."""
    from app.core.auth.models import OrgKind, Role
    from app.core.auth.models import User as U

    staff = list(
        db.session.execute(
            select(U).where(U.centre_id == target_centre, U.role == Role.STAFF)
        ).scalars()
    )
    people = [
        u
        for u in staff
        if u.organisation is not None
        and (
            u.organisation.kind == OrgKind.CENTRE
            or (target_centre == item.from_centre_id and u.id == item.requested_by_id)
        )
    ]
    try:
        from flask import url_for

        link = url_for("venues.assistance_page", request_id=item.id)
    except Exception:  # outside a request (the scheduler): the inbox note has no link
        link = ""
    for person in people:
        notify(person, "assistance", str(title), str(title), link)
