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
from bidding.methods import TENDER_WORDS, rule_for
from bidding.models import Lot, LotStatus, Project
from bidding.results.models import LotResult


def check(scope: Scope) -> list[Finding]:
    rows = db.session.execute(
        select(LotResult.lot_id, LotResult.publish_by, Project.method)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(
            scope.lots(LotResult.lot_id),
            Lot.status == LotStatus.EVALUATED,
            LotResult.publicity_id.is_(None),
            LotResult.publish_by <= clocks.horizon(scope.now),
        )
    ).all()
    found = []
    for lot_id, due, method in rows:
        lvl = clocks.level(due, scope.now)
        if lvl is not None:
            # The candidates' publicity, or the 成交 methods' result announcement.
            rule = rule_for(method)
            words = rule.result_words
            what = words.publicity if rule.candidate_publicity else words.result_notice
            found.append(
                Finding(f"lot:{lot_id}", lot_id, lvl, {"due": due.isoformat(), "what": what})
            )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(what)s应在 %(t)s（北京时间）前发布。",
        what=_(facts.get("what") or TENDER_WORDS.publicity),
        t=formatting.cst(dt.datetime.fromisoformat(facts["due"])),
    )


RULE = Rule(
    "clock.publicity", _l("候选人公示或成交结果公告时限"), "clocks", check, ("scored",), describe
)
