"""A committee member whose scores stand far from the rest of the panel (评分偏离)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.auth.models import User
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from remote_eval.models import EvalMember, EvalSession, Score

# Distance of a member's total for a bidder from the other members' median, in points (a
# tenth of a 100-point scheme), past which the member is "far from the panel"; and the
# least panel that makes a median meaningful.
FAR = Decimal("10")
MIN_MEMBERS = 3


def check(scope: Scope) -> list[Finding]:
    rows = db.session.execute(
        select(EvalSession.lot_id, Score.member_id, Score.bid_id, func.sum(Score.value))
        .join(EvalSession, EvalSession.id == Score.session_id)
        .where(scope.lots(EvalSession.lot_id), Score.cycle == EvalSession.cycle)
        .group_by(EvalSession.lot_id, Score.member_id, Score.bid_id)
    ).all()
    totals: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for lot_id, member_id, bid_id, total in rows:
        totals[lot_id][bid_id][member_id] = Decimal(str(total))
    found: list[Finding] = []
    for lot_id, by_bid in totals.items():
        scope.tick()
        gaps: dict[int, list[Decimal]] = defaultdict(list)
        for per_member in by_bid.values():
            if len(per_member) < MIN_MEMBERS:
                continue
            for member_id, total in per_member.items():
                others = [v for m, v in per_member.items() if m != member_id]
                gaps[member_id].append(abs(total - Decimal(str(median(others)))))
        for member_id, member_gaps in gaps.items():
            widest = max(member_gaps)
            if widest >= FAR:
                name = db.session.execute(
                    select(User.display_name)
                    .join(EvalMember, EvalMember.user_id == User.id)
                    .where(EvalMember.id == member_id)
                ).scalar_one_or_none()
                found.append(
                    Finding(
                        subject=f"lot:{lot_id}:member:{member_id}",
                        lot_id=lot_id,
                        level=Level.YELLOW,
                        facts={"member": name or "", "gap": str(widest.quantize(Decimal("0.1")))},
                    )
                )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "评委 %(m)s 的评分偏离其他评委中位数达 %(g)s 分。",
        m=facts.get("member", ""),
        g=facts.get("gap", ""),
    )


RULE = Rule("scoring.outlier", _l("评委评分偏离"), "scoring", check, ("scored",), describe)
