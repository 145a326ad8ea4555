"""Who keeps the inspection lists, runs campaigns and enters results."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.inspections.models import Campaign


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_inspections(user: Any) -> bool:
    """The supervisors of a centre keep its lists and run its campaigns."""
    return _authenticated(user) and user.role == Role.SUPERVISOR and user.centre_id is not None


def can_manage_campaign(user: Any, campaign: Campaign) -> bool:
    return can_manage_inspections(user) and user.centre_id == campaign.centre_id


def can_enter_result(user: Any, campaign: Campaign, target_id: int) -> bool:
    """An inspector of the target's team, or a supervisor of the centre."""
    if can_manage_campaign(user, campaign):
        return True
    if not _authenticated(user):
        return False
    from app.inspections.queries import team_user_ids

    return user.id in team_user_ids(campaign, target_id)


def ensure_can_manage_inspections(user: Any) -> None:
    if not can_manage_inspections(user):
        raise Forbidden(_l("只有交易中心的监督人员可以管理双随机抽查。"))


def ensure_can_manage_campaign(user: Any, campaign: Campaign) -> None:
    if not can_manage_campaign(user, campaign):
        raise Forbidden(_l("只有本中心的监督人员可以办理该抽查活动。"))


def ensure_can_enter_result(user: Any, campaign: Campaign, target_id: int) -> None:
    if not can_enter_result(user, campaign, target_id):
        raise Forbidden(_l("只有该检查对象的检查组成员可以录入检查结果。"))


NOT_DRAWN = _l("该抽查活动尚未抽取。")
