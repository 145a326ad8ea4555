"""Different bidders of one lot giving the same contact person or telephone number."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import current_bids, group_by_lot
from app.supervision.rules.registry import Finding, Rule, Scope


def _phone(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def check(scope: Scope) -> list[Finding]:
    found: list[Finding] = []
    for lot_id, lot_bids in group_by_lot(current_bids(scope)).items():
        scope.tick()
        by_value: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
        for bid in lot_bids:
            if _phone(bid.contact_phone or ""):
                by_value[("phone", _phone(bid.contact_phone))][bid.supplier_id] = bid.supplier_name
            if (bid.contact_name or "").strip():
                by_value[("person", bid.contact_name.strip())][bid.supplier_id] = bid.supplier_name
        for (kind, value), suppliers in sorted(by_value.items()):
            if len(suppliers) >= 2:
                found.append(
                    Finding(
                        subject=f"lot:{lot_id}:{kind}:{value[:40]}",
                        lot_id=lot_id,
                        level=Level.YELLOW,
                        facts={
                            "kind": kind,
                            "value": value,
                            "suppliers": sorted(suppliers.values()),
                        },
                    )
                )
    return found


def describe(facts: dict[str, Any]) -> str:
    names = "、".join(facts.get("suppliers", []))
    if facts.get("kind") == "phone":
        return _("%(names)s 登记的联系电话相同（%(v)s）。", names=names, v=facts.get("value", ""))
    return _("%(names)s 登记的联系人相同（%(v)s）。", names=names, v=facts.get("value", ""))


RULE = Rule(
    "collusion.same_contact",
    _l("联系人或电话相同"),
    "collusion",
    check,
    ("bid_submitted",),
    describe,
    shares=("bids",),
)
