"""The candidates' publicity not published within its period after the signed report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import formatting
from app.core.extensions import db
from app.supervision.rules import clocks
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.models import Lot, LotStatus
from bidding.results.models import LotResult


def check(scope: Scope) -> list[Finding]:
    rows = db.session.execute(
        select(LotResult.lot_id, LotResult.publish_by)
        .join(Lot, Lot.id == LotResult.lot_id)
        .where(
            scope.lots(LotResult.lot_id),
            Lot.status == LotStatus.EVALUATED,
            LotResult.publicity_id.is_(None),
            LotResult.publish_by <= clocks.horizon(scope.now),
        )
    ).all()
    found = []
    for lot_id, due in rows:
        lvl = clocks.level(due, scope.now)
        if lvl is not None:
            found.append(Finding(f"lot:{lot_id}", lot_id, lvl, {"due": due.isoformat()}))
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "中标候选人公示应在 %(t)s（北京时间）前发布。",
        t=formatting.cst(dt.datetime.fromisoformat(facts["due"])),
    )


RULE = Rule("clock.publicity", _l("候选人公示时限"), "clocks", check, ("scored",), describe)
