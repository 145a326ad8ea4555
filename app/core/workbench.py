"""The workbench registry (待办): what needs a user now, gathered from every package.

The ground knows no procurement words, so it only keeps the list of providers. Each package
registers, in its ``init_app``, functions ``fn(user) -> list[TodoItem]`` for the roles they
concern; the roof's workbench page and API call ``groups_for(user)``. A provider returns only
what its own policies let the user see: the registry adds nothing and hides nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock


class Urgency(enum.IntEnum):
    """How soon an item needs the user; lower is sooner (the sort order of a group)."""

    OVERDUE = 0  # its due time has passed
    TODAY = 1  # due within the next 24 hours
    SOON = 2  # due within the next 3 days
    LATER = 3  # due later, or no due time at all


URGENCY_LABELS: dict[Urgency, Any] = {
    Urgency.OVERDUE: _l("已逾期"),
    Urgency.TODAY: _l("紧急"),
    Urgency.SOON: _l("3 日内"),
    Urgency.LATER: _l("稍后"),
}


def urgency_of(due_at: dt.datetime | None, now: dt.datetime | None = None) -> Urgency:
    if due_at is None:
        return Urgency.LATER
    left = due_at - (now or clock.now())
    if left < dt.timedelta(0):
        return Urgency.OVERDUE
    if left <= dt.timedelta(hours=24):
        return Urgency.TODAY
    # Legal periods end at 24:00 of a calendar day (stored as 00:00 of the next one), so
    # "within 3 days" counts calendar days in China Standard Time: the day the item falls
    # due is the day of its last instant, and a 3-day answer period is 3 days away.
    last_day = clock.cst_date(due_at - dt.timedelta(microseconds=1))
    days_left = (last_day - clock.cst_date(now or clock.now())).days
    if days_left <= 3:
        return Urgency.SOON
    return Urgency.LATER


@dataclass(frozen=True)
class TodoItem:
    """One thing a user should do: a title they understand, a link to the page that does it."""

    kind: str  # the provider's kind; items group by it
    title: str
    url: str
    due_at: dt.datetime | None = None
    detail: str = ""
    # None: derived from due_at when the list is built (a provider may force it).
    urgency: Urgency | None = None
    # What the due time is, when it is not a deadline to meet (e.g. "开标时间").
    due_label: str = ""


@dataclass(frozen=True)
class Provider:
    kind: str
    label: Any
    fn: Callable[[Any], Iterable[TodoItem]]
    roles: frozenset[str]
    order: int = 50


@dataclass
class TodoGroup:
    kind: str
    label: str
    items: list[TodoItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def first_due(self) -> dt.datetime | None:
        dues = [i.due_at for i in self.items if i.due_at is not None]
        return min(dues) if dues else None


_providers: dict[str, Provider] = {}
_landing: list[str] = []


def register_provider(
    kind: str,
    label: Any,
    fn: Callable[[Any], Iterable[TodoItem]],
    roles: Iterable[str],
    order: int = 50,
) -> None:
    """Declare a kind of to-do; registering the same kind again replaces it (app re-creation)."""
    _providers[kind] = Provider(kind, label, fn, frozenset(roles), order)


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.kind))


def _sort_key(item: TodoItem) -> tuple[int, dt.datetime, str]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (int(item.urgency or Urgency.LATER), item.due_at or far, item.title)


def items_for(user: Any) -> list[TodoItem]:
    """Every item of every provider for the user's role, urgency filled, soonest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    role = user.role.value
    now = clock.now()
    out: list[TodoItem] = []
    for provider in providers():
        if role not in provider.roles:
            continue
        for item in provider.fn(user):
            urgency = item.urgency if item.urgency is not None else urgency_of(item.due_at, now)
            out.append(
                TodoItem(
                    kind=provider.kind,
                    title=item.title,
                    url=item.url,
                    due_at=item.due_at,
                    detail=item.detail,
                    urgency=urgency,
                    due_label=item.due_label,
                )
            )
    return sorted(out, key=_sort_key)


def groups_for(user: Any) -> list[TodoGroup]:
    """The user's items grouped by kind; the group with the soonest item comes first."""
    groups: dict[str, TodoGroup] = {}
    for item in items_for(user):
        if item.kind not in groups:
            groups[item.kind] = TodoGroup(item.kind, str(_providers[item.kind].label))
        groups[item.kind].items.append(item)
    return sorted(groups.values(), key=lambda g: _sort_key(g.items[0]))


def set_landing(endpoint: str) -> None:
    """The roof names the page a user lands on after login (the workbench)."""
    _landing[:] = [endpoint]


def landing_url() -> str:
    from flask import url_for

    for endpoint in _landing:
        return url_for(endpoint)
    return url_for("portal.index")
