"""The life of a warning: pending → sent → answered → read → closed, each step with a
deadline; escalation when one passes; a correction order (纠错) that suspends the lot.

Every change is one transaction with its audit entry; a refused attempt (answering a
warning one is not responsible for, closing one twice …) changes nothing and is audited
by the caller (`audit_refusal`) after the rollback.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, DomainError, NotFound, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from app.supervision import actions, live, policies, warning_text
from app.supervision.models import CorrectionStatus, Level, SupervisionWarning, WarningStatus
from app.supervision.steps import escalated_due, step_due
from bidding import suspension
from bidding.models import Lot, LotStatus, Project

MAX_TEXT = 4000


def get(warning_id: int, user: Any) -> SupervisionWarning:
    w = db.session.get(SupervisionWarning, warning_id)
    if w is None:
        raise NotFound(_l("预警不存在。"))
    policies.ensure_can_see_warning(user, w)
    return w


def _text(value: str | None, *, required: bool, field: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_l("请填写内容。"), field=field)
    if len(text) > MAX_TEXT:
        raise ValidationError(_l("内容不能超过 4000 字。"), field=field)
    return text


def responsible_candidates(w: SupervisionWarning) -> list[User]:
    """Who may be made responsible: the lot's agency staff; with no lot, administrators."""
    if w.lot_id is not None:
        lot = db.session.get(Lot, w.lot_id)
        stmt = select(User).where(
            User.organisation_id == lot.project.agency_id, User.role == Role.STAFF
        )
    else:
        stmt = select(User).where(User.role == Role.ADMIN)
    return list(
        db.session.execute(
            stmt.where(User.is_active_flag.is_(True)).order_by(User.display_name)
        ).scalars()
    )


def _link(w: SupervisionWarning) -> str:
    return f"/supervision/warnings/{w.id}"


def _changed(w: SupervisionWarning) -> None:
    db.session.flush()
    if w.lot_id is not None:
        live.lots_changed([w.lot_id], kind="warning")


def send(w: SupervisionWarning, user: User, responsible_id: int, message: str) -> None:
    policies.ensure_can_handle_warning(user, w)
    if w.status != WarningStatus.PENDING:
        raise Conflict(_l("该预警已经发出，不能再次发出。"))
    person = next((u for u in responsible_candidates(w) if u.id == responsible_id), None)
    if person is None:
        raise ValidationError(
            _l("请选择该标段代理机构的工作人员作为责任人。"), field="responsible_id"
        )
    now = clock.now()
    w.status, w.responsible_id, w.sent_by_id, w.sent_at = (
        WarningStatus.SENT,
        person.id,
        user.id,
        now,
    )
    w.message = _text(message, required=False, field="message")
    w.step_due_at = step_due(WarningStatus.SENT, now)
    _changed(w)
    record(actions.WARNING_SENT, w, {"responsible": person.id, "due": w.step_due_at.isoformat()})
    notify(
        person,
        "supervision_warning",
        _("监督预警待答复：%(t)s", t=warning_text.title(w)),
        _(
            "%(s)s 请在 %(d)s（北京时间）前答复。",
            s=warning_text.sentence(w),
            d=formatting.cst(w.step_due_at),
        ),
        _link(w),
    )


def answer(w: SupervisionWarning, user: User, text: str) -> None:
    policies.ensure_can_answer_warning(user, w)
    if w.status != WarningStatus.SENT:
        raise Conflict(_l("该预警已答复，不能重复答复。"))
    now = clock.now()
    w.answer = _text(text, required=True, field="answer")
    w.status, w.answered_at = WarningStatus.ANSWERED, now
    w.step_due_at = step_due(WarningStatus.ANSWERED, now)
    _changed(w)
    record(actions.WARNING_ANSWERED, w, {"escalations": w.escalations})
    sender = db.session.get(User, w.sent_by_id) if w.sent_by_id else None
    if sender is not None:
        notify(
            sender,
            "supervision_warning",
            _("预警已答复：%(t)s", t=warning_text.title(w)),
            w.answer[:500],
            _link(w),
        )


def mark_read(w: SupervisionWarning, user: User) -> None:
    policies.ensure_can_handle_warning(user, w)
    if w.status != WarningStatus.ANSWERED:
        raise Conflict(_l("只有已答复的预警可以标记为已阅。"))
    now = clock.now()
    w.status, w.read_at = WarningStatus.READ, now
    w.step_due_at = step_due(WarningStatus.READ, now)
    _changed(w)
    record(actions.WARNING_READ, w, {})


def close(w: SupervisionWarning, user: User, note: str) -> None:
    policies.ensure_can_handle_warning(user, w)
    if w.status == WarningStatus.CLOSED:
        raise Conflict(_l("该预警已办结，不能重复办结。"))
    if w.correction == CorrectionStatus.ORDERED:
        raise Conflict(_l("纠错尚未完成，不能办结该预警。"))
    if w.status == WarningStatus.SENT:
        raise Conflict(_l("责任人尚未答复，不能办结该预警。"))
    # Closing without sending is dismissing the signal: the reason must be on record.
    note = _text(note, required=w.status == WarningStatus.PENDING, field="note")
    now = clock.now()
    if w.status == WarningStatus.ANSWERED:
        w.read_at = now
    w.status, w.closed_at, w.closed_by_id, w.close_note = WarningStatus.CLOSED, now, user.id, note
    w.open_key, w.step_due_at = None, now
    _changed(w)
    record(actions.WARNING_CLOSED, w, {"note": note})


