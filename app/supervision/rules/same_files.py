"""Identical plaintext files in the bids of different bidders, once the opening has hashed
them (bidding/bids/file_hashes.py): one author behind several bids."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import current_bids, group_by_lot
from app.supervision.rules.registry import Finding, Rule, Scope


def check(scope: Scope) -> list[Finding]:
    bids = current_bids(scope, decrypted=True, confirmed=True)
    found: list[Finding] = []
    for lot_id, lot_bids in group_by_lot(bids).items():
        scope.tick()
        owners: dict[str, dict[int, str]] = defaultdict(dict)
        names: dict[str, str] = {}
        for bid in lot_bids:
            for f in bid.plaintext_files or []:
                digest = f.get("sha256_actual") or ""
                if digest:
                    owners[digest][bid.supplier_id] = bid.supplier_name
                    names.setdefault(digest, str(f.get("name", "")))
        for digest, suppliers in owners.items():
            if len(suppliers) >= 2:
                found.append(
                    Finding(
                        subject=f"lot:{lot_id}:file:{digest}",
                        lot_id=lot_id,
                        level=Level.RED,
                        facts={
                            "sha256": digest,
                            "file": names[digest],
                            "suppliers": sorted(suppliers.values()),
                        },
                    )
                )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(names)s 的投标文件中有内容完全相同的文件（%(file)s）。",
        names="、".join(facts.get("suppliers", [])),
        file=facts.get("file", ""),
    )


RULE = Rule(
    "collusion.same_files",
    _l("投标文件内容雷同"),
    "collusion",
    check,
    ("files_checked",),
    describe,
    shares=("bids",),
)
