"""Supervision rules: one small module per rule, each exposing `RULE`, gathered here.

A centre adds its own rule with `register_rule(Rule(...))` (from `registry`) in its
package's `init_app`; the modules below are the platform's own, most valuable first.
"""

from __future__ import annotations

import importlib

from app.supervision.rules.registry import (
    EVENTS,
    POINTS,
    RULE_FAILED,
    Finding,
    Rule,
    RuleTimeout,
    Scope,
    all_rules,
    get_rule,
    register_rule,
    rule_label,
    rule_point,
    rules_for_event,
    unregister_rule,
)

BUILTIN = (
    "clock_contract",
    "clock_publicity",
    "clock_answers",
    "few_bids",
    "same_bidders",
    "winner_share",
    "same_ip",
    "same_device",
    "same_files",
    "same_author",
    "same_contact",
    "price_pattern",
    "upload_cluster",
    "shared_payer",
    "scoring_outlier",
    "scoring_bias",
    "scoring_bloc",
    "expert_repeat",
    "expert_declines",
    "sealed_reads",
)


def load_builtin() -> None:
    for name in BUILTIN:
        register_rule(importlib.import_module(f"{__name__}.{name}").RULE)


__all__ = [
    "EVENTS",
    "POINTS",
    "RULE_FAILED",
    "Finding",
    "Rule",
    "RuleTimeout",
    "Scope",
    "all_rules",
    "get_rule",
    "load_builtin",
    "register_rule",
    "rule_label",
    "rule_point",
    "rules_for_event",
    "unregister_rule",
]
