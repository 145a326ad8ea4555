"""Bids of different bidders uploaded from one device (its browser fingerprint)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import shared_column
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid


def check(scope: Scope) -> list[Finding]:
    return shared_column(scope, Bid.device_fingerprint, "device", Level.RED)


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(names)s 的投标文件从同一台设备上传（设备特征 %(fp)s）。",
        names="、".join(facts.get("suppliers", [])),
        fp=str(facts.get("device", ""))[:12],
    )


RULE = Rule(
    "collusion.same_device",
    _l("同一设备上传投标文件"),
    "collusion",
    check,
    ("bid_submitted",),
    describe,
)
