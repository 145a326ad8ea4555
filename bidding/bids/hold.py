"""单一来源: the one supplier's response is held — no share is taken and nothing is opened —
until the publicity has run its working days and every objection filed during it has
been answered. The publicity's clock and the objections are the documents' own
(`bidding.documents.objections`); the method says whether it has a publicity at all.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock, formatting
from app.core.errors import Conflict
from app.core.extensions import db
from bidding.bids import actions
from bidding.documents.models import Objection, ObjectionStatus
from bidding.documents.objections import objection_last_moment, publicity_days
from bidding.models import Lot


class ResponseHeld(Conflict):
    code = "response_held"


def hold_reason(lot: Lot) -> str:
    """Why the lot's responses may not be opened yet ("" when they may)."""
    if not publicity_days(lot):
        return ""
    end = objection_last_moment(lot)
    if end is None or clock.now() < end:
        return str(
            _l(
                "单一来源公示期尚未结束（至 %(t)s，北京时间），公示期满且异议均已答复后才能开启供应商的响应文件。",
                t=formatting.cst_until(end) if end is not None else "—",
            )
        )
    pending = db.session.execute(
        select(func.count(Objection.id)).where(
            Objection.lot_id == lot.id, Objection.status == ObjectionStatus.PENDING
        )
    ).scalar_one()
    if pending:
        return str(
            _l(
                "公示期内有 %(n)s 件异议尚未答复，答复后才能开启供应商的响应文件。",
                n=pending,
            )
        )
    return ""


def ensure_not_held(lot: Lot) -> None:
    reason = hold_reason(lot)
    if reason:
        raise ResponseHeld(reason).audited(actions.OPENING_HELD, lot, {"reason": reason})
