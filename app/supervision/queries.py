"""Read-only views of the log and of the centre's lots for supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding import actions
from bidding.bids import actions as bid_actions

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.action.strip():
            # "bid." finds every bid action; a full name finds exactly that one.
            stmt = stmt.where(AuditEntry.action.like(f"{self.action.strip()}%"))
        if self.actor.strip():
            stmt = stmt.where(AuditEntry.actor_name == self.actor.strip())
        if self.object_type.strip():
            stmt = stmt.where(AuditEntry.object_type == self.object_type.strip())
        if self.object_id.strip():
            stmt = stmt.where(AuditEntry.object_id == self.object_id.strip())
        return stmt


def audit_page(flt: AuditFilter, page: int) -> tuple[list[AuditEntry], int]:
    stmt = flt.apply(select(AuditEntry))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(
            stmt.order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    return list(rows), total


# Actions that name a supplier who downloaded, asked, objected, paid a bond or bid. Until
# the lot's deadline that list is secret from everyone but the platform itself, supervisors
# included; the entries stay in the log (and in its hash chain) and are shown redacted.
# Every action that would tell who intends to bid, sealed until the lot's deadline; the
# opening-key ceremony is the one "bid." action that names no bidder.
SEALED_ACTIONS = (
    actions.TENDER_DOCUMENT_DOWNLOADED,
    actions.QUESTION_ASKED,
    actions.OBJECTION_FILED,
    bid_actions.PREFIX,
)
_LOT_OF_OBJECT = {
    "bid": ("bidding.bids.models", "Bid"),
    "bid_bond": ("bidding.bids.models", "BidBond"),
    "bid_upload": ("bidding.bids.models", "BidUpload"),
    "document_download": ("bidding.documents.models", "DocumentDownload"),
    "doc_question": ("bidding.documents.models", "Question"),
    "doc_objection": ("bidding.documents.models", "Objection"),
}


@dataclass(frozen=True)
class EntryView:
    seq: int
    ts: Any
    actor_name: str
    role: str
    ip: str
    action: str
    object_type: str
    object_id: str
    data: str
    entry_hash: str
    sealed: bool = False


def _lot_id(entry: AuditEntry) -> int | None:
    import importlib
    import json

    try:
        data = json.loads(entry.data or "{}")
    except ValueError:
        data = {}
    for key in ("lot_id", "lot"):
        if isinstance(data.get(key), int):
            return data[key]
    if entry.object_type == "lot" and entry.object_id.isdigit():
        return int(entry.object_id)
    target = _LOT_OF_OBJECT.get(entry.object_type)
    if target and entry.object_id.isdigit():
        model = getattr(importlib.import_module(target[0]), target[1])
        obj = db.session.get(model, int(entry.object_id))
        return getattr(obj, "lot_id", None) if obj is not None else None
    return None


def visible_entries(rows: list[AuditEntry], now: Any) -> list[EntryView]:
    """The rows as a supervisor may see them now: sealed ones redacted until the deadline."""
    from bidding.models import Lot

    out: list[EntryView] = []
    for e in rows:
        sealed = False
        if e.action.startswith(SEALED_ACTIONS) and e.action != bid_actions.OPENING_KEY_CREATED:
            lot_id = _lot_id(e)
            lot = db.session.get(Lot, lot_id) if lot_id is not None else None
            # Unknown lot: stay on the safe side and keep it sealed.
            sealed = lot is None or lot.bid_deadline is None or lot.bid_deadline > now
        if sealed:
            out.append(
                EntryView(
                    e.seq,
                    e.ts,
                    "—",
                    e.role,
                    "",
                    e.action,
                    e.object_type,
                    "",
                    "{}",
                    e.entry_hash,
                    True,
                )
            )
        else:
            out.append(
                EntryView(
                    e.seq,
                    e.ts,
                    e.actor_name,
                    e.role,
                    e.ip,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.data,
                    e.entry_hash,
                )
            )
    return out


@dataclass
class SharedPayer:
    """One paying account that funded the bonds of several bidders of one lot (串标信号)."""

    lot: Any
    payer_account: str
    payer_names: list[str]
    payments: list[Any]  # BankArrival rows, each with its sub-account's supplier

    @property
    def suppliers(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for p in self.payments:
            seen.setdefault(p.sub_account.supplier_id, p.sub_account.supplier)
        return list(seen.values())


def shared_payers(centre_id: int | None) -> list[SharedPayer]:
    """Payer accounts behind the bonds of two or more suppliers of the same lot.

    Every credit that reached a sub-account counts, held or not: the signal is who paid,
    not whether the payment was accepted.
    """
    from bidding.bids.bond_models import BankArrival, SubAccount
    from bidding.models import Lot, Project

    pairs = (
        select(SubAccount.lot_id, BankArrival.payer_account)
        .join(SubAccount, SubAccount.id == BankArrival.sub_account_id)
        .group_by(SubAccount.lot_id, BankArrival.payer_account)
        .having(func.count(func.distinct(SubAccount.supplier_id)) >= 2)
    )
    if centre_id is not None:
        pairs = pairs.where(BankArrival.centre_id == centre_id)
    found: list[SharedPayer] = []
    for lot_id, account in db.session.execute(pairs).all():
        lot = db.session.get(Lot, lot_id)
        project = db.session.get(Project, lot.project_id) if lot else None
        if lot is None or project is None:
            continue
        rows = list(
            db.session.execute(
                select(BankArrival)
                .join(SubAccount, SubAccount.id == BankArrival.sub_account_id)
                .where(SubAccount.lot_id == lot_id, BankArrival.payer_account == account)
                .order_by(BankArrival.paid_at)
            ).scalars()
        )
        names = sorted({r.payer_name for r in rows if r.payer_name})
        found.append(SharedPayer(lot, account, names, rows))
    found.sort(key=lambda s: (s.lot.id, s.payer_account))
    return found
