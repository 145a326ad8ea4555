"""The rules registry: each rule is a named check over the data, registered once.

A centre adds a rule by writing a module with a `check(scope)` function and calling
`register_rule(Rule(...))` from an `init_app` (its own package's, or a module listed in
`BUILTIN`). The runner (`app/supervision/runner.py`) runs every rule in the scheduler's
sweep and the rules that name an event when that event happens to a lot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, true

from app.supervision.models import Level

# Monitoring points (监督点) lit on the dashboard: every rule belongs to one.
POINTS: dict[str, Any] = {
    "clocks": _l("时限"),
    "competition": _l("竞争"),
    "collusion": _l("串标"),
    "scoring": _l("评分"),
    "experts": _l("专家"),
    "integrity": _l("廉政"),
}

# Events of a lot that rules may react to (bidding.hooks.lot_event names).
EVENTS = (
    "bid_submitted",
    "frozen",
    "opened",
    "files_checked",
    "scored",
    "awarded",
    "contract_signed",
)


class RuleTimeout(Exception):
    """The rule went past its time budget and was stopped."""


@dataclass
class Scope:
    """What one run of one rule looks at: every lot (a sweep) or a few (an event)."""

    now: Any
    lot_ids: list[int] | None = None
    deadline: float = float("inf")  # time.monotonic() past which the rule is stopped
    # What one run loads once for several rules (the current bids), shared by its rules.
    shared: dict[str, Any] = field(default_factory=dict)

    def lots(self, column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping `column` (a lot id) in the scope."""
        return true() if self.lot_ids is None else column.in_(self.lot_ids)

    def tick(self) -> None:
        """Rules call this inside their loops: past the budget, the rule stops here."""
        if time.monotonic() > self.deadline:
            raise RuleTimeout()


@dataclass(frozen=True)
class Finding:
    """One thing a rule found. `subject` names it within the rule ("lot:12:ip:1.2.3.4"):
    the same subject found again is the same open warning."""

    subject: str
    lot_id: int | None
    level: Level
    facts: dict[str, Any] = field(default_factory=dict)
    centre_id: int | None = None  # None → the lot's centre


@dataclass(frozen=True)
class Rule:
    name: str  # stored in warnings: never renamed
    label: Any  # what it watches, for people (lazy string)
    point: str  # a key of POINTS
    check: Callable[[Scope], Iterable[Finding]]
    events: tuple[str, ...] = ()  # lot events that re-run it for that lot
    describe: Callable[[dict[str, Any]], str] | None = None  # facts → one sentence
    # Data several rules read (a key of the shared loaders): loaded once per run, before
    # the rules and outside their time budgets.
    shares: tuple[str, ...] = ()


_rules: dict[str, Rule] = {}
_loaders: dict[str, Callable[[Scope], Any]] = {}

# The warning kind a rule's own failure (an error, or a stop past its budget) is filed under.
RULE_FAILED = "system.rule_failed"


def register_rule(rule: Rule) -> None:
    if rule.point not in POINTS:
        raise ValueError(f"unknown monitoring point {rule.point!r}")
    for ev in rule.events:
        if ev not in EVENTS:
            raise ValueError(f"unknown lot event {ev!r}")
    _rules[rule.name] = rule


def register_shared(name: str, loader: Callable[[Scope], Any]) -> None:
    """Data several rules share (`Rule.shares`), loaded by `loader(scope)` once per run."""
    _loaders[name] = loader


def shared_loader(name: str) -> Callable[[Scope], Any] | None:
    return _loaders.get(name)


def unregister_rule(name: str) -> None:
    _rules.pop(name, None)


def all_rules() -> list[Rule]:
    return list(_rules.values())


def get_rule(name: str) -> Rule | None:
    return _rules.get(name)


def rules_for_event(event: str) -> list[Rule]:
    return [r for r in _rules.values() if event in r.events]


def rule_label(name: str) -> Any:
    if name == RULE_FAILED:
        return _l("监察规则运行异常")
    rule = _rules.get(name)
    return rule.label if rule else name


def rule_point(name: str) -> str:
    rule = _rules.get(name)
    return rule.point if rule else "integrity"
