"""Bid bonds (投标保证金): paid bonds recorded by staff, guarantee letters (保函) decided by them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.db import to_money
from app.core.errors import Conflict, Forbidden, TooLate, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import actions
from bidding.bids.eligibility import deadline_passed
from bidding.bids.models import BidBond, BondKind, BondStatus
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot


def _bond_amount(lot: Lot, amount: Any) -> Decimal:
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


def _existing_bond(lot: Lot, supplier: Organisation) -> BidBond | None:
    bond = bond_of(lot, supplier)
    if bond is not None and bond.status == BondStatus.ACCEPTED:
        raise Conflict(_("该供应商的投标保证金已确认，无需重复登记。"))
    return bond


def record_paid_bond(
    lot: Lot,
    supplier: Organisation,
    actor: User,
    *,
    amount: Any,
    reference: str,
    payer_account: str = "",
) -> BidBond:
    """Staff record a bond received in the centre's account; it counts at once."""
    ensure_can_manage_lot(actor, lot)
    if supplier.kind != OrgKind.SUPPLIER:
        raise ValidationError(_("只能为供应商登记投标保证金。"), field="supplier_id")
    if deadline_passed(lot):
        raise TooLate(_("投标截止时间已过，不能再登记投标保证金。"))
    value = _bond_amount(lot, amount)
    if not reference.strip():
        raise ValidationError(_("请填写银行流水号。"), field="reference")
    bond = _existing_bond(lot, supplier) or BidBond(lot_id=lot.id, supplier_id=supplier.id)
    now = clock.now()
    bond.kind, bond.status, bond.amount = BondKind.PAID, BondStatus.ACCEPTED, value
    bond.reference, bond.payer_account = reference.strip()[:100], payer_account.strip()[:60]
    bond.recorded_by_id, bond.recorded_at = actor.id, now
    bond.decided_by_id, bond.decided_at = actor.id, now
    db.session.add(bond)
    db.session.flush()
    record(
        actions.BOND_PAID,
        bond,
        {"lot": lot.id, "supplier": supplier.id, "amount": str(value), "reference": bond.reference},
        actor=actor,
    )
    return bond


def submit_guarantee(
    lot: Lot, user: User, *, amount: Any, reference: str, filename: str, stream: IO[bytes]
) -> BidBond:
    """A supplier uploads a guarantee letter (保函); staff accept it before it counts."""
    if user.role != Role.SUPPLIER or user.organisation is None:
        raise Forbidden(_("只有供应商可以提交保函。"))
    if deadline_passed(lot) or lot.status != LotStatus.PUBLISHED:
        raise TooLate(_("该标段不在投标期，不能提交保函。"))
    value = _bond_amount(lot, amount)
    name = (filename or "").strip()
    if not name.lower().endswith((".pdf", ".ofd", ".jpg", ".png")):
        raise ValidationError(_("保函文件须为 PDF、OFD、JPG 或 PNG 格式。"), field="file")
    sha, _size = get_store().put_stream(
        stream, max_bytes=int(current_app.config["MAX_DOCUMENT_BYTES"])
    )
    bond = _existing_bond(lot, user.organisation) or BidBond(
        lot_id=lot.id, supplier_id=user.organisation.id
    )
    bond.kind, bond.status, bond.amount = BondKind.GUARANTEE, BondStatus.PENDING, value
    bond.reference, bond.letter_sha256, bond.letter_name = reference.strip()[:100], sha, name[:200]
    bond.recorded_by_id, bond.recorded_at = user.id, clock.now()
    bond.decided_by_id = bond.decided_at = None
    db.session.add(bond)
    db.session.flush()
    record(actions.GUARANTEE_SUBMITTED, bond, {"lot": lot.id, "sha256": sha}, actor=user)
    return bond


def decide_bond(bond: BidBond, actor: User, *, accept: bool, note: str = "") -> BidBond:
    lot = db.session.get(Lot, bond.lot_id)
    assert lot is not None
    ensure_can_manage_lot(actor, lot)
    if bond.status != BondStatus.PENDING:
        raise Conflict(_("该保证金记录已处理。"))
    if not accept and not note.strip():
        raise ValidationError(_("退回保函须说明理由。"), field="note")
    bond.status = BondStatus.ACCEPTED if accept else BondStatus.REJECTED
    bond.decided_by_id, bond.decided_at, bond.note = actor.id, clock.now(), note.strip()
    db.session.flush()
    record(
        actions.BOND_ACCEPTED if accept else actions.BOND_REJECTED,
        bond,
        {"note": bond.note},
        actor=actor,
    )
    return bond


# ---------------------------------------------------------------- lists for the staff pages


def bonds_of(lot: Lot) -> list[BidBond]:
    return list(
        db.session.execute(
            select(BidBond).where(BidBond.lot_id == lot.id).order_by(BidBond.recorded_at.desc())
        ).scalars()
    )


def bond_of(lot: Lot, org: Organisation) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(BidBond.lot_id == lot.id, BidBond.supplier_id == org.id)
    ).scalar_one_or_none()


def bond_candidates(lot: Lot) -> list[Organisation]:
    """Suppliers a bond may be recorded for: those who downloaded the tender documents."""
    try:
        from bidding.documents.models import DocumentDownload
    except ImportError:
        return []
    ids = select(DocumentDownload.supplier_id).where(DocumentDownload.lot_id == lot.id)
    return list(
        db.session.execute(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        ).scalars()
    )
