"""The plaintext file hashes of opened bids, off the opening ceremony's critical path.

Reading the prices needs every chunk authenticated and the ciphertext checked against its
receipt; the collusion screens of the evaluation need each plaintext file's own SHA-256,
a second pass over the same bytes. The ceremony records the hashes the authenticated
manifest declares with ``files_check = "pending"``; this pass then decrypts each bid
again, hashes its files and marks it "confirmed" or "mismatch" (one transaction and one
audit entry per bid).

It always completes: the presented shares stay sealed to the server until the last bid of
the lot is checked (then they are wiped, as the ceremony used to do), so a crash in
between loses nothing; a thread started after the ceremony commits does the work at once,
and the scheduler sweep (``check_pending``) picks up whatever a crash interrupted. Two
runners on one bid are harmless: the result is written by a conditional UPDATE, so only
one of them records it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from app.core import clock
from app.core.audit import record
from app.core.extensions import db
from app.core.realtime import after_commit
from app.core.storage import get_store
from bidding import hooks
from bidding.bids import actions, plaintext, sealing
from bidding.bids.custody import opening_key
from bidding.bids.models import Bid, BidStatus, FilesCheck, LotCustodian
from bidding.bids.opening import presented_custodians, share_context
from bidding.models import Lot

log = logging.getLogger(__name__)


def pending_bids(lot_id: int) -> list[Bid]:
    return list(
        db.session.execute(
            select(Bid)
            .where(
                Bid.lot_id == lot_id,
                Bid.status == BidStatus.DECRYPTED,
                Bid.files_check == FilesCheck.PENDING,
            )
            .order_by(Bid.id)
        ).scalars()
    )


def files_checked(lot: Lot) -> bool:
    """True once every opened bid of the lot has its files' own hashes (or none needs them)."""
    return not pending_bids(lot.id)


def wipe_shares(lot_id: int) -> None:
    """The presented shares are not needed any more once nothing is left to decrypt."""
    db.session.execute(
        update(LotCustodian)
        .where(LotCustodian.lot_id == lot_id, LotCustodian.presented_share.is_not(None))
        .values(presented_share=None)
    )


class _KeptSink:
    """One decrypted file: hashed and written to a staging file in the same pass, so the
    committee can read it later (`plaintext`), adopted only under the hash computed here."""

    def __init__(self, store: Any) -> None:
        self.digest = hashlib.sha256()
        self.kept = plaintext.KeptFile(store, None)

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return self.kept.write(data)


def _hash_files(private: Any, bid: Bid) -> tuple[dict[str, str], str]:
    """(file name → SHA-256 of its plaintext, error code or "") for one stored bid; each
    file of a bid that opens whole is kept in the store under the hash computed here
    (never under the hash the bidder's manifest declares)."""
    sinks: dict[str, _KeptSink] = {}
    store = get_store()

    def sink(opened_file: Any) -> _KeptSink:
        sinks[opened_file.name] = _KeptSink(store)
        return sinks[opened_file.name]

    try:
        if not store.exists(bid.ciphertext_sha256):
            raise sealing.ContainerError("storage")
        with store.open(bid.ciphertext_sha256) as raw:
            sealing.open_bid(
                private,
                raw,
                sink,
                lot_id=bid.lot_id,
                bidder_org_id=bid.supplier_id,
                sha256=bid.ciphertext_sha256,
                hash_files=False,
            )
        hashes = {name: s.digest.hexdigest() for name, s in sinks.items()}
        for name, s in sinks.items():
            s.kept.close()
            store.adopt(s.kept.path, hashes[name])
    except sealing.ContainerError as exc:
        return {}, exc.reason
    finally:
        plaintext.discard({name: s.kept for name, s in sinks.items()})
    return hashes, ""


def _record_check(bid: Bid, hashes: dict[str, str], error: str) -> bool:
    """Write one bid's result unless another runner already did; True if this one did."""
    files = [dict(f) for f in bid.plaintext_files or []]
    for f in files:
        f["sha256_actual"] = hashes.get(f["name"], "")
    ok = not error and all(f["sha256_actual"] == f["sha256"] for f in files)
    state = FilesCheck.CONFIRMED if ok else FilesCheck.MISMATCH
    now = clock.now()
    done = db.session.execute(
        update(Bid)
        .where(Bid.id == bid.id, Bid.files_check == FilesCheck.PENDING)
        .values(files_check=state, files_checked_at=now, plaintext_files=files)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return False
    db.session.flush()
    record(
        actions.BID_FILES_CHECKED,
        bid,
        {"result": state.value, "error": error, "files": files},
        actor=None,
    )
    if not pending_bids(bid.lot_id):
        wipe_shares(bid.lot_id)
        hooks.lot_event(bid.lot, "files_checked")
    db.session.commit()
    db.session.refresh(bid)
    return True


def check_lot(lot_id: int) -> int:
    """Hash the files of every pending bid of one lot, committing bid by bid; the number
    of bids this call recorded. Safe to run twice at once and to re-run after a crash."""
    pending = pending_bids(lot_id)
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        return 0
    if not pending:
        wipe_shares(lot_id)
        db.session.commit()
        return 0
    key = opening_key(lot)
    presented = presented_custodians(lot)
    if len(presented) < key.k:
        log.error("lot %s: files pending but only %s shares kept", lot_id, len(presented))
        return 0
    shares = [
        sealing.unwrap_presented(c.presented_share or "", share_context(c)) for c in presented
    ]
    recorded = 0
    with sealing.private_key(key.wrapped_private, shares[: key.k]) as private:
        for bid in pending:
            hashes, error = _hash_files(private, bid)
            recorded += _record_check(bid, hashes, error)
    return recorded


def check_pending() -> int:
    """Scheduler sweep: finish every lot whose opened bids still wait for their file hashes."""
    lots = db.session.execute(
        select(Bid.lot_id).where(Bid.files_check == FilesCheck.PENDING).distinct()
    ).scalars()
    total = 0
    for lot_id in list(lots):
        try:
            total += check_lot(lot_id)
        except Exception:  # one lot's trouble must not stop the others; retried next tick
            db.session.rollback()
            log.exception("file hashes of lot %s failed", lot_id)
    return total


def start_after_commit(lot_id: int) -> None:
    """Once the ceremony's transaction commits, hash the files on a background thread
    (setting BID_FILES_CHECK_THREAD; the scheduler sweep is the safety net either way)."""
    if not current_app.config.get("BID_FILES_CHECK_THREAD", True):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(lambda: _spawn(app, lot_id))


_running: set[int] = set()
_running_lock = threading.Lock()


def _spawn(app: Flask, lot_id: int) -> threading.Thread | None:
    with _running_lock:
        if lot_id in _running:
            return None
        _running.add(lot_id)

    def work() -> None:
        try:
            with app.app_context():
                try:
                    check_lot(lot_id)
                except Exception:  # the sweep retries
                    db.session.rollback()
                    log.exception("file hashes of lot %s failed", lot_id)
                finally:
                    db.session.remove()
        finally:
            with _running_lock:
                _running.discard(lot_id)

    thread = threading.Thread(target=work, name=f"bid-file-hashes-{lot_id}", daemon=True)
    thread.start()
    return thread
