"""Decryption at the opening: k presented shares combined in memory, the frozen bids opened
on worker threads, each outcome recorded, and the reading order fixed.

The ceremony's critical path is what reading the prices needs: every chunk authenticated
and the ciphertext's SHA-256 checked against the receipt. The plaintext files' own hashes
(for the collusion screens) follow in file_hashes.py, after commit.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.core import clock
from app.core.audit import record
from app.core.audit.chain import canonical_json
from app.core.auth.models import User
from app.core.errors import Conflict, TooEarly, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding import hooks
from bidding.bids import actions, file_hashes, sealing
from bidding.bids.custody import opening_key
from bidding.bids.hold import ensure_not_held
from bidding.bids.models import (
    Bid,
    BidStatus,
    FilesCheck,
    LotCustodian,
    LotFreeze,
    Opening,
    OpeningStatus,
    get_freeze,
)
from bidding.bids.opening import (
    ensure_opening,
    hall_event,
    presented_custodians,
    reading_lines,
    share_context,
)
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot


def decrypt_bids(lot: Lot, actor: User, max_bids: int | None = None) -> Opening:
    """Combine k shares in memory and open the frozen bids, `max_bids` at a time.

    Each bid is committed with its outcome by the caller, so a crash resumes with the bids
    still unopened; the reading order is derived from the frozen list and the shares'
    presentation, so a resumed opening ends with the same record.
    """
    ensure_can_manage_lot(actor, lot)
    ensure_not_held(lot)
    opening = ensure_opening(lot)
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        return opening
    key = opening_key(lot)
    presented = presented_custodians(lot)
    if len(presented) < key.k:
        raise TooEarly(
            _("已出示 %(p)s 个密钥分片，至少需要 %(k)s 个才能解密。", p=len(presented), k=key.k)
        )
    freeze = get_freeze(lot)
    assert freeze is not None
    if opening.status == OpeningStatus.SIGNIN:
        opening.status = OpeningStatus.DECRYPTING
        record(actions.DECRYPTION_STARTED, opening, {"shares": len(presented)}, actor=actor)
        hall_event(lot, "decrypting", {"count": freeze.bid_count})
    try:
        shares = [
            sealing.unwrap_presented(c.presented_share or "", share_context(c)) for c in presented
        ]
    except sealing.CustodyError as exc:
        raise Conflict(_("已出示的分片已损坏，请保管人重新出示。")) from exc
    pending = [
        db.session.get(Bid, e["bid_id"])
        for e in freeze.entries
        if db.session.get(Bid, e["bid_id"]).opened_at is None  # type: ignore[union-attr]
    ]
    todo = pending if max_bids is None else pending[:max_bids]
    try:
        with sealing.private_key(key.wrapped_private, shares[: key.k]) as private:
            _open_all(lot, [b for b in todo if b is not None], private)
    except sealing.CustodyError as exc:
        raise ValidationError(
            _("密钥分片合成失败（分片错误或被篡改），未使用任何分片：%(m)s", m=str(exc))
        ) from exc
    if len(todo) == len(pending):
        _finish_decryption(lot, opening, freeze, presented)
    db.session.flush()
    return opening


def _open_all(lot: Lot, bids: list[Bid], private: Any) -> None:
    """Decrypt bids on worker threads (the crypto and hashing release the GIL), recording
    each outcome on this thread in frozen-list order. A small window bounds memory."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    store = get_store()
    # OPENING_DECRYPT_THREADS (optional setting) overrides one thread per core.
    setting = current_app.config.get("OPENING_DECRYPT_THREADS")
    workers = max(1, int(setting or (os.cpu_count() or 1)))
    # A sliding window rather than fixed batches: a worker never waits for the slowest bid
    # of its batch, and at most `workers` bids are in flight.
    in_flight: deque[tuple[Bid, Future[Any]]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for b in bids:
            job = pool.submit(
                _decrypt_one, store, private, lot.id, b.supplier_id, b.ciphertext_sha256
            )
            in_flight.append((b, job))
            if len(in_flight) >= workers:
                bid, done = in_flight.popleft()
                _record_outcome(lot, bid, *done.result())
        while in_flight:
            bid, done = in_flight.popleft()
            _record_outcome(lot, bid, *done.result())


def _decrypt_one(
    store: Any, private: Any, lot_id: int, supplier_id: int, sha256: str
) -> tuple[Any, dict[str, _MetaSink], sealing.ContainerError | None]:
    """The crypto of one bid, free of the database: safe on a worker thread."""
    sinks: dict[str, _MetaSink] = {}

    def sink(opened_file: Any) -> _MetaSink:
        sinks[opened_file.name] = _MetaSink()
        return sinks[opened_file.name]

    try:
        if not store.exists(sha256):
            raise sealing.ContainerError("storage")
        with store.open(sha256) as raw:
            opened = sealing.open_bid(
                private,
                raw,
                sink,
                lot_id=lot_id,
                bidder_org_id=supplier_id,
                sha256=sha256,
                hash_files=False,  # off the critical path: file_hashes.py
            )
    except sealing.ContainerError as exc:
        return None, sinks, exc
    return opened, sinks, None


def _record_outcome(
    lot: Lot,
    bid: Bid,
    opened: Any,
    sinks: dict[str, _MetaSink],
    error: sealing.ContainerError | None,
) -> None:
    """Record one frozen bid's outcome, checked against its receipt hash."""
    outcome, reason = BidStatus.DECRYPTED, ""
    price_form: dict[str, Any] | None = None
    files: list[dict[str, Any]] = []
    if error is None:
        price_form = {k: str(v) for k, v in opened.price_form.items()}
        files = [
            {
                "name": f.name,
                "size": f.size,
                "sha256": f.sha256,
                "content_type": f.content_type,
                "author": sinks[f.name].author() if f.name in sinks else "",
            }
            for f in opened.files
        ]
    else:
        outcome = BidStatus.REVOKED if error.bidder_fault else BidStatus.RETRACTED
        detail = str(error.message)
        reason = (
            _("解密失败（投标人原因：%(m)s），视为撤销。", m=detail)
            if error.bidder_fault
            else _("解密失败（非投标人原因：%(m)s），视为撤回。", m=detail)
        )
    bid.status, bid.failure_reason, bid.opened_at = outcome, reason, clock.now()
    bid.price_form = price_form
    bid.plaintext_files = files or None
    # The files' "sha256" are the manifest's (authenticated) declarations until
    # file_hashes.py has hashed the plaintext.
    if outcome == BidStatus.DECRYPTED and files:
        bid.files_check, bid.files_checked_at = FilesCheck.PENDING, None
    elif outcome == BidStatus.DECRYPTED:
        bid.files_check, bid.files_checked_at = FilesCheck.CONFIRMED, bid.opened_at
    db.session.flush()
    record(
        _OUTCOME_ACTIONS[outcome],
        bid,
        {"sha256": bid.ciphertext_sha256, "reason": reason, "files": files},
        actor=None,
    )
    hall_event(
        lot,
        "bid_opened",
        {"supplier": bid.supplier.name, "status": outcome.value, "reason": reason},
    )


_OUTCOME_ACTIONS = {
    BidStatus.DECRYPTED: actions.BID_DECRYPTED,
    BidStatus.REVOKED: actions.BID_REVOKED,
    BidStatus.RETRACTED: actions.BID_RETRACTED,
}

_PDF_AUTHOR = re.compile(rb"/Author\s*\(([^)]{0,200})\)")
_OOXML_CREATOR = re.compile(rb"<dc:creator>([^<]{0,200})</dc:creator>")


class _MetaSink:
    """Keeps only the first MiB of a plaintext file: enough for its author metadata."""

    LIMIT = 1 << 20

    def __init__(self) -> None:
        self.head = bytearray()

    def write(self, data: bytes) -> int:
        if len(self.head) < self.LIMIT:
            self.head += data[: self.LIMIT - len(self.head)]
        return len(data)

    def author(self) -> str:
        return _author_of(bytes(self.head))


def _author_of(head: bytes) -> str:
    m = _PDF_AUTHOR.search(head)
    if m:
        return m.group(1).decode("latin-1", "replace")[:100]
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(head)) as z:
                core = z.read("docProps/core.xml")
            m = _OOXML_CREATOR.search(core)
            if m:
                return m.group(1).decode("utf-8", "replace")[:100]
        except (zipfile.BadZipFile, KeyError, OSError):
            return ""
    return ""


def _finish_decryption(
    lot: Lot, opening: Opening, freeze: LotFreeze, presented: list[LotCustodian]
) -> None:
    # The order seed is fixed by the frozen list and the shares' presentation times: nobody
    # could know it before the last share was presented, and a resume recomputes the same.
    material = canonical_json(
        [freeze.list_hash, [(c.share_index, c.presented_at) for c in presented]]
    )
    seed = hashlib.sha256(material.encode()).hexdigest()
    ids = [e["bid_id"] for e in freeze.entries]
    order = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    opening.order_seed, opening.reading_order = seed, order
    opening.status, opening.decrypted_at = OpeningStatus.READING, clock.now()
    lot.status = LotStatus.OPENED
    db.session.flush()
    if file_hashes.pending_bids(lot.id):
        # The shares stay sealed to the server until the files are hashed (then wiped).
        file_hashes.start_after_commit(lot.id)
    else:
        file_hashes.wipe_shares(lot.id)
    lines = reading_lines(opening)
    record(actions.OPENING_DECRYPTED, opening, {"seed": seed, "order": order}, actor=None)
    hooks.lot_event(lot, "opened")
    hall_event(lot, "reading", {"seed": seed, "lines": lines})
