"""Bid bonds (投标保证金): a supplier's virtual sub-account, its guarantee letter (保函) and
the centre's check of it, and the lists each role may read.

Money arrives through the bank (`bidding.bids.bank` matches it to the sub-account); nobody
at the agency records, or sees, who paid before the deadline (DOMAIN.md §3).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.db import to_money
from app.core.errors import Conflict, Forbidden, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from app.core.storage import get_store
from bidding import actions as lot_actions
from bidding.bids import actions
from bidding.bids.bond_models import BankArrival, BondRefund, SubAccount
from bidding.bids.eligibility import deadline_passed
from bidding.bids.models import BidBond, BondKind, BondStatus
from bidding.bids.policies import (
    can_see_bond_list,
    ensure_can_run_bond_account,
    ensure_can_see_bond_list,
)
from bidding.models import Lot, LotStatus

GUARANTEE_SUFFIXES = (".pdf", ".ofd", ".jpg", ".png")


@dataclass(frozen=True)
class BondAccount:
    """The centre's bond account (保证金专户) that every sub-account belongs to."""

    name: str
    bank: str
    number: str


def bond_account(centre: Centre) -> BondAccount:
    """A centre's own setting ("bond_account": name, bank, number) wins over the platform's."""
    own = (centre.settings or {}).get("bond_account") or {}
    cfg = current_app.config
    return BondAccount(
        name=str(own.get("name") or cfg.get("BOND_ACCOUNT_NAME") or centre.name),
        bank=str(own.get("bank") or cfg.get("BOND_ACCOUNT_BANK", "")),
        number=str(own.get("number") or cfg.get("BOND_ACCOUNT_NUMBER", "")),
    )


def _supplier_of(user: User) -> Organisation:
    org = user.organisation
    if user.role != Role.SUPPLIER or org is None or org.kind != OrgKind.SUPPLIER:
        raise Forbidden(_("只有供应商可以办理投标保证金。"))
    return org


def _in_bid_period(lot: Lot) -> None:
    if deadline_passed(lot) or lot.status != LotStatus.PUBLISHED:
        raise TooLate(_("该标段不在投标期，不能办理投标保证金。"))


# ---------------------------------------------------------------- the supplier's own bond


def sub_account_of(lot: Lot, org: Organisation) -> SubAccount | None:
    return db.session.execute(
        select(SubAccount).where(SubAccount.lot_id == lot.id, SubAccount.supplier_id == org.id)
    ).scalar_one_or_none()


def _new_number(centre: Centre) -> str:
    # Random digits, never a sequence: a supplier must not read a count from its number.
    prefix = str(current_app.config.get("BOND_SUB_ACCOUNT_PREFIX") or centre.code)[:12]
    while True:
        number = prefix + "".join(secrets.choice("0123456789") for _i in range(12))
        if db.session.execute(select(SubAccount.id).where(SubAccount.number == number)).first():
            continue
        return number


def issue_sub_account(lot: Lot, user: User) -> SubAccount:
    """The supplier asks for its sub-account for this lot; asking again returns the same one."""
    org = _supplier_of(user)
    existing = sub_account_of(lot, org)
    if existing is not None:
        return existing
    _in_bid_period(lot)
    if lot.bid_bond <= 0:
        raise Conflict(_("本标段不收取投标保证金。"))
    sub = SubAccount(
        lot_id=lot.id,
        supplier_id=org.id,
        number=_new_number(lot.project.centre),
        amount_due=lot.bid_bond,
        issued_at=clock.now(),
        issued_by_id=user.id,
    )
    db.session.add(sub)
    db.session.flush()
    record(actions.SUB_ACCOUNT_ISSUED, sub, {"lot": lot.id, "supplier": org.id}, actor=user)
    return sub


def bond_of(lot: Lot, org: Organisation) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(BidBond.lot_id == lot.id, BidBond.supplier_id == org.id)
    ).scalar_one_or_none()


@dataclass
class BondState:
    """What a supplier sees of its own bond on one lot."""

    lot: Lot
    account: BondAccount
    sub_account: SubAccount | None
    bond: BidBond | None
    arrivals: list[BankArrival]
    refund: BondRefund | None
    may_act: bool  # still in the bid period

    @property
    def satisfied(self) -> bool:
        return self.lot.bid_bond <= 0 or (
            self.bond is not None and self.bond.status == BondStatus.ACCEPTED
        )


def my_bond(lot: Lot, user: User) -> BondState:
    org = _supplier_of(user)
    sub = sub_account_of(lot, org)
    bond = bond_of(lot, org)
    arrivals = (
        list(
            db.session.execute(
                select(BankArrival)
                .where(BankArrival.sub_account_id == sub.id)
                .order_by(BankArrival.paid_at)
            ).scalars()
        )
        if sub is not None
        else []
    )
    refund = (
        db.session.execute(
            select(BondRefund).where(BondRefund.bond_id == bond.id)
        ).scalar_one_or_none()
        if bond is not None
        else None
    )
    return BondState(
        lot=lot,
        account=bond_account(lot.project.centre),
        sub_account=sub,
        bond=bond,
        arrivals=arrivals,
        refund=refund,
        may_act=not deadline_passed(lot) and lot.status == LotStatus.PUBLISHED,
    )


# ---------------------------------------------------------------- guarantee letters (保函)


