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
