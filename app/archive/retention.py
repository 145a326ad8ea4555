"""What a retained archive holds: while any package of a lot is within its retention period,
nothing of the lot may be deleted (`bidding.retention` asks this through its hook)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.archive.models import LotArchive
from app.core import clock
from app.core.clock import CST
from app.core.extensions import db
from bidding.models import Lot


def retained_until(lot: Lot) -> object | None:
    """The last day the lot's archives must be kept, or None when none is retained today."""
    today = clock.now().astimezone(CST).date()
    last = db.session.execute(
        select(func.max(LotArchive.retain_until)).where(LotArchive.lot_id == lot.id)
    ).scalar_one_or_none()
    return last if last is not None and last >= today else None


def hold(lot: Lot) -> str | None:
    last = retained_until(lot)
    if last is None:
        return None
    return _("项目档案保存至 %(d)s", d=last.isoformat())
