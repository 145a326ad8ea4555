"""Who may do what with a lot's scoring scheme (checked in views and again in services)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import Forbidden
from bidding.documents.policies import OPEN_STATUSES
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, can_oversee_lot


def can_edit_scheme(user: Any, lot: Lot) -> bool:
    """The lot's managing staff (its project's agency) write the scheme."""
    return can_manage_lot(user, lot)


def can_read_scheme(user: Any, lot: Lot) -> bool:
    """Managing staff and the centre's supervisors read the working copy at any time."""
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def scheme_is_editable(lot: Lot) -> bool:
    """Before the tender notice the scheme is a draft of the tender documents."""
    return lot.status == LotStatus.DRAFT


def amendment_is_possible(lot: Lot) -> bool:
    """After the notice only a clarification changes it, and clarifications need an open lot."""
    return lot.status in OPEN_STATUSES


def ensure_can_edit_scheme(user: Any, lot: Lot) -> None:
    if not can_edit_scheme(user, lot):
        raise Forbidden(_l("只有本项目代理机构的工作人员可以编辑评分办法。"))


def ensure_can_read_scheme(user: Any, lot: Lot) -> None:
    if not can_read_scheme(user, lot):
        raise Forbidden(_l("您无权查看该标段的评分办法。"))


NO_READ = _l("评分办法随招标公告公开，此前仅本项目代理机构和监督人员可以查看。")
