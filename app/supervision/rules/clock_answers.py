"""Objections to the documents and filings against a result (异议、质疑、投诉) left
unanswered past, or within a day of, their legal answer time."""

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
from bidding.documents.models import Objection, ObjectionStatus
from bidding.results.models import FilingStatus, ResultFiling


def check(scope: Scope) -> list[Finding]:
    horizon = clocks.horizon(scope.now)
    found: list[Finding] = []
    objections = db.session.execute(
        select(Objection.id, Objection.lot_id, Objection.answer_due_at).where(
            scope.lots(Objection.lot_id),
            Objection.status == ObjectionStatus.PENDING,
            Objection.answer_due_at <= horizon,
        )
    ).all()
    filings = db.session.execute(
        select(ResultFiling.id, ResultFiling.lot_id, ResultFiling.due_at, ResultFiling.kind).where(
            scope.lots(ResultFiling.lot_id),
            ResultFiling.status == FilingStatus.PENDING,
            ResultFiling.due_at <= horizon,
        )
    ).all()
    for oid, lot_id, due in objections:
        if (lvl := clocks.level(due, scope.now)) is not None:
            facts = {"kind": "objection", "due": due.isoformat()}
            found.append(Finding(f"objection:{oid}", lot_id, lvl, facts))
    for fid, lot_id, due, kind in filings:
        if (lvl := clocks.level(due, scope.now)) is not None:
            facts = {"kind": kind.value, "due": due.isoformat()}
            found.append(Finding(f"filing:{fid}", lot_id, lvl, facts))
    return found


def describe(facts: dict[str, Any]) -> str:
    what = {
        "objection": _("对招标文件的异议"),
        "challenge": _("质疑"),
        "complaint": _("投诉"),
    }.get(facts.get("kind", ""), _("对结果的异议"))
    return _(
        "%(what)s应在 %(t)s（北京时间）前答复。",
        what=what,
        t=formatting.cst(dt.datetime.fromisoformat(facts["due"])),
    )


RULE = Rule("clock.answers", _l("异议质疑答复时限"), "clocks", check, (), describe)
