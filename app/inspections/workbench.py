"""What random inspections ask of a user now: results to enter, results to publish."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.extensions import db
from app.core.workbench import TodoItem, Urgency, register_provider
from app.inspections import campaigns, policies, queries
from app.inspections.models import Campaign, CampaignStatus

INSPECTOR_ROLES = ("supervisor", "staff", "admin")


def results_to_enter(user: Any) -> list[TodoItem]:
    return [
        TodoItem(
            kind="inspections.results",
            title=_("录入抽查结果：%(t)s", t=c.title),
            url=url_for("inspections.campaign", campaign_id=c.id),
            detail=_("您所在检查组还有 %(n)s 项结果未录入", n=missing),
            urgency=Urgency.SOON,
        )
        for c, missing in queries.open_work(user)
    ]


def results_to_publish(user: Any) -> list[TodoItem]:
    if not policies.can_manage_inspections(user):
        return []
    drawn = db.session.execute(
        select(Campaign).where(
            Campaign.centre_id == user.centre_id, Campaign.status == CampaignStatus.DRAWN
        )
    ).scalars()
    return [
        TodoItem(
            kind="inspections.publish",
            title=_("公开抽查结果：%(t)s", t=c.title),
            url=url_for("inspections.campaign", campaign_id=c.id),
        )
        for c in drawn
        if not campaigns.missing_results(c)
    ]


def register() -> None:
    register_provider(
        "inspections.results", _l("待录入的抽查结果"), results_to_enter, INSPECTOR_ROLES, order=70
    )
    register_provider(
        "inspections.publish", _l("待公开的抽查结果"), results_to_publish, ["supervisor"], order=71
    )
