"""Who may file, review, read and draw on procurement plan lines.

- file: the purchaser's own staff (采购人), for their organisation, in its centre;
- review: the supervising finance office — the supervisors of the line's centre;
- read: the filing purchaser, the centre's supervisors and administrators, and the agency
  staff of the centre once a line is approved (they pick it when registering a project);
- draw: agency staff of the centre, for a project of the line's purchaser.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from bidding.plans.models import PlanLine, PlanStatus
from bidding.policies import can_oversee_centre, is_agency_staff


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def purchaser_centre_id(user: Any) -> int | None:
    """The centre a purchaser's staff file with: the organisation's, else the user's own."""
    org = user.organisation
    return (org.centre_id if org is not None else None) or user.centre_id


def is_purchaser_staff(user: Any) -> bool:
    """Staff of a purchaser organisation (采购人) attached to a centre."""
    return bool(
        _authenticated(user)
        and user.role == Role.PURCHASER
        and user.organisation is not None
        and user.organisation.kind == OrgKind.PURCHASER
        and purchaser_centre_id(user) is not None
    )


def can_file_plan(user: Any) -> bool:
    return is_purchaser_staff(user)


def is_own_line(user: Any, line: PlanLine) -> bool:
    return is_purchaser_staff(user) and user.organisation_id == line.purchaser_id


def can_review_plans(user: Any, centre_id: int | None = None) -> bool:
    """The finance office: supervisors of the centre (of any centre when none is named)."""
    return bool(
        _authenticated(user)
        and user.role == Role.SUPERVISOR
        and user.centre_id is not None
        and (centre_id is None or user.centre_id == centre_id)
    )


def can_view_line(user: Any, line: PlanLine) -> bool:
    if is_own_line(user, line) or can_oversee_centre(user, line.centre_id):
        return True
    return (
        is_agency_staff(user)
        and user.centre_id == line.centre_id
        and line.status == PlanStatus.APPROVED
    )


def can_list_plans(user: Any) -> bool:
    return (
        is_purchaser_staff(user)
        or can_review_plans(user)
        or (_authenticated(user) and user.role == Role.ADMIN)
        or is_agency_staff(user)
    )


def may_open_plans(user: Any) -> bool:
    """The menu entry's rule: the purchaser's staff and the finance office."""
    return is_purchaser_staff(user) or can_review_plans(user)


def can_draw_on_line(user: Any, line: PlanLine) -> bool:
    return is_agency_staff(user) and user.centre_id == line.centre_id


def ensure_can_file_plan(user: Any) -> None:
    if not can_file_plan(user):
        raise Forbidden(_l("只有采购人单位的工作人员可以备案采购计划。"))


def ensure_is_own_line(user: Any, line: PlanLine) -> None:
    if not is_own_line(user, line):
        raise Forbidden(_l("只有本单位的采购人工作人员可以修改此采购计划。"))


def ensure_can_review(user: Any, line: PlanLine) -> None:
    if not can_review_plans(user, line.centre_id):
        raise Forbidden(_l("只有本交易中心的监督（财政）人员可以审核采购计划。"))


def ensure_can_view_line(user: Any, line: PlanLine) -> None:
    if not can_view_line(user, line):
        raise Forbidden(_l("您无权查看此采购计划。"))


def ensure_can_list_plans(user: Any) -> None:
    if not can_list_plans(user):
        raise Forbidden(_l("您的角色无权查看采购计划。"))


def ensure_can_draw_on_line(user: Any, line: PlanLine) -> None:
    if not can_draw_on_line(user, line):
        raise Forbidden(_l("只有本交易中心代理机构的工作人员可以使用采购计划登记项目。"))
