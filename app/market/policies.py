"""Who may do what in the market: every permission predicate with its ensure_*."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from app.market.models import Need


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_agency_user(user: Any) -> bool:
    """A user of an intermediary agency (中介机构) acting for an intermediary organisation."""
    return bool(
        _authenticated(user)
        and user.role == Role.INTERMEDIARY
        and user.organisation is not None
        and user.organisation.kind == OrgKind.INTERMEDIARY
    )


def is_buyer_user(user: Any) -> bool:
    """A purchaser's own staff (采购人) acting for a purchaser organisation."""
    return bool(
        _authenticated(user)
        and user.role == Role.PURCHASER
        and user.organisation is not None
        and user.organisation.kind == OrgKind.PURCHASER
    )


def is_buyer_of(user: Any, need: Need) -> bool:
    return is_buyer_user(user) and user.organisation_id == need.buyer_org_id


def can_edit_catalogue(user: Any) -> bool:
    return bool(_authenticated(user) and user.role == Role.ADMIN)


def can_supervise_market(user: Any) -> bool:
    """Supervisors and administrators suspend, remove or restore agencies and decide appeals."""
    return bool(_authenticated(user) and user.role in (Role.SUPERVISOR, Role.ADMIN))


def can_watch_auction(user: Any, need: Need) -> bool:
    """The buyer, supervisors and administrators follow an auction without bidding."""
    return is_buyer_of(user, need) or bool(
        _authenticated(user) and user.role in (Role.SUPERVISOR, Role.ADMIN)
    )


def ensure_agency_user(user: Any) -> None:
    if not is_agency_user(user):
        raise Forbidden(_l("只有中介机构的用户可以进行此操作。"))


def ensure_buyer_user(user: Any) -> None:
    if not is_buyer_user(user):
        raise Forbidden(_l("只有采购人单位的用户可以发布和管理服务需求。"))


def ensure_buyer_of(user: Any, need: Need) -> None:
    if not is_buyer_of(user, need):
        raise Forbidden(_l("只有发布该需求的采购人可以进行此操作。"))


def ensure_can_edit_catalogue(user: Any) -> None:
    if not can_edit_catalogue(user):
        raise Forbidden(_l("只有系统管理员可以维护中介服务类别。"))


def ensure_can_supervise_market(user: Any) -> None:
    if not can_supervise_market(user):
        raise Forbidden(_l("只有监督人员或管理员可以暂停、清退或恢复中介机构。"))
