"""The same bidders meeting again and again in one purchaser's lots (陪标 rings): a set of two
or more bidders together in `SUPERVISION_MEETING_MIN_LOTS` lots of one purchaser within the
window, and together in most of the lots either of them entered there
(`SUPERVISION_MEETING_SHARE` of them; 0 counts the meetings alone). In a small market honest
suppliers meet often; a ring is two who show up with each other and rarely apart."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.common import CURRENT, org_names, setting, window_start
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid
from bidding.models import Lot, Project

MILLE = 1000  # shares compared in whole per-mille: integer SQL on every dialect


def check(scope: Scope) -> list[Finding]:
    least = setting("SUPERVISION_MEETING_MIN_LOTS", 3)
    share = round(setting("SUPERVISION_MEETING_SHARE", 0.75) * MILLE)
    # The lots each supplier entered per purchaser, to weigh a pair's meetings against.
    entered = (
        select(
            Project.purchaser_id.label("purchaser_id"),
            Bid.supplier_id.label("supplier_id"),
            func.count(func.distinct(Bid.lot_id)).label("lots"),
        )
        .join(Lot, Lot.id == Bid.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Bid.status.in_(CURRENT), Lot.bid_deadline >= window_start(scope))
        .group_by(Project.purchaser_id, Bid.supplier_id)
        .subquery()
    )
    ea, eb = aliased(entered), aliased(entered)
    a, b = aliased(Bid), aliased(Bid)
    together = func.count(func.distinct(a.lot_id))
    # Every pair of bidders of a lot, counted per purchaser in one aggregate.
    pairs = (
        select(Project.purchaser_id, a.supplier_id, b.supplier_id)
        .select_from(a)
        .join(b, (b.lot_id == a.lot_id) & (b.supplier_id > a.supplier_id))
        .join(Lot, Lot.id == a.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .join(ea, (ea.c.purchaser_id == Project.purchaser_id) & (ea.c.supplier_id == a.supplier_id))
        .join(eb, (eb.c.purchaser_id == Project.purchaser_id) & (eb.c.supplier_id == b.supplier_id))
        .where(
            a.status.in_(CURRENT),
            b.status.in_(CURRENT),
            Lot.bid_deadline >= window_start(scope),
        )
        .group_by(Project.purchaser_id, a.supplier_id, b.supplier_id, ea.c.lots, eb.c.lots)
        .having(
            together >= least,
            # together / (lots either entered) over the share, in integer per-mille
            together * MILLE >= (ea.c.lots + eb.c.lots - together) * share,
        )
    )
    if scope.lot_ids is not None:
        touched = func.max(case((a.lot_id.in_(scope.lot_ids), 1), else_=0))
        pairs = pairs.having(touched == 1)
    met = db.session.execute(pairs).all()
    if not met:
        return []
    # The lots of each pair found (few): pairs meeting in the very same lots are one ring.
    lots_of: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    wanted = {(p, x, y) for p, x, y in met}
    rows = db.session.execute(
        select(Project.purchaser_id, a.supplier_id, b.supplier_id, a.lot_id)
        .select_from(a)
        .join(b, (b.lot_id == a.lot_id) & (b.supplier_id > a.supplier_id))
        .join(Lot, Lot.id == a.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(
            a.status.in_(CURRENT),
            b.status.in_(CURRENT),
            Lot.bid_deadline >= window_start(scope),
            a.supplier_id.in_({x for _p, x, _y in met}),
            b.supplier_id.in_({y for _p, _x, y in met}),
        )
        .distinct()
    ).all()
    for purchaser_id, x, y, lot_id in rows:
        if (purchaser_id, x, y) in wanted:
            lots_of[(purchaser_id, x, y)].add(lot_id)
    rings: dict[tuple[int, frozenset[int]], set[int]] = defaultdict(set)
    for (purchaser_id, x, y), lots in lots_of.items():
        scope.tick()
        rings[(purchaser_id, frozenset(lots))].update((x, y))
    names = org_names({o for members in rings.values() for o in members} | {p for p, _ in rings})
    found: list[Finding] = []
    for (purchaser_id, lots), members in rings.items():
        ids = sorted(members)
        found.append(
            Finding(
                subject=f"purchaser:{purchaser_id}:bidders:{'-'.join(map(str, ids))}",
                lot_id=max(lots),
                level=Level.YELLOW,
                facts={
                    "purchaser": names.get(purchaser_id, ""),
                    "suppliers": sorted(names.get(i, "") for i in ids),
                    "lots": len(lots),
                },
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(s)s 在采购人 %(p)s 的 %(n)s 个标段中同时投标。",
        s="、".join(facts.get("suppliers", [])),
        p=facts.get("purchaser", ""),
        n=facts.get("lots", 0),
    )


RULE = Rule(
    "competition.same_bidders",
    _l("同一批投标人反复相遇"),
    "competition",
    check,
    ("frozen",),
    describe,
)
