"""Centre settings that shape a lot: the bid-bond cap and the evaluation committee rule.

A centre's own setting wins; otherwise the platform configuration; otherwise the legal
default from `bidding.clocks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import current_app

from bidding import clocks


def _setting(
    centre_settings: Mapping[str, Any] | None, key: str, config_key: str, default: Any
) -> Any:
    return (centre_settings or {}).get(key) or current_app.config.get(config_key, default)


def bond_max_ratio(centre_settings: Mapping[str, Any] | None) -> Decimal:
    value = _setting(
        centre_settings,
        "bid_bond_max_ratio",
        "BID_BOND_MAX_RATIO",
        clocks.DEFAULT_BID_BOND_MAX_RATIO,
    )
    return Decimal(str(value))


def committee_rule(centre_settings: Mapping[str, Any] | None) -> tuple[int, int, Decimal]:
    """(minimum size, minimum size for large budgets, the budget that counts as large)."""
    small = _setting(
        centre_settings,
        "committee_min_size",
        "COMMITTEE_MIN_SIZE",
        clocks.DEFAULT_COMMITTEE_MIN_SIZE,
    )
    large = _setting(
        centre_settings,
        "committee_large_min_size",
        "COMMITTEE_LARGE_MIN_SIZE",
        clocks.DEFAULT_COMMITTEE_LARGE_MIN_SIZE,
    )
    threshold = _setting(
        centre_settings,
        "committee_large_budget",
        "COMMITTEE_LARGE_BUDGET",
        clocks.DEFAULT_COMMITTEE_LARGE_BUDGET,
    )
    return int(small), int(large), Decimal(str(threshold))


DEFAULT_OPEN_TENDER_THRESHOLD = "4000000"


def open_tender_threshold(centre_settings: Mapping[str, Any] | None) -> Decimal:
    """公开招标数额标准: the amount from which open tendering is the rule."""
    value = _setting(
        centre_settings,
        "open_tender_threshold",
        "OPEN_TENDER_THRESHOLD",
        DEFAULT_OPEN_TENDER_THRESHOLD,
    )
    return Decimal(str(value))


def needs_method_approval(method: str, amount: Decimal, centre_settings: Any) -> bool:
    """A method other than open tendering at or above the threshold needs the finance
    office's approval (recorded when it approves the plan line that names the method)."""
    return str(method) != "open" and amount >= open_tender_threshold(centre_settings)
