"""To-dos of service ratings: lots to rate (suppliers), follow-ups to answer or close."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.workbench import TodoItem, register_provider

from . import queries
from .labels import TARGET_LABELS
from .models import FollowUpStatus


def lots_to_rate(user: Any) -> list[TodoItem]:
    if user.role != Role.SUPPLIER:
        return []
    return [
        TodoItem(
            kind="ratings.rate",
            title=_("评价服务：%(lot)s", lot=f"{t.lot.code} {t.lot.name}"),
            url=url_for("ratings.rate", lot_id=t.lot.id),
            due_at=t.window.closes,
            detail=_("期满未评价的，系统按“满意”记录。"),
        )
        for t in queries.lots_to_rate(user)
    ]


def follow_ups_to_answer(user: Any) -> list[TodoItem]:
    if user.role != Role.STAFF:
        return []
    return [
        TodoItem(
            kind="ratings.answer",
            title=_(
                "答复差评整改：%(lot)s（%(target)s）",
                lot=f.rating.lot.code,
                target=TARGET_LABELS[f.rating.target.value],
            ),
            url=url_for("ratings.follow_up", follow_up_id=f.id),
            due_at=f.answer_due_at,
        )
        for f in queries.follow_ups_for(user)
        if f.status == FollowUpStatus.OPEN
    ]


def follow_ups_to_close(user: Any) -> list[TodoItem]:
    if user.role != Role.SUPERVISOR:
        return []
    return [
        TodoItem(
            kind="ratings.close",
            title=_(
                "办结差评整改：%(lot)s（%(target)s）",
                lot=f.rating.lot.code,
                target=TARGET_LABELS[f.rating.target.value],
            ),
            url=url_for("ratings.follow_up", follow_up_id=f.id),
            due_at=None,
        )
        for f in queries.follow_ups_for(user)
        if f.status == FollowUpStatus.ANSWERED
    ]


def register() -> None:
    register_provider("ratings.rate", _l("待评价的服务"), lots_to_rate, ("supplier",), 40)
    register_provider(
        "ratings.answer", _l("待答复的差评整改"), follow_ups_to_answer, ("staff",), 15
    )
    register_provider(
        "ratings.close", _l("待办结的差评整改"), follow_ups_to_close, ("supervisor",), 12
    )
