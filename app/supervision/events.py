"""Incremental checks: when something happens to a lot (bidding.hooks.lot_event, the award
and contract hooks), the rules that watch that event run for that lot alone, inside the
lot's own transaction, each in a savepoint — a rule's fault never undoes the lot's change.
Events that come in bursts (a bid submitted) are run after the commit, once per burst
(`bursts.py`)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app.core.auth.models import User
from app.core.extensions import db
from app.supervision import bursts, live, runner
from app.supervision.models import CorrectionStatus, SupervisionWarning
from app.supervision.rules import rules_for_event
from bidding.models import Lot

log = logging.getLogger(__name__)


def on_lot_event(lot: Lot, event: str) -> None:
    if event in bursts.BURST_EVENTS and bursts.defer(lot.id, event):
        return
    run_rules(lot, event)


def run_rules(lot: Lot, event: str) -> None:
    """The rules watching `event`, for this lot, in the caller's transaction."""
    try:
        rules = rules_for_event(event)
        if rules:
            runner.run(lot_ids=[lot.id], rules=rules)
        live.lots_changed([lot.id], kind="stage")
    except Exception:  # the lot's change goes on whatever happens here
        log.exception("supervision checks after %s on lot %s failed", event, lot.id)


def on_awarded(lot: Lot, user: User, at: dt.datetime) -> None:
    on_lot_event(lot, "awarded")


def on_contract_signed(lot: Lot, user: User, at: dt.datetime) -> None:
    on_lot_event(lot, "contract_signed")


def correction_holds(lot: Lot) -> bool:
    """A correction ordered on the lot and not yet done keeps it suspended."""
    return (
        db.session.execute(
            select(SupervisionWarning.id).where(
                SupervisionWarning.lot_id == lot.id,
                SupervisionWarning.correction == CorrectionStatus.ORDERED,
            )
        ).first()
        is not None
    )