def order_correction(w: SupervisionWarning, user: User, note: str) -> None:
    policies.ensure_can_handle_warning(user, w)
    if w.status == WarningStatus.CLOSED:
        raise Conflict(_l("该预警已办结。"))
    if w.lot_id is None:
        raise Conflict(_l("该预警不涉及具体标段，不能责令纠错。"))
    if w.correction == CorrectionStatus.ORDERED:
        raise Conflict(_l("已责令纠错，尚未完成。"))
    note = _text(note, required=True, field="note")
    lot = db.session.get(Lot, w.lot_id)
    previous = suspension.suspend(
        lot, user, _("监督人员责令纠错，暂停至纠错完成：%(n)s", n=note), why="correction"
    )
    w.correction, w.correction_note, w.resume_status = (
        CorrectionStatus.ORDERED,
        note,
        previous.value,
    )
    _changed(w)
    record(actions.CORRECTION_ORDERED, w, {"lot_id": lot.id, "note": note})
    for person in [w.responsible] if w.responsible else responsible_candidates(w):
        notify(
            person,
            "supervision_correction",
            _("责令纠错，标段已暂停：%(lot)s", lot=lot.name),
            note,
            _link(w),
        )


def finish_correction(w: SupervisionWarning, user: User) -> None:
    policies.ensure_can_handle_warning(user, w)
    if w.correction != CorrectionStatus.ORDERED:
        raise Conflict(_l("该预警没有进行中的纠错。"))
    lot = db.session.get(Lot, w.lot_id)
    w.correction = CorrectionStatus.DONE
    db.session.flush()
    others = db.session.execute(
        select(SupervisionWarning.id).where(
            SupervisionWarning.lot_id == lot.id,
            SupervisionWarning.correction == CorrectionStatus.ORDERED,
        )
    ).first()
    if others is None:  # the last correction on the lot lifts the suspension
        suspension.resume(lot, user, LotStatus(w.resume_status), why="correction_done")
    _changed(w)
    record(actions.CORRECTION_DONE, w, {"lot_id": lot.id})


def escalate_overdue(now: Any = None) -> int:
    """Warnings past the deadline of their step (not sent, or not answered): raised to red,
    a new deadline, and the supervisors of the centre and the province told."""
    now = now or clock.now()
    overdue = db.session.execute(
        select(SupervisionWarning).where(
            SupervisionWarning.status.in_((WarningStatus.PENDING, WarningStatus.SENT)),
            SupervisionWarning.step_due_at < now,
        )
    ).scalars()
    n = 0
    for w in overdue:
        w.escalations += 1
        w.escalated_at, w.level = now, Level.RED
        w.step_due_at = escalated_due(now)
        _changed(w)
        record(
            actions.WARNING_ESCALATED,
            w,
            {"times": w.escalations, "step": w.status.value},
            actor=None,
        )
        for person in _escalation_audience(w):
            notify(
                person,
                "supervision_escalated",
                _("预警逾期升级：%(t)s", t=warning_text.title(w)),
                warning_text.sentence(w),
                _link(w),
            )
        n += 1
    return n


def _escalation_audience(w: SupervisionWarning) -> list[User]:
    """The supervisors of the warning's centre and the provincial ones (and, for one
    awaiting its answer, the person responsible)."""
    stmt = select(User).where(User.role == Role.SUPERVISOR, User.is_active_flag.is_(True))
    if w.centre_id is not None:
        stmt = stmt.where(or_(User.centre_id.is_(None), User.centre_id == w.centre_id))
    people = list(db.session.execute(stmt).scalars())
    if w.responsible is not None and w.status == WarningStatus.SENT:
        people.append(w.responsible)
    return people


def audit_refusal(warning_id: int, command: str, exc: DomainError, user: Any) -> None:
    """After the rollback: one record of a refused attempt on a warning, committed."""
    db.session.rollback()
    record(
        actions.WARNING_REFUSED,
        object_type="supervision_warning",
        object_id=warning_id,
        data={"command": command, "code": exc.code, "message": str(exc.message)[:300]},
        actor=user,
    )
    db.session.commit()


def warnings_for(
    user: Any, *, status: str = "", lot_id: int | None = None
) -> list[SupervisionWarning]:
    """Supervisors: their centre's (all for the provincial one); others: theirs to answer."""
    stmt = select(SupervisionWarning)
    if policies.is_supervisor(user):
        if user.centre_id is not None:
            stmt = stmt.where(
                or_(
                    SupervisionWarning.centre_id == user.centre_id,
                    SupervisionWarning.centre_id.is_(None),
                )
            )
    else:
        stmt = stmt.where(SupervisionWarning.responsible_id == user.id)
    if status:
        stmt = stmt.where(SupervisionWarning.status == WarningStatus(status))
    if lot_id is not None:
        stmt = stmt.where(SupervisionWarning.lot_id == lot_id)
    stmt = stmt.order_by(
        (SupervisionWarning.status == WarningStatus.CLOSED),
        SupervisionWarning.step_due_at,
        SupervisionWarning.id,
    ).limit(500)
    return list(db.session.execute(stmt).scalars())


def lot_of(w: SupervisionWarning) -> tuple[Lot | None, Project | None]:
    lot = db.session.get(Lot, w.lot_id) if w.lot_id else None
    return lot, (lot.project if lot else None)
