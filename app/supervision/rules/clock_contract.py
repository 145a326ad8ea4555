"""The contract of an awarded lot not filed within its legal period (合同备案): no contract
filed for the lot by its due time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app.core import formatting
from app.core.extensions import db
from app.supervision.rules import clocks
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.models import Lot, LotStatus
from bidding.results.models import Contract, LotResult


def check(scope: Scope) -> list[Finding]:
    rows = db.session.execute(
        select(LotResult.lot_id, LotResult.contract_due)
        .join(Lot, Lot.id == LotResult.lot_id)
        .where(
            scope.lots(LotResult.lot_id),
            Lot.status == LotStatus.AWARDED,
            LotResult.contract_due.is_not(None),
            LotResult.contract_due <= clocks.horizon(scope.now),
            ~exists().where(Contract.lot_id == LotResult.lot_id),
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
        "合同应在 %(t)s（北京时间）前备案。",
        t=formatting.cst(dt.datetime.fromisoformat(facts["due"])),
    )


RULE = Rule(
    "clock.contract", _l("合同备案时限"), "clocks", check, ("awarded", "contract_signed"), describe
)
