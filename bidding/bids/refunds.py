"""Bond refunds (退还投标保证金) and their legal deadlines.

The others' bonds are returned within 5 days of the award notice, the winner's within 5
days of the contract (DOMAIN.md §3); a held payment sent back to its payer gets the same
period from the staff's decision. Days are counted as the Civil Code counts periods
(民法典 第二百零一条至第二百零三条): the day of the event is not counted, the period ends at
24:00 of its last day, and a last day that is a statutory rest day or holiday moves to the
next working day of the centre's calendar.

`start_refunds_on_award` and `start_refunds_on_contract` take (lot, user, at): the result
stages call them through `bidding.hooks` (registered in `bidding.init_app`).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from bidding import clocks
from bidding.bids import actions
from bidding.bids.bond_models import BankArrival, BondRefund, RefundReason
from bidding.bids.models import BidBond, BondStatus
from bidding.bids.policies import ensure_can_run_bond_account
from bidding.models import Lot


def refund_days() -> int:
    return int(current_app.config.get("BOND_REFUND_DAYS", 5))


def refund_due(event_at: dt.datetime, days: int, centre_id: int | None) -> dt.datetime:
    """The end of a refund period of `days` after the event: the one Civil Code rule of
    `bidding.clocks.period_end`, on the centre's calendar."""
    return clocks.period_end(event_at, days, calendar_for(centre_id))


def winner_of(lot: Lot) -> int | None:
    """The awarded supplier, as the result stages record it (None while there is none)."""
    # Imported here: the result stages import the bid models this module sits beside.
    from bidding.results.models import LotResult

    return db.session.execute(
        select(LotResult.winner_supplier_id).where(LotResult.lot_id == lot.id)
    ).scalar_one_or_none()


def _start(
    lot: Lot, bond: BidBond, reason: RefundReason, user: User, at: dt.datetime
) -> BondRefund | None:
    exists = db.session.execute(select(BondRefund.id).where(BondRefund.bond_id == bond.id)).first()
    if exists is not None:
        return None
    refund = BondRefund(
        lot_id=lot.id,
        centre_id=lot.project.centre_id,
        bond_id=bond.id,
        supplier_id=bond.supplier_id,
        amount=bond.amount,
        reason=reason,
        started_at=at,
        due_at=refund_due(at, refund_days(), lot.project.centre_id),
    )
    db.session.add(refund)
    db.session.flush()
    record(
        actions.REFUND_STARTED,
        refund,
        {"lot": lot.id, "bond": bond.id, "reason": reason.value, "due": refund.due_at.isoformat()},
        actor=user,
    )
    return refund


def _accepted_bonds(lot: Lot) -> list[BidBond]:
    return list(
        db.session.execute(
            select(BidBond)
            .where(BidBond.lot_id == lot.id, BidBond.status == BondStatus.ACCEPTED)
            .order_by(BidBond.id)
        ).scalars()
    )


def start_refunds_on_award(lot: Lot, user: User, at: dt.datetime) -> list[BondRefund]:
    """The award notice went out at `at`: every bond but the winner's falls due in 5 days."""
    return start_refunds_except(lot, user, at, winner_of(lot))


def start_refunds_except(
    lot: Lot, user: User, at: dt.datetime, winner: int | None
) -> list[BondRefund]:
    """Start the refunds of every accepted bond of the lot but the `winner`'s."""
    started = [
        _start(lot, bond, RefundReason.NOT_AWARDED, user, at)
        for bond in _accepted_bonds(lot)
        if bond.supplier_id != winner
    ]
    return [r for r in started if r is not None]


def start_refunds_on_contract(lot: Lot, user: User, at: dt.datetime) -> list[BondRefund]:
    """The contract was signed at `at`: the bonds still held (the winner's) fall due in 5 days."""
    started = [_start(lot, bond, RefundReason.WINNER, user, at) for bond in _accepted_bonds(lot)]
    return [r for r in started if r is not None]


def start_arrival_return(arrival: BankArrival, user: User) -> BondRefund:
    """A held payment staff decided to send back to its payer."""
    at = clock.now()
    sub = arrival.sub_account
    refund = BondRefund(
        lot_id=sub.lot_id if sub is not None else None,
        centre_id=arrival.centre_id,
        arrival_id=arrival.id,
        supplier_id=sub.supplier_id if sub is not None else None,
        amount=arrival.amount,
        reason=RefundReason.RETURN_ARRIVAL,
        started_at=at,
        due_at=refund_due(at, refund_days(), arrival.centre_id),
    )
    db.session.add(refund)
    db.session.flush()
    record(
        actions.REFUND_STARTED,
        refund,
        {"arrival": arrival.id, "reason": refund.reason.value, "due": refund.due_at.isoformat()},
        actor=user,
    )
    return refund


def record_refund_done(refund: BondRefund, actor: User, *, bank_reference: str) -> BondRefund:
    """Centre staff record that the money (or the letter) went back."""
    ensure_can_run_bond_account(actor, refund.centre_id)
    if refund.done_at is not None:
        raise Conflict(_("该笔退还已登记。"))
    if not bank_reference.strip():
        raise ValidationError(_("请填写退款的银行流水号或保函退还凭证号。"), field="bank_reference")
    refund.done_at, refund.done_by_id = clock.now(), actor.id
    refund.bank_reference = bank_reference.strip()[:100]
    db.session.flush()
    record(
        actions.REFUND_DONE,
        refund,
        {
            "reference": refund.bank_reference,
            "late": refund.done_at >= refund.due_at,
            "amount": str(refund.amount),
        },
        actor=actor,
    )
    return refund


def sweep_overdue() -> int:
    """Flag every refund past its due time and not done (once each; safe to re-run)."""
    now = clock.now()
    rows = list(
        db.session.execute(
            select(BondRefund).where(
                BondRefund.done_at.is_(None),
                BondRefund.overdue_at.is_(None),
                BondRefund.due_at <= now,
            )
        ).scalars()
    )
    for refund in rows:
        refund.overdue_at = now
        record(
            actions.REFUND_OVERDUE,
            refund,
            {"due": refund.due_at.isoformat(), "amount": str(refund.amount)},
        )
    db.session.flush()
    return len(rows)


def refunds_of_centre(actor: User, centre_id: int | None) -> list[BondRefund]:
    ensure_can_run_bond_account(actor, centre_id)
    return list(
        db.session.execute(
            select(BondRefund)
            .where(BondRefund.centre_id == centre_id, BondRefund.done_at.is_(None))
            .order_by(BondRefund.due_at)
        ).scalars()
    )


def load_refund(refund_id: int) -> BondRefund:
    refund = db.session.get(BondRefund, refund_id)
    if refund is None:
        raise NotFound(_("退还记录不存在。"))
    return refund
