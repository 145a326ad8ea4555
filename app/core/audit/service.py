"""record(): append an entry in the caller's transaction. verify(): walk the chain."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import has_request_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.audit.chain import (
    GENESIS,
    canonical_json,
    entry_digest,
    frontier_append,
    frontier_root,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    newest_leaf_proof,
)
from app.core.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from app.core.crypto import signing
from app.core.extensions import db
from app.core.http import client_info


def _actor_from_context() -> tuple[int | None, str, str]:
    try:
        from flask_login import current_user

        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id, current_user.username, str(current_user.role.value)
    except Exception:  # no login manager bound (CLI, scheduler)
        pass
    return None, "system", "system"


@functools.cache
def _head_for_update() -> Any:
    # Built once: every state change of the platform reads the head, and building the
    # statement (its cache key) costs more than running it.
    return select(AuditHead).where(AuditHead.id == 1).with_for_update()


def record(
    action: str,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    *,
    actor: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction: it commits or rolls back with it."""
    session = db.session
    head = session.execute(_head_for_update()).scalar_one_or_none()
    if head is None:
        # The very first entries may race to create the head: the loser's insert waits for
        # the winner's commit, fails on the primary key, and then takes the head in turn.
        try:
            with session.begin_nested():
                session.add(AuditHead(id=1, seq=0, entry_hash=GENESIS, frontier=[]))
        except IntegrityError:
            pass
        head = session.execute(_head_for_update()).scalar_one()
    if actor is not None:
        actor_id, actor_name, role = actor.id, actor.username, str(actor.role.value)
    else:
        actor_id, actor_name, role = _actor_from_context()
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", "")
    entry = AuditEntry(
        seq=head.seq + 1,
        ts=clock.now(),
        actor_id=actor_id,
        actor_name=actor_name,
        role=role,
        ip=client_info().ip,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id) if object_id is not None else "",
        data=canonical_json(data or {}),
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = entry_digest(
        seq=entry.seq,
        ts=entry.ts,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        role=entry.role,
        ip=entry.ip,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=entry.data,
        prev_hash=entry.prev_hash,
    )
    session.add(entry)
    before = _head_frontier(head)
    leaf = leaf_hash(entry.entry_hash)
    entry.inclusion_proof = newest_leaf_proof(before, head.seq)
    frontier = frontier_append(before, head.seq, leaf)
    entry.tree_root = frontier_root(frontier)
    head.frontier = [h.hex() for h in frontier]  # a new list: JSON columns track reassignment
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    session.flush()
    return entry


def _rebuild_frontier(size: int) -> list[bytes]:
    frontier: list[bytes] = []
    hashes = db.session.execute(
        select(AuditEntry.entry_hash).where(AuditEntry.seq <= size).order_by(AuditEntry.seq)
    ).scalars()
    for n, h in enumerate(hashes):
        frontier = frontier_append(frontier, n, leaf_hash(h))
    return frontier


def _head_frontier(head: AuditHead) -> list[bytes]:
    # A head from before frontiers existed is caught up once, from the entries it pins.
    if head.frontier is None:
        return _rebuild_frontier(head.seq)
    return [bytes.fromhex(h) for h in head.frontier]


def current_root() -> tuple[int, str]:
    """(size, RFC 9162 Merkle root hex) of the log as this transaction sees it, in O(log n)."""
    head = db.session.get(AuditHead, 1)
    if head is None:
        return 0, frontier_root([]).hex()
    return head.seq, frontier_root(_head_frontier(head)).hex()


CHECKPOINT_SECONDS = 300


def _leaves_through(seq: int) -> list[bytes]:
    hashes = db.session.execute(
        select(AuditEntry.entry_hash).where(AuditEntry.seq <= seq).order_by(AuditEntry.seq)
    ).scalars()
    return [leaf_hash(h) for h in hashes]


def root_at(seq: int) -> bytes:
    """RFC 9162 Merkle root of the log's first `seq` entries (O(log n) at the live head)."""
    size, root = current_root()
    if size == seq:
        return bytes.fromhex(root)
    return merkle_root(_leaves_through(seq))


@dataclass(frozen=True)
class Inclusion:
    """Entry `seq` in the tree of the first `seq` entries: what a receipt or record carries."""

    seq: int
    tree_size: int
    root: bytes
    proof: list[bytes]

    @property
    def leaf_index(self) -> int:
        return self.seq - 1


