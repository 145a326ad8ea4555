"""The procurement intent (采购意向) of a project drawn on a plan line: what it states of the
line, and the rule that it is public for a month before the procurement notice.

Only projects on a plan line are government procurement under the plan (the plan, the
intent and the notice are its order, DOMAIN.md §3); others keep the intent optional.

The lawful exemption (财库〔2020〕10号: 因预算单位不可预见的原因急需开展的采购项目, 可不公开
采购意向): the agency records the reason, the centre's supervisors are told, and the notice
states it as 未公开采购意向的说明. A refusal by the rule is audited like every refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding import actions, clocks, policies
from bidding.forms import text_field
from bidding.models import (
    Announcement,
    AnnouncementKind,
    IntentExemption,
    Lot,
    LotStatus,
    Project,
)

# The reason must say what could not be foreseen and why the purchase cannot wait.
EXEMPTION_REASON_MIN_CHARS = 10


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


def exemption_of(project: Project) -> IntentExemption | None:
    return db.session.execute(
        select(IntentExemption).where(IntentExemption.project_id == project.id)
    ).scalar_one_or_none()


def _refused(exc: Conflict, project: Project, lots: Sequence[Lot]) -> Conflict:
    exc.audited(
        actions.INTENT_LEAD_REFUSED,
        project,
        {"project_code": project.code, "lot_ids": [lot.id for lot in lots]},
    )
    return exc


def check_intent_lead(project: Project, lots: Sequence[Lot], now: dt.datetime) -> None:
    """Refuse the procurement notice of a plan-line project whose intent is not yet public
    for the lead period, with the earliest lawful date (audited once the refusal is
    answered); a project with a recorded exemption passes."""
    if project.plan_line_id is None or exemption_of(project) is not None:
        return
    days = clocks.intent_lead_days(current_app.config, project.centre.settings or {})
    earliest = earliest_notice_date(project, lots)
    if earliest is None:
        raise _refused(
            Conflict(
                _(
                    "本项目使用采购计划“%(code)s”，须先公开采购意向，公开满 %(d)s 日后方可发布采购公告。",
                    code=project.plan_line.code if project.plan_line else "",
                    d=days,
                ),
                field="intent",
            ),
            project,
            lots,
        )
    if not clocks.reaches(now, earliest):
        raise _refused(
            Conflict(
                _(
                    "采购意向须在采购公告发布 %(d)s 日前公开（公开当日不计入）；本项目的采购意向于 "
                    "%(at)s 公开，采购公告最早可于 %(e)s 发布。",
                    d=days,
                    at=formatting.cst(first_intent_at(project, lots), formatting.CHINESE_DAY),
                    e=earliest.strftime(formatting.CHINESE_DAY),
                ),
                field="intent",
            ),
            project,
            lots,
        )


def record_exemption(user: User, project: Project, reason: Any) -> IntentExemption:
    """Record that the project goes to its notice without the 30-day intent, and why."""
    policies.ensure_can_manage_project(user, project)
    if project.plan_line_id is None:
        raise Conflict(_("本项目未使用采购计划，发布采购公告不受采购意向公开期限的限制。"))
    if all(lot.status != LotStatus.DRAFT for lot in project.lots):
        raise Conflict(_("本项目的采购公告已经发布，不能再登记未公开采购意向的说明。"))
    if exemption_of(project) is not None:
        raise Conflict(_("本项目已登记未公开采购意向的说明，登记后不能更改。"))
    text = text_field(reason, _("未公开采购意向的说明"), "", "reason", required=True, max_len=2000)
    if len(text) < EXEMPTION_REASON_MIN_CHARS:
        raise ValidationError(
            _(
                "请具体说明预算单位不可预见的原因和急需开展采购的理由（至少 %(n)s 个字）。",
                n=EXEMPTION_REASON_MIN_CHARS,
            ),
            field="reason",
        )
    row = IntentExemption(
        project_id=project.id, reason=text, recorded_by_id=user.id, recorded_at=clock.now()
    )
    db.session.add(row)
    db.session.flush()
    record(
        actions.INTENT_EXEMPTED,
        project,
        {
            "project_code": project.code,
            "plan_line_id": project.plan_line_id,
            "reason": text,
            "intent_published": first_intent_at(project, list(project.lots)) is not None,
        },
        actor=user,
    )
    _tell_supervisors(project, text)
    return row


def _tell_supervisors(project: Project, reason: str) -> None:
    """The centre's supervisors learn of every exemption as it is recorded."""
    link = url_for("bidding.project_detail", project_id=project.id)
    for account in db.session.execute(
        select(User).where(
            User.role == Role.SUPERVISOR,
            User.is_active_flag.is_(True),
            or_(User.centre_id == project.centre_id, User.centre_id.is_(None)),
        )
    ).scalars():
        notify(
            account,
            "intent",
            _("未公开采购意向：%(p)s", p=f"{project.code} {project.name}"),
            _("代理机构说明：%(r)s", r=reason),
            link,
        )
