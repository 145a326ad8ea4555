"""A committee member who scores one bidder well above (or below) the rest of the panel in
lot after lot (倾向性打分): the member's total for the bidder against the other members'
median, signed, across every lot where the two met."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.auth.models import Organisation, User
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid
from remote_eval.models import EvalMember, EvalSession, Score

LEAN = Decimal("5")  # points above (or below) the others' median, in every one of the lots
MIN_LOTS = 2
MIN_MEMBERS = 3


def check(scope: Scope) -> list[Finding]:
    # Members are people (a user id), met across sessions; the bidder is its organisation.
    rows = db.session.execute(
        select(
            EvalSession.lot_id,
            Bid.supplier_id,
            EvalMember.user_id,
            func.sum(Score.value),
        )
        .join(EvalSession, EvalSession.id == Score.session_id)
        .join(EvalMember, EvalMember.id == Score.member_id)
        .join(Bid, Bid.id == Score.bid_id)
        .where(Score.cycle == EvalSession.cycle)
        .group_by(EvalSession.lot_id, Bid.supplier_id, EvalMember.user_id)
    ).all()
    panels: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for lot_id, supplier_id, user_id, total in rows:
        panels[(lot_id, supplier_id)][user_id] = Decimal(str(total))
    leans: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for (lot_id, supplier_id), per_member in panels.items():
        scope.tick()
        if len(per_member) < MIN_MEMBERS:
            continue
        for user_id, total in per_member.items():
            others = [v for u, v in per_member.items() if u != user_id]
            leans[(user_id, supplier_id)].append((lot_id, total - Decimal(str(median(others)))))
    wanted = None if scope.lot_ids is None else set(scope.lot_ids)
    found: list[Finding] = []
    for (user_id, supplier_id), met in leans.items():
        if len(met) < MIN_LOTS:
            continue
        high = all(gap >= LEAN for _lot, gap in met)
        low = all(gap <= -LEAN for _lot, gap in met)
        last_lot = max(lot for lot, _gap in met)
        if not (high or low) or (wanted is not None and not wanted & {lot for lot, _ in met}):
            continue
        member = db.session.get(User, user_id)
        bidder = db.session.get(Organisation, supplier_id)
        found.append(
            Finding(
                subject=f"member:{user_id}:supplier:{supplier_id}",
                lot_id=last_lot,
                level=Level.YELLOW,
                facts={
                    "member": member.display_name if member else "",
                    "supplier": bidder.name if bidder else "",
                    "direction": "high" if high else "low",
                    "lots": len(met),
                },
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    if facts.get("direction") == "high":
        return _(
            "评委 %(m)s 在 %(n)s 个标段中给 %(s)s 的评分都明显高于其他评委。",
            m=facts.get("member", ""),
            n=facts.get("lots", 0),
            s=facts.get("supplier", ""),
        )
    return _(
        "评委 %(m)s 在 %(n)s 个标段中给 %(s)s 的评分都明显低于其他评委。",
        m=facts.get("member", ""),
        n=facts.get("lots", 0),
        s=facts.get("supplier", ""),
    )


RULE = Rule("scoring.bias", _l("评委倾向性打分"), "scoring", check, ("scored",), describe)
