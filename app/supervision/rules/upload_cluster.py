"""Three or more bidders' bids arriving within a few minutes of each other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import formatting
from app.supervision.models import Level
from app.supervision.rules.common import current_bids, group_by_lot
from app.supervision.rules.registry import Finding, Rule, Scope

WINDOW = dt.timedelta(minutes=5)
MIN_BIDS = 3


def check(scope: Scope) -> list[Finding]:
    found: list[Finding] = []
    for lot_id, lot_bids in group_by_lot(current_bids(scope)).items():
        scope.tick()
        bids = sorted(lot_bids, key=lambda b: b.received_at)
        best: list[Any] = []
        start = 0
        for end in range(len(bids)):
            while bids[end].received_at - bids[start].received_at > WINDOW:
                start += 1
            if end - start + 1 > len(best):
                best = bids[start : end + 1]
        if len({b.supplier_id for b in best}) >= MIN_BIDS:
            found.append(
                Finding(
                    subject=f"lot:{lot_id}:cluster",
                    lot_id=lot_id,
                    level=Level.YELLOW,
                    facts={
                        "suppliers": sorted({b.supplier_name for b in best}),
                        "first": best[0].received_at.isoformat(),
                        "last": best[-1].received_at.isoformat(),
                    },
                )
            )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(n)s 家投标人（%(names)s）在 %(first)s 至 %(last)s 的几分钟内集中上传。",
        n=len(facts.get("suppliers", [])),
        names="、".join(facts.get("suppliers", [])),
        first=formatting.cst(dt.datetime.fromisoformat(facts["first"])),
        last=formatting.cst(dt.datetime.fromisoformat(facts["last"])),
    )


RULE = Rule(
    "collusion.upload_cluster",
    _l("集中上传投标文件"),
    "collusion",
    check,
    ("bid_submitted",),
    describe,
    shares=("bids",),
)
