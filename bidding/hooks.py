"""Reactions of higher floors to lifecycle events of a lot, registered at start-up.

Bidding may not import the floors above it, yet some of its events concern them: the
scoring scheme is frozen when the tender notice goes out and amended only by a
clarification. A higher package registers a function here in its `init_app`; the
services call every registered function inside their own transaction, so a function
may raise a DomainError to refuse the whole change, and its writes commit with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from app.core.auth.models import Organisation, User
from bidding.models import Announcement, Lot

# (lot, acting user, the tender notice just flushed) — before the lot becomes PUBLISHED;
# return values are ignored
TenderHook = Callable[[Lot, User, Announcement], object]
# (lot) → a paragraph the next clarification of the lot must carry, or None
AddendumHook = Callable[[Lot], str | None]
# (lot, acting user, the clarification just flushed)
ClarificationHook = Callable[[Lot, User, Announcement], object]

# (lot, acting user, when) — inside the award / contract-filing transaction
ResultHook = Callable[[Lot, User, dt.datetime], object]

# (lot) → why the lot's records must be kept (a retained archive refers to them), or None
RetentionHook = Callable[[Lot], str | None]

_before_tender: list[TenderHook] = []
_retention: list[RetentionHook] = []
_addenda: list[AddendumHook] = []
_clarification: list[ClarificationHook] = []
_awarded: list[ResultHook] = []
_contract_signed: list[ResultHook] = []
# (lot, acting user, why) — inside the termination / rescheduling transaction
LotChangeHook = Callable[[Lot, User, str], object]
_terminated: list[LotChangeHook] = []
_rescheduled: list[LotChangeHook] = []


def _add(registry: list, fn: Callable) -> None:  # type: ignore[type-arg]
    # init_app may run once per app in tests: register each function once.
    if fn not in registry:
        registry.append(fn)


def register_before_tender_published(fn: TenderHook) -> None:
    _add(_before_tender, fn)


def register_clarification_addendum(fn: AddendumHook) -> None:
    _add(_addenda, fn)


def register_clarification_published(fn: ClarificationHook) -> None:
    _add(_clarification, fn)


def before_tender_published(lot: Lot, user: User, notice: Announcement) -> None:
    for fn in _before_tender:
        fn(lot, user, notice)


def clarification_addenda(lot: Lot) -> list[str]:
    """What the next clarification of the lot will also publish, in the current locale."""
    return [text for fn in _addenda if (text := fn(lot))]


def clarification_published(lot: Lot, user: User, notice: Announcement) -> None:
    for fn in _clarification:
        fn(lot, user, notice)


def register_lot_awarded(fn: ResultHook) -> None:
    _add(_awarded, fn)


def register_contract_signed(fn: ResultHook) -> None:
    _add(_contract_signed, fn)


def lot_awarded(lot: Lot, user: User, at: dt.datetime) -> None:
    """The award notice was issued (others' bonds fall due for release from `at`)."""
    for fn in _awarded:
        fn(lot, user, at)


def contract_signed(lot: Lot, user: User, at: dt.datetime) -> None:
    """The signed contract was filed (the winner's bond falls due for release from `at`)."""
    for fn in _contract_signed:
        fn(lot, user, at)


# (lot, event name) — a lot event higher floors watch (supervision's rules): inside the
# transaction of the change; a registered function must not raise.
LotEventHook = Callable[[Lot, str], object]
# (lot) → True while a higher floor holds the lot suspended (a supervisor's correction
# order), so that answering the last objection does not resume it.
HoldHook = Callable[[Lot], bool]

_lot_events: list[LotEventHook] = []
_holds: list[HoldHook] = []


def register_lot_event(fn: LotEventHook) -> None:
    _add(_lot_events, fn)


def lot_event(lot: Lot, event: str) -> None:
    """Something happened to the lot: "bid_submitted", "frozen", "opened", "files_checked",
    "scored", "awarded", "contract_signed"."""
    for fn in _lot_events:
        fn(lot, event)


def register_suspension_hold(fn: HoldHook) -> None:
    _add(_holds, fn)


def suspension_held(lot: Lot) -> bool:
    return any(fn(lot) for fn in _holds)


@dataclass(frozen=True)
class Bar:
    """Why an organisation may take no part in a procurement now (a 失信 ban, …)."""

    reason: str  # in the user's language, saying by whom and why
    until: dt.datetime | None  # when the bar ends (None: until lifted)
    source: str  # what imposed it, e.g. "credit_record:12" (kept in the refusal's audit)


# (organisation, at) → the bar in force at that moment, or None
BarHook = Callable[[Organisation, dt.datetime], Bar | None]
_bars: list[BarHook] = []


def register_participation_bar(fn: BarHook) -> None:
    """A higher floor's reason to keep a supplier from tender documents and bids."""
    _add(_bars, fn)


def participation_bars(org: Organisation, at: dt.datetime) -> list[Bar]:
    return [bar for fn in _bars if (bar := fn(org, at)) is not None]


def register_retention_hold(fn: RetentionHook) -> None:
    _add(_retention, fn)


def retention_holds(lot: Lot) -> list[str]:
    """Why nothing of this lot may be deleted now (empty: no hold). Read by
    `bidding.retention`, the one rule every delete path asks."""
    return [why for fn in _retention if (why := fn(lot))]


def register_lot_terminated(fn: LotChangeHook) -> None:
    _add(_terminated, fn)


def register_lot_rescheduled(fn: LotChangeHook) -> None:
    _add(_rescheduled, fn)


def lot_terminated(lot: Lot, user: User, reason: str) -> None:
    """The lot was terminated: whatever higher floors held for it (seats) is let go."""
    for fn in _terminated:
        fn(lot, user, reason)


def lot_rescheduled(lot: Lot, user: User, reason: str) -> None:
    """The lot's deadline (and so its evaluation time) moved: held times no longer fit."""
    for fn in _rescheduled:
        fn(lot, user, reason)
