"""Bids of different bidders uploaded from one IP address (串通投标 signal)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import shared_column
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid


def check(scope: Scope) -> list[Finding]:
    return shared_column(scope, Bid.ip, "ip", Level.RED)


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(names)s 的投标文件从同一 IP 地址 %(ip)s 上传。",
        names="、".join(facts.get("suppliers", [])),
        ip=facts.get("ip", ""),
    )


RULE = Rule(
    "collusion.same_ip",
    _l("同一 IP 上传投标文件"),
    "collusion",
    check,
    ("bid_submitted",),
    describe,
)
