"""The procurement intent (采购意向) of a project drawn on a plan line: what it states of the
line, and the rule that it is public for a month before the procurement notice.

Only projects on a plan line are government procurement under the plan (the plan, the
intent and the notice are its order, DOMAIN.md §3); others keep the intent optional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core import formatting
from app.core.calendar import calendar_for
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import clocks
from bidding.models import Announcement, AnnouncementKind, Lot, Project


def plan_fields(project: Project) -> dict[str, Any]:
    """What the intent states of the plan line behind the project (nothing without one)."""
    line = project.plan_line
    if line is None:
        return {}
    return {
        "plan_code": line.code,
        "budget_item_code": line.budget_item_code,
        "plan_funding_source": line.funding_source,
        "plan_amount": line.amount,
    }


def first_intent_at(project: Project, lots: Sequence[Lot]) -> dt.datetime | None:
    """When the project's intent first went out, for the whole project or these lots
    (a corrected intent keeps the first one's date: the public knew from then)."""
    ids = [lot.id for lot in lots]
    return db.session.execute(
        select(func.min(Announcement.published_at)).where(
            Announcement.project_id == project.id,
            Announcement.kind == AnnouncementKind.INTENT,
            Announcement.published_at.is_not(None),
            or_(Announcement.lot_id.is_(None), Announcement.lot_id.in_(ids)),
        )
    ).scalar_one_or_none()


def earliest_notice_date(project: Project, lots: Sequence[Lot]) -> dt.date | None:
    """The first day the notice of these lots may go out; None if no intent is public."""
    first = first_intent_at(project, lots)
    if first is None:
        return None
    days = clocks.intent_lead_days(current_app.config, project.centre.settings or {})
    return clocks.earliest_notice_after_intent(first, days, calendar_for(project.centre_id))


def check_intent_lead(project: Project, lots: Sequence[Lot], now: dt.datetime) -> None:
    """Refuse the procurement notice of a plan-line project whose intent is not yet public
    for the lead period, with the earliest lawful date."""
    if project.plan_line_id is None:
        return
    days = clocks.intent_lead_days(current_app.config, project.centre.settings or {})
    earliest = earliest_notice_date(project, lots)
    if earliest is None:
        raise Conflict(
            _(
                "本项目使用采购计划“%(code)s”，须先公开采购意向，公开满 %(d)s 日后方可发布采购公告。",
                code=project.plan_line.code if project.plan_line else "",
                d=days,
            ),
            field="intent",
        )
    if not clocks.reaches(now, earliest):
        raise Conflict(
            _(
                "采购意向须在采购公告发布 %(d)s 日前公开（公开当日不计入）；本项目的采购意向于 "
                "%(at)s 公开，采购公告最早可于 %(e)s 发布。",
                d=days,
                at=formatting.cst(first_intent_at(project, lots), formatting.CHINESE_DAY),
                e=earliest.strftime(formatting.CHINESE_DAY),
            ),
            field="intent",
        )
