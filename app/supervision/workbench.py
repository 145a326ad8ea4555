"""What supervision and administration ask of a user now (the roof's workbench providers)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import Role, User
from app.core.extensions import db
from app.core.workbench import TodoItem, register_provider
from bidding.documents.models import Objection, ObjectionStatus
from bidding.models import Lot, Project


def overdue_objections(user: Any) -> list[TodoItem]:
    """Objections of the supervisor's centre left unanswered past their legal answer time:
    a warning for the supervisor to follow up with the agency."""
    if user.role != Role.SUPERVISOR or user.centre_id is None:
        return []
    rows = db.session.execute(
        select(Objection, Lot)
        .join(Lot, Lot.id == Objection.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(
            Project.centre_id == user.centre_id,
            Objection.status == ObjectionStatus.PENDING,
            Objection.answer_due_at < clock.now(),
        )
    ).all()
    return [
        TodoItem(
            kind="supervision.objections",
            title=_("督办：异议逾期未答复：%(lot)s", lot=f"{lot.code} {lot.name}"),
            url=url_for("bidding.project_detail", project_id=lot.project_id),
            due_at=objection.answer_due_at,
        )
        for objection, lot in rows
    ]


def locked_accounts(user: Any) -> list[TodoItem]:
    """Accounts locked by repeated failed logins: the administrator checks for an attack."""
    if user.role != Role.ADMIN:
        return []
    users = db.session.execute(
        select(User).where(User.locked_until > clock.now()).order_by(User.locked_until)
    ).scalars()
    return [
        TodoItem(
            kind="admin.locked",
            title=_(
                "账号因多次登录失败被锁定：%(name)s（%(username)s）",
                name=u.display_name,
                username=u.username,
            ),
            url=url_for("admin.user", user_id=u.id),
            due_at=u.locked_until,
            detail=_("到期自动解锁；如非本人操作，请联系该用户。"),
        )
        for u in users
    ]


def register() -> None:
    register_provider(
        "supervision.objections", _l("逾期未答复的异议"), overdue_objections, ("supervisor",), 1
    )
    register_provider("admin.locked", _l("被锁定的账号"), locked_accounts, ("admin",), 30)
    register_warnings()


def warnings_to_answer(user: Any) -> list[TodoItem]:
    """Warnings sent to this person, awaiting their answer."""
    from app.supervision import warning_text
    from app.supervision.models import SupervisionWarning, WarningStatus

    rows = db.session.execute(
        select(SupervisionWarning)
        .where(
            SupervisionWarning.responsible_id == user.id,
            SupervisionWarning.status == WarningStatus.SENT,
        )
        .order_by(SupervisionWarning.step_due_at)
    ).scalars()
    return [
        TodoItem(
            kind="supervision.answer",
            title=_("监督预警待答复：%(t)s", t=warning_text.title(w)),
            url=url_for("supervision_warnings.detail", warning_id=w.id),
            due_at=w.step_due_at,
            detail=warning_text.sentence(w),
        )
        for w in rows
    ]


def warnings_to_handle(user: Any) -> list[TodoItem]:
    """The supervisor's next step on the centre's warnings: send new ones, read answers."""
    from app.supervision import warning_flow, warning_text
    from app.supervision.models import WarningStatus

    if user.role != Role.SUPERVISOR:
        return []
    wanted = {
        WarningStatus.PENDING: _l("新预警待发出：%(t)s"),
        WarningStatus.ANSWERED: _l("预警已答复待阅：%(t)s"),
        WarningStatus.READ: _l("预警待办结：%(t)s"),
    }
    return [
        TodoItem(
            kind="supervision.handle",
            title=str(wanted[w.status]) % {"t": warning_text.title(w)},
            url=url_for("supervision_warnings.detail", warning_id=w.id),
            due_at=w.step_due_at,
            detail=warning_text.sentence(w),
        )
        for w in warning_flow.warnings_for(user)
        if w.status in wanted
    ][:100]


def register_warnings() -> None:
    register_provider(
        "supervision.answer",
        _l("待答复的监督预警"),
        warnings_to_answer,
        ("staff", "admin"),
        2,
    )
    register_provider("supervision.handle", _l("监督预警"), warnings_to_handle, ("supervisor",), 0)