def _amount(lot: Lot, amount: Any) -> Decimal:
    try:
        value = to_money(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(
            _("保证金金额应为数字（元，最多两位小数）。"), field="amount"
        ) from exc
    if value < lot.bid_bond:
        raise ValidationError(
            _("保证金金额 %(v)s 元低于本标段要求的 %(a)s 元。", v=value, a=lot.bid_bond),
            field="amount",
        )
    return value


def submit_guarantee(
    lot: Lot, user: User, *, amount: Any, reference: str, filename: str, stream: IO[bytes]
) -> BidBond:
    """A supplier uploads a guarantee letter; the centre's staff check it before it counts."""
    org = _supplier_of(user)
    _in_bid_period(lot)
    value = _amount(lot, amount)
    if not reference.strip():
        raise ValidationError(_("请填写保函编号。"), field="reference")
    name = (filename or "").strip()
    if not name.lower().endswith(GUARANTEE_SUFFIXES):
        raise ValidationError(_("保函文件须为 PDF、OFD、JPG 或 PNG 格式。"), field="file")
    bond = bond_of(lot, org)
    if bond is not None and bond.status == BondStatus.ACCEPTED:
        raise Conflict(_("贵单位本标段的投标保证金已确认，无需再提交保函。"))
    sha, _size = get_store().put_stream(
        stream, max_bytes=int(current_app.config["MAX_DOCUMENT_BYTES"])
    )
    bond = bond or BidBond(lot_id=lot.id, supplier_id=org.id)
    bond.kind, bond.status, bond.amount = BondKind.GUARANTEE, BondStatus.PENDING, value
    bond.reference, bond.letter_sha256, bond.letter_name = reference.strip()[:100], sha, name[:200]
    bond.payer_account, bond.note = "", ""
    bond.recorded_by_id, bond.recorded_at = user.id, clock.now()
    bond.decided_by_id = bond.decided_at = None
    db.session.add(bond)
    db.session.flush()
    record(actions.GUARANTEE_SUBMITTED, bond, {"lot": lot.id, "sha256": sha}, actor=user)
    return bond


def pending_guarantees(user: User) -> list[BidBond]:
    """The centre officer's queue: guarantees of its centre's lots awaiting a check.

    The page shows each as a numbered check, not as a list of bidders per lot.
    """
    from bidding.models import Project

    ensure_can_run_bond_account(user, user.centre_id)
    return list(
        db.session.execute(
            select(BidBond)
            .join(Lot, Lot.id == BidBond.lot_id)
            .join(Project, Project.id == Lot.project_id)
            .where(
                BidBond.kind == BondKind.GUARANTEE,
                BidBond.status == BondStatus.PENDING,
                Project.centre_id == user.centre_id,
            )
            .order_by(BidBond.recorded_at)
        ).scalars()
    )


def decide_guarantee(bond: BidBond, actor: User, *, accept: bool, note: str = "") -> BidBond:
    """Centre staff accept or reject one guarantee letter (a reason is required to reject)."""
    lot = db.session.get(Lot, bond.lot_id)
    assert lot is not None
    ensure_can_run_bond_account(actor, lot.project.centre_id)
    if bond.kind != BondKind.GUARANTEE or bond.status != BondStatus.PENDING:
        raise Conflict(_("该保函已处理。"))
    if not accept and not note.strip():
        raise ValidationError(_("退回保函须说明理由。"), field="note")
    bond.status = BondStatus.ACCEPTED if accept else BondStatus.REJECTED
    bond.decided_by_id, bond.decided_at, bond.note = actor.id, clock.now(), note.strip()[:1000]
    db.session.flush()
    record(
        actions.BOND_ACCEPTED if accept else actions.BOND_REJECTED,
        bond,
        {"lot": lot.id, "note": bond.note},
        actor=actor,
    )
    submitter = db.session.get(User, bond.recorded_by_id)
    if submitter is not None:
        notify(
            submitter,
            "bond",
            _("保函已核验通过：%(c)s", c=lot.code)
            if accept
            else _("保函被退回：%(c)s", c=lot.code),
            bond.note,
            f"/bonds/lots/{lot.id}/mine",
        )
    return bond


# ---------------------------------------------------------------- the lot's list, when allowed


@dataclass
class BondRow:
    bond: BidBond
    refund: BondRefund | None
    payer_accounts: list[str]


def bonds_of(lot: Lot, user: User, *, with_payers: bool = False) -> list[BondRow]:
    """Every bond of the lot, for those `can_see_bond_list` allows (never before the deadline
    for the agency). Paying accounts only when the caller may see them."""
    if not can_see_bond_list(user, lot) and not deadline_passed(lot):
        # An attempt on a record sealed until the deadline is itself a signal (廉政防控):
        # it is kept even though the request fails, so it commits before the refusal.
        db.session.rollback()
        record(lot_actions.SEALED_READ_REFUSED, lot, {"lot_id": lot.id, "what": "bond_list"})
        db.session.commit()
    ensure_can_see_bond_list(user, lot)
    bonds = list(
        db.session.execute(
            select(BidBond).where(BidBond.lot_id == lot.id).order_by(BidBond.id)
        ).scalars()
    )
    ids = [b.id for b in bonds]
    refunds = {
        r.bond_id: r
        for r in db.session.execute(select(BondRefund).where(BondRefund.bond_id.in_(ids))).scalars()
    }
    payers: dict[int, list[str]] = {}
    if with_payers:
        for bond_id, account in db.session.execute(
            select(BankArrival.bond_id, BankArrival.payer_account).where(
                BankArrival.bond_id.in_(ids)
            )
        ):
            payers.setdefault(bond_id, []).append(account)
    return [BondRow(b, refunds.get(b.id), payers.get(b.id, [])) for b in bonds]
