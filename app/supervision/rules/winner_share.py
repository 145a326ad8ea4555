"""One supplier winning one purchaser's awards far more often than the others: its share of
the purchaser's awards within the window above `SUPERVISION_WINNER_SHARE`, once the purchaser
has made `SUPERVISION_WINNER_MIN_AWARDS` awards (fewer say nothing)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.common import org_names, setting, window_start
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.models import Lot, Project
from bidding.results.models import LotResult

# Shares compared in whole per-mille, so the SQL stays integer on every dialect.
MILLE = 1000


def check(scope: Scope) -> list[Finding]:
    share = round(setting("SUPERVISION_WINNER_SHARE", 0.5) * MILLE)
    least = setting("SUPERVISION_WINNER_MIN_AWARDS", 5)
    awarded = (
        LotResult.winner_supplier_id.is_not(None),
        LotResult.awarded_at >= window_start(scope),
    )
    totals = (
        select(Project.purchaser_id.label("purchaser_id"), func.count().label("awards"))
        .select_from(LotResult)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(*awarded)
        .group_by(Project.purchaser_id)
        .having(func.count() >= least)
        .subquery()
    )
    wins = func.count(LotResult.id)
    stmt = (
        select(
            Project.purchaser_id,
            LotResult.winner_supplier_id,
            wins,
            totals.c.awards,
            func.max(LotResult.lot_id),
        )
        .select_from(LotResult)
        .join(Lot, Lot.id == LotResult.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .join(totals, totals.c.purchaser_id == Project.purchaser_id)
        .where(*awarded)
        .group_by(Project.purchaser_id, LotResult.winner_supplier_id, totals.c.awards)
        .having(wins * MILLE > totals.c.awards * share)
    )
    if scope.lot_ids is not None:
        stmt = stmt.having(func.max(case((LotResult.lot_id.in_(scope.lot_ids), 1), else_=0)) == 1)
    rows = db.session.execute(stmt).all()
    names = org_names({r[0] for r in rows} | {r[1] for r in rows})
    found: list[Finding] = []
    for purchaser_id, winner_id, n, total, last_lot in rows:
        scope.tick()
        found.append(
            Finding(
                subject=f"purchaser:{purchaser_id}:winner:{winner_id}",
                lot_id=last_lot,
                level=Level.YELLOW,
                facts={
                    "purchaser": names.get(purchaser_id, ""),
                    "supplier": names.get(winner_id, ""),
                    "wins": n,
                    "awards": total,
                    "percent": round(100 * n / total),
                },
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(s)s 中标采购人 %(p)s 的 %(w)s 个标段（共 %(n)s 个，占 %(r)s%%）。",
        s=facts.get("supplier", ""),
        p=facts.get("purchaser", ""),
        w=facts.get("wins", 0),
        n=facts.get("awards", 0),
        r=facts.get("percent", 0),
    )


RULE = Rule(
    "competition.winner_share",
    _l("同一采购人的中标过于集中"),
    "competition",
    check,
    ("awarded",),
    describe,
)
