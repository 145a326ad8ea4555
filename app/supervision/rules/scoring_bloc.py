"""A bloc of committee members whose scores move together (抱团打分): for every bidder of
every lot, each member's total against the panel's median; two members whose deviations
correlate above `SUPERVISION_BLOC_CORRELATION` across `SUPERVISION_BLOC_MIN_LOTS` shared
lots are linked, and linked members form one bloc."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from statistics import median
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.auth.models import User
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.common import setting
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid
from remote_eval.models import EvalMember, EvalSession, Score

MIN_MEMBERS = 3  # a panel of two has no median to stray from


def correlation(xs: list[float], ys: list[float]) -> float:
    """Pearson's r; 0 when either side does not vary (nothing moves, nothing moves together)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def deviations(scope: Scope) -> dict[int, dict[tuple[int, int], float]]:
    """Each member's (a user id) deviation from the panel median, by (lot, bidder)."""
    rows = db.session.execute(
        select(EvalSession.lot_id, Bid.supplier_id, EvalMember.user_id, func.sum(Score.value))
        .join(EvalSession, EvalSession.id == Score.session_id)
        .join(EvalMember, EvalMember.id == Score.member_id)
        .join(Bid, Bid.id == Score.bid_id)
        .where(Score.cycle == EvalSession.cycle)
        .group_by(EvalSession.lot_id, Bid.supplier_id, EvalMember.user_id)
    ).all()
    panels: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    for lot_id, supplier_id, user_id, total in rows:
        panels[(lot_id, supplier_id)][user_id] = float(total)
    out: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for point, per_member in panels.items():
        scope.tick()
        if len(per_member) < MIN_MEMBERS:
            continue
        middle = median(per_member.values())
        for user_id, total in per_member.items():
            out[user_id][point] = total - middle
    return out


def check(scope: Scope) -> list[Finding]:
    threshold = setting("SUPERVISION_BLOC_CORRELATION", 0.8)
    least = setting("SUPERVISION_BLOC_MIN_LOTS", 3)
    dev = deviations(scope)
    # Only members who sat together are paired (a pool of thousands, panels of a few).
    met: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    panels: dict[tuple[int, int], list[int]] = defaultdict(list)
    for user_id, points in dev.items():
        for point in points:
            panels[point].append(user_id)
    for point, members in panels.items():
        for u, v in combinations(sorted(members), 2):
            met[(u, v)].append(point)
    links: dict[int, set[int]] = defaultdict(set)
    shared_lots: dict[frozenset[int], set[int]] = {}
    strength: dict[frozenset[int], float] = {}
    for (u, v), points in met.items():
        scope.tick()
        lots = {lot for lot, _s in points}
        if len(lots) < least:
            continue
        r = correlation([dev[u][p] for p in points], [dev[v][p] for p in points])
        if r > threshold:
            links[u].add(v)
            links[v].add(u)
            shared_lots[frozenset((u, v))] = lots
            strength[frozenset((u, v))] = r
    wanted = None if scope.lot_ids is None else set(scope.lot_ids)
    found: list[Finding] = []
    seen: set[int] = set()
    for start in sorted(links):
        if start in seen:
            continue
        bloc, todo = set(), [start]
        while todo:
            m = todo.pop()
            if m not in bloc:
                bloc.add(m)
                todo.extend(links[m] - bloc)
        seen |= bloc
        pairs = [k for k in shared_lots if k <= bloc]
        lots = set().union(*(shared_lots[k] for k in pairs))
        if wanted is not None and not wanted & lots:
            continue
        ids = sorted(bloc)
        people = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
        names = dict(people.all())
        found.append(
            Finding(
                subject=f"bloc:{'-'.join(map(str, ids))}",
                lot_id=max(lots),
                level=Level.YELLOW,
                facts={
                    "members": [names.get(i, "") for i in ids],
                    "lots": len(lots),
                    "correlation": f"{min(strength[k] for k in pairs):.2f}",
                },
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "评委 %(m)s 在 %(n)s 个共同评审的标段中评分同涨同落（相关系数不低于 %(r)s）。",
        m="、".join(facts.get("members", [])),
        n=facts.get("lots", 0),
        r=facts.get("correlation", ""),
    )


RULE = Rule("scoring.bloc", _l("评委抱团打分"), "scoring", check, ("scored",), describe)
