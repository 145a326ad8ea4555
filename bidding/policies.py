"""Who may do what with projects and lots: the one home of the lot permission rules.

Three relations to a lot, each under one name (checked in views and again in services):
- manage: staff of the project's own agency register, edit, publish, answer, open;
- oversee: supervisors of the project's centre and platform administrators read it;
- supervise: supervisors only: they alone see, before the deadline, who downloaded, asked,
  objected or bid (administrators run the platform but are kept out of bidding secrets).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from bidding.models import Lot, Project


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_agency_staff(user: Any) -> bool:
    """Staff of an agency organisation (代理机构) attached to a centre."""
    return bool(
        _authenticated(user)
        and user.role == Role.STAFF
        and user.organisation is not None
        and user.organisation.kind == OrgKind.AGENCY
        and user.centre_id is not None
    )


def is_centre_officer(user: Any, centre_id: int | None) -> bool:
    """Staff of the trading centre's own organisation (its finance and service desk).

    Unlike agency staff they run the centre's bond account; unlike administrators they
    are not kept out of it. A user of another centre is an officer of none of this one's.
    """
    return bool(
        _authenticated(user)
        and centre_id is not None
        and user.role == Role.STAFF
        and user.organisation is not None
        and user.organisation.kind == OrgKind.CENTRE
        and user.centre_id == centre_id
    )


def can_create_project(user: Any) -> bool:
    return is_agency_staff(user)


def can_manage_project(user: Any, project: Project) -> bool:
    """Staff of the project's own agency: they register, edit, publish and terminate."""
    return is_agency_staff(user) and user.organisation_id == project.agency_id


def is_provincial_supervisor(user: Any) -> bool:
    """A supervisor attached to no centre supervises every centre (the provincial level)."""
    return _authenticated(user) and user.role == Role.SUPERVISOR and user.centre_id is None


def can_oversee_centre(user: Any, centre_id: int) -> bool:
    """Supervisors and admins see every project of their centre (an admin or a supervisor
    without one: all)."""
    if not _authenticated(user):
        return False
    if user.role in (Role.ADMIN, Role.SUPERVISOR):
        return user.centre_id is None or user.centre_id == centre_id
    return False


def can_view_project(user: Any, project: Project) -> bool:
    return can_manage_project(user, project) or can_oversee_centre(user, project.centre_id)


def can_list_projects(user: Any) -> bool:
    return _authenticated(user) and user.role in (Role.STAFF, Role.SUPERVISOR, Role.ADMIN)


def can_manage_lot(user: Any, lot: Lot) -> bool:
    return can_manage_project(user, lot.project)


def can_oversee_lot(user: Any, lot: Lot) -> bool:
    return can_oversee_centre(user, lot.project.centre_id)


def can_supervise_lot(user: Any, lot: Lot) -> bool:
    return (
        _authenticated(user)
        and user.role == Role.SUPERVISOR
        and can_oversee_centre(user, lot.project.centre_id)
    )


def ensure_can_create_project(user: Any) -> None:
    if not can_create_project(user):
        raise Forbidden(_l("只有代理机构的工作人员可以登记项目。"))


def ensure_can_manage_project(user: Any, project: Project) -> None:
    if not can_manage_project(user, project):
        raise Forbidden(_l("只有本项目代理机构的工作人员可以执行此操作。"))


def ensure_can_manage_lot(user: Any, lot: Lot) -> None:
    ensure_can_manage_project(user, lot.project)


def ensure_can_view_project(user: Any, project: Project) -> None:
    if not can_view_project(user, project):
        raise Forbidden(_l("您无权查看此项目。"))


def ensure_can_list_projects(user: Any) -> None:
    if not can_list_projects(user):
        raise Forbidden(_l("您的角色无权查看项目管理。"))