def proof(entry: AuditEntry) -> Inclusion:
    """The entry's inclusion proof in the tree that ends with it.

    An entry record() has just appended carries its proof from the head's frontier
    (O(log n)); any other entry is proved from the leaves up to it.
    """
    if entry.inclusion_proof is not None and entry.tree_root is not None:
        return Inclusion(entry.seq, entry.seq, entry.tree_root, list(entry.inclusion_proof))
    leaves = _leaves_through(entry.seq)
    return Inclusion(
        entry.seq, len(leaves), merkle_root(leaves), inclusion_proof(entry.seq - 1, leaves)
    )


def checkpoint_body(size: int, root: str, signed_at: dt.datetime) -> dict[str, Any]:
    """The exact object a checkpoint signature covers (canonical JSON)."""
    return {
        "size": size,
        "root": root,
        "ts": signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }


def checkpoint() -> AuditCheckpoint | None:
    """Sign the current root; nothing new when the log has not grown since the last one.

    Deliberately not itself an audit entry: that would grow the log on every sweep.
    """
    size, root = current_root()
    if size == 0:
        return None
    last = db.session.execute(select(func.max(AuditCheckpoint.size))).scalar()
    if last is not None and last >= size:
        return None
    signed_at = clock.now()
    key = signing.load_or_create_key()
    cp = AuditCheckpoint(
        size=size,
        root=root,
        signed_at=signed_at,
        signature=signing.sign_json(checkpoint_body(size, root, signed_at), key),
        key_id=signing.public_key_info(key).key_id,
    )
    db.session.add(cp)
    db.session.flush()
    return cp


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0


def iter_entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = (
            db.session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        db.session.expunge_all()


def _check_checkpoint(cp: AuditCheckpoint, root: bytes, public: signing.PublicKeyInfo) -> str:
    if cp.root != root.hex():
        return f"checkpoint at size {cp.size} does not match the log's root at that size"
    if cp.key_id != public.key_id:
        return f"checkpoint at size {cp.size} is signed by an unknown key {cp.key_id}"
    body = checkpoint_body(cp.size, cp.root, cp.signed_at)
    if not signing.verify_json(body, cp.signature, public):
        return f"checkpoint at size {cp.size} has a bad signature"
    return ""


def verify() -> VerifyResult:
    """Walk the chain, rebuild the Merkle tree, and check the head and every checkpoint."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    frontier: list[bytes] = []
    checkpoints = list(
        db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).scalars()
    )
    for cp in checkpoints:
        db.session.expunge(cp)
    public = signing.platform_public_key() if checkpoints else None
    pending = iter(checkpoints)
    next_cp = next(pending, None)
    done = 0
    for e in iter_entries():
        if e.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, f"entry {expected_seq} is missing (next is {e.seq})"
            )
        if e.prev_hash != prev:
            return VerifyResult(
                False, checked, e.seq, "previous-hash link does not match (removed or reordered)"
            )
        digest = entry_digest(
            seq=e.seq,
            ts=e.ts,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            role=e.role,
            ip=e.ip,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            data=e.data,
            prev_hash=e.prev_hash,
        )
        if digest != e.entry_hash:
            return VerifyResult(False, checked, e.seq, "content does not match its hash (changed)")
        prev = e.entry_hash
        frontier = frontier_append(frontier, checked, leaf_hash(e.entry_hash))
        expected_seq += 1
        checked += 1
        while next_cp is not None and next_cp.size <= checked:
            assert public is not None
            reason = (
                _check_checkpoint(next_cp, frontier_root(frontier), public)
                if next_cp.size == checked
                else f"checkpoint at size {next_cp.size} is not a size of the log"
            )
            if reason:
                return VerifyResult(False, checked, next_cp.size, reason, done)
            done += 1
            next_cp = next(pending, None)
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.entry_hash != prev):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"log ends at {checked} but its head says {head.seq} (tail removed)",
            done,
        )
    if (
        head is not None
        and head.frontier is not None
        and head.frontier != [h.hex() for h in frontier]
    ):
        return VerifyResult(
            False, checked, None, "the head's Merkle frontier does not match the log", done
        )
    if next_cp is not None:
        return VerifyResult(
            False,
            checked,
            next_cp.size,
            f"checkpoint at size {next_cp.size} is beyond the log's end {checked} (tail removed)",
            done,
        )
    return VerifyResult(True, checked, checkpoints=done)
