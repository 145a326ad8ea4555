"""The deadline freeze: the list of bid hashes fixed at the deadline, 流标, and re-tendering."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.audit.chain import canonical_json
from app.core.auth.models import Role, User
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.notify import notify
from app.core.realtime import emit
from app.core.storage import get_store
from bidding import hooks
from bidding.bids import actions
from bidding.bids.eligibility import deadline_passed
from bidding.bids.models import Bid, BidStatus, BidUpload, LotFreeze, UploadStatus, get_freeze
from bidding.bids.policies import HALL
from bidding.methods import rule_for
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot


def freeze_entries(lot: Lot) -> list[dict[str, Any]]:
    bids = db.session.execute(
        select(Bid)
        .where(Bid.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED)
        .order_by(Bid.supplier_id)
    ).scalars()
    return [
        {
            "bid_id": b.id,
            "supplier_id": b.supplier_id,
            "supplier": b.supplier.name,
            "version": b.version,
            "sha256": b.ciphertext_sha256,
            "size": b.size,
            "received_at": b.received_at.isoformat(),
        }
        for b in bids
    ]


def close_lot(lot: Lot) -> LotFreeze | None:
    """At the deadline: freeze the list of current bid hashes; < minimum bids → 流标.

    Idempotent: a lot already frozen returns its freeze; a lot before its deadline or not
    in the bid period returns None.
    """
    db.session.execute(select(Lot).where(Lot.id == lot.id).with_for_update())
    db.session.refresh(lot)
    existing = get_freeze(lot)
    if existing is not None:
        return existing
    if lot.status != LotStatus.PUBLISHED or not deadline_passed(lot):
        return None
    entries = freeze_entries(lot)
    list_hash = hashlib.sha256(canonical_json(entries).encode()).hexdigest()
    # The centre's floor for tendering, unless the method names fewer suppliers: 单一来源
    # negotiates with its one supplier, whose one response must be opened, not 流标.
    minimum = min(
        int(current_app.config["MIN_BIDS_TO_OPEN"]), rule_for(lot.project.method).min_suppliers
    )
    failed = len(entries) < minimum
    lot.status = LotStatus.FAILED if failed else LotStatus.CLOSED
    if failed:
        lot.status_reason = _(
            "投标截止时递交投标文件的投标人不足 %(m)s 家（实际 %(n)s 家），依法不予开标，本标段流标。",
            m=minimum,
            n=len(entries),
        )
    freeze = LotFreeze(
        lot_id=lot.id,
        frozen_at=clock.now(),
        entries=entries,
        list_hash=list_hash,
        bid_count=len(entries),
        failed=failed,
        audit_seq=0,
    )
    db.session.add(freeze)
    store = get_store()
    for upload in db.session.execute(
        select(BidUpload).where(BidUpload.lot_id == lot.id, BidUpload.status == UploadStatus.OPEN)
    ).scalars():
        upload.status, upload.error = UploadStatus.FAILED, "deadline"
        store.staging_path(upload.token).unlink(missing_ok=True)
    db.session.flush()
    entry = record(
        actions.BIDS_FROZEN,
        lot,
        {
            "list_hash": list_hash,
            "count": len(entries),
            "failed": failed,
            "reason": lot.status_reason if failed else "",
            "bids": [[e["bid_id"], e["supplier_id"], e["sha256"]] for e in entries],
        },
        actor=None,
    )
    freeze.audit_seq = entry.seq
    db.session.flush()
    _announce_freeze(lot, freeze)
    hooks.lot_event(lot, "frozen")
    return freeze


def _announce_freeze(lot: Lot, freeze: LotFreeze) -> None:
    """Tell the bidders and the centre's supervisors, and the hall, that the list is fixed."""
    title = (
        _("%(c)s 投标截止：投标人不足，流标", c=lot.code)
        if freeze.failed
        else _("%(c)s 投标截止：已冻结 %(n)s 份投标文件哈希", c=lot.code, n=freeze.bid_count)
    )
    body = _("哈希清单摘要 %(h)s", h=freeze.list_hash)
    users: dict[int, User] = {}
    for e in freeze.entries:
        for u in db.session.execute(
            select(User).where(User.organisation_id == e["supplier_id"], User.role == Role.SUPPLIER)
        ).scalars():
            users[u.id] = u
    for u in db.session.execute(
        select(User).where(User.centre_id == lot.project.centre_id, User.role == Role.SUPERVISOR)
    ).scalars():
        users[u.id] = u
    link = f"/bids/lots/{lot.id}/freeze"
    for u in users.values():
        notify(u, "bid_freeze", title, body, link, email=False)
    emit(
        HALL.name(lot.id),
        "frozen",
        {"list_hash": freeze.list_hash, "count": freeze.bid_count, "failed": freeze.failed},
    )


