"""The procurement methods (采购方式): each method's differences from the others, in one place.

One module per method declares its `MethodRule`: the unit of its minimum response period
(calendar or working days, counted from the first issue of the documents, as
`bidding.clocks` counts every period; the number of days is `BID_PERIOD_MIN_DAYS_BY_METHOD`,
which a centre may raise), whether the documents are on offer for a minimum window, who may obtain the
documents and respond, whether a response may be replaced, how the result is decided, how
its notice is called and which fields it carries, and how OCDS names it. Services, pages,
the portal and the OCDS feed ask `rule_for(method)` instead of testing the method by name.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.clock import WorkCalendar
from app.core.i18n import N_
from bidding import clocks
from bidding.models import Method


class Audience(enum.StrEnum):
    """Who may obtain the documents and respond."""

    REGISTERED = "registered"  # any registered supplier
    INVITEES = "invitees"  # only the suppliers invited (邀请招标, 竞争性谈判/磋商 by invitation)
    NAMED = "named"  # the one supplier the publicity named (单一来源)


class ResultRule(enum.StrEnum):
    LOWEST_PRICE = "lowest_price"  # the lowest price that meets the requirements wins
    COMPREHENSIVE = "comprehensive"  # comprehensive scoring
    NEGOTIATED = "negotiated"  # a recorded price negotiation with the one supplier


@dataclass(frozen=True)
class MethodRule:
    method: Method
    # 招标 (tendering law: open and invited) rather than other procurement methods.
    is_tendering: bool
    # The minimum from the first issue of documents to the response deadline is counted in
    # working days (the number of days is the config's and a centre's: `bid_period_min_days`).
    response_in_working_days: bool
    # The documents must be on offer for a minimum window (招标: ≥5 working days).
    has_document_window: bool
    audience: Audience
    min_suppliers: int
    responses_replaceable: bool
    result_rule: ResultRule
    notice_word: str  # N_: what its notice is called (招标公告, 询价公告, …)
    ocds_method: str  # OCDS procurementMethod codelist: open / selective / limited / direct
    # Working days a publicity must run before responses (单一来源: reason and supplier).
    publicity_working_days: int = 0
    # Stored notice fields this method's notice carries beyond the tender notice's own.
    notice_fields: tuple[str, ...] = ()
    # After the opening the group negotiates with each supplier separately, in rounds of
    # sealed quotes ending with a sealed final quote (竞争性谈判, 竞争性磋商).
    negotiates_in_rounds: bool = False


# What the notice fields of a method are called (each method's notice requires its own).
NOTICE_FIELD_LABELS: dict[str, str] = {
    "single_source_reason": N_("采用单一来源方式的理由"),
    "supplier_name": N_("拟定的唯一供应商名称"),
}

_RULES: dict[Method, MethodRule] = {}


def register(rule: MethodRule) -> MethodRule:
    _RULES[rule.method] = rule
    return rule


def rule_for(method: Method | str) -> MethodRule:
    return _RULES[Method(str(method))]


def rules() -> list[MethodRule]:
    return [_RULES[m] for m in Method if m in _RULES]


def codes() -> list[str]:
    """The methods a lot may run under, in the registry's order (filters list these)."""
    return [r.method.value for r in rules()]


@dataclass(frozen=True)
class ResponsePeriod:
    """A method's minimum response period as it stands for one centre."""

    days: int
    working: bool

    def last_day(self, start: dt.datetime, calendar: WorkCalendar) -> dt.date:
        """The earliest date the deadline may fall on (the period's last day)."""
        return clocks.earliest_response_date(start, self.days, calendar, working=self.working)


def response_period(
    method: Method | str, config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None
) -> ResponsePeriod:
    rule = rule_for(method)
    days = clocks.bid_period_min_days(rule.method.value, config, centre_settings)
    return ResponsePeriod(days, rule.response_in_working_days)


# One module per method; importing them fills the registry.
from bidding.methods import (  # noqa: E402, F401
    consultation,
    inquiry,
    invited,
    negotiation,
    open_tender,
    single_source,
)
