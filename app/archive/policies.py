"""Who may build and download a lot's archive: the agency and the centre's overseers."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import Forbidden
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_lot


def can_archive(user: Any, lot: Lot) -> bool:
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def ensure_can_archive(user: Any, lot: Lot) -> None:
    if not can_archive(user, lot):
        raise Forbidden(_l("您无权查看或生成该标段的项目档案。"))