def sweep_deadlines() -> int:
    """Scheduler job: close every published lot whose deadline has passed. Safe to re-run."""
    due = db.session.execute(
        select(Lot).where(Lot.status == LotStatus.PUBLISHED, Lot.bid_deadline <= clock.now())
    ).scalars()
    count = 0
    for lot in list(due):
        if close_lot(lot) is not None:
            count += 1
    return count


def retender_refusal(lot: Lot) -> str | None:
    """Why the lot cannot be tendered again now, or None: the one rule for a lot that failed
    at the deadline (流标) and one whose evaluation failed (废标) alike."""
    freeze = get_freeze(lot)
    if lot.status != LotStatus.FAILED or freeze is None:
        return _("只有流标或废标的标段可以重新招标。")
    if freeze.retendered_lot_id is not None:
        return _("该标段已发起重新招标。")
    return None


def ensure_can_retender(lot: Lot) -> LotFreeze:
    refusal = retender_refusal(lot)
    if refusal is not None:
        raise Conflict(refusal)
    freeze = get_freeze(lot)
    assert freeze is not None
    return freeze


def retendered_from(lot: Lot) -> Lot | None:
    """The failed lot this one tenders again, if any (its history)."""
    return db.session.execute(
        select(Lot)
        .join(LotFreeze, LotFreeze.lot_id == Lot.id)
        .where(LotFreeze.retendered_lot_id == lot.id)
    ).scalar_one_or_none()


def retendered_as(lot: Lot) -> Lot | None:
    """The new lot that tenders this failed one again, if any."""
    freeze = get_freeze(lot)
    if freeze is None or freeze.retendered_lot_id is None:
        return None
    return db.session.get(Lot, freeze.retendered_lot_id)


def retender(lot: Lot, actor: User) -> Lot:
    """Copy a failed lot into a new draft lot of the same project (重新招标)."""
    ensure_can_manage_lot(actor, lot)
    db.session.execute(select(Lot).where(Lot.id == lot.id).with_for_update())
    freeze = ensure_can_retender(lot)
    seq = (
        db.session.execute(
            select(func.max(Lot.seq)).where(Lot.project_id == lot.project_id)
        ).scalar()
        or 0
    ) + 1
    rounds = (
        db.session.execute(
            select(func.count()).select_from(Lot).where(Lot.code.like(f"{lot.code}-R%"))
        ).scalar_one()
        + 1
    )
    copy = Lot(
        project_id=lot.project_id,
        seq=seq,
        code=f"{lot.code}-R{rounds}"[:50],
        name=lot.name if "重新招标" in lot.name else f"{lot.name}（重新招标）"[:200],
        category_code=lot.category_code,
        budget=lot.budget,
        ceiling_price=lot.ceiling_price,
        bid_bond=lot.bid_bond,
        evaluation_method=lot.evaluation_method,
        committee_size=lot.committee_size,
        validity_days=lot.validity_days,
        status=LotStatus.DRAFT,
        opening_place=lot.opening_place,
        price_form_fields=list(lot.price_form_fields or []),
        max_bid_bytes=lot.max_bid_bytes,
        status_reason="",
    )
    db.session.add(copy)
    db.session.flush()
    freeze.retendered_lot_id = copy.id
    record(
        actions.LOT_RETENDERED,
        lot,
        {"new_lot": copy.id, "code": copy.code, "reason": lot.status_reason},
        actor=actor,
    )
    return copy
