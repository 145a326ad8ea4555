"""The same author or creator in the metadata of different bidders' documents (the
opening reads it from each PDF and Office file: bidding/bids/decryption.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import current_bids, group_by_lot
from app.supervision.rules.registry import Finding, Rule, Scope


def check(scope: Scope) -> list[Finding]:
    bids = current_bids(scope, decrypted=True)
    found: list[Finding] = []
    for lot_id, lot_bids in group_by_lot(bids).items():
        scope.tick()
        owners: dict[str, dict[int, str]] = defaultdict(dict)
        for bid in lot_bids:
            for f in bid.plaintext_files or []:
                author = str(f.get("author") or "").strip()
                if author:
                    owners[author][bid.supplier_id] = bid.supplier_name
        for author, suppliers in owners.items():
            if len(suppliers) >= 2:
                found.append(
                    Finding(
                        subject=f"lot:{lot_id}:author:{author[:60]}",
                        lot_id=lot_id,
                        level=Level.YELLOW,
                        facts={"author": author, "suppliers": sorted(suppliers.values())},
                    )
                )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(names)s 的投标文件作者信息相同（%(author)s）。",
        names="、".join(facts.get("suppliers", [])),
        author=facts.get("author", ""),
    )


RULE = Rule(
    "collusion.same_author",
    _l("文件作者信息相同"),
    "collusion",
    check,
    ("opened",),
    describe,
    shares=("bids",),
)
