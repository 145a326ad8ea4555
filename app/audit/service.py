"""record(): append an entry in the caller's transaction. verify(): walk the chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select

from app import clock
from app.audit.chain import GENESIS, canonical_json, entry_digest
from app.audit.models import AuditEntry, AuditHead
from app.extensions import db


def _actor_from_context() -> tuple[int | None, str, str]:
    try:
        from flask_login import current_user

        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id, current_user.username, str(current_user.role.value)
    except Exception:  # no login manager bound (CLI, scheduler)
        pass
    return None, "system", "system"


def _client_ip() -> str:
    if not has_request_context():
        return ""
    return request.headers.get("X-Real-IP") or request.remote_addr or ""


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
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, entry_hash=GENESIS)
        session.add(head)
        session.flush()
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
        ip=_client_ip(),
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
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    session.flush()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


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


def verify() -> VerifyResult:
    prev = GENESIS
    expected_seq = 1
    checked = 0
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
        expected_seq += 1
        checked += 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.entry_hash != prev):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"log ends at {checked} but its head says {head.seq} (tail removed)",
        )
    return VerifyResult(True, checked)
