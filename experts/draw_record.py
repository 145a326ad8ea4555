"""The self-contained record of a draw, and its verification against the live log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import audit
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict
from app.core.extensions import db
from experts import draw
from experts.draws import public_request
from experts.models import Draw, DrawStatus, Invitation

RECORD_FORMAT = "tenderhall-expert-draw/1"


def export_record(item: Draw) -> dict[str, Any]:
    """A self-contained record: with it alone, anyone can re-run and check the draw."""
    if item.commitment_seq is None:
        raise Conflict(_l("该抽取尚未承诺，没有可导出的记录。"))
    entry = db.session.get(AuditEntry, item.commitment_seq)
    assert entry is not None
    inclusion = audit.proof(entry)
    revealed = item.status == DrawStatus.REVEALED
    return {
        "format": RECORD_FORMAT,
        "draw_id": item.id,
        "status": item.status.value,
        "request": public_request(item),
        "groups": list(item.groups),
        "eligible": item.eligible,
        "result": item.result,
        "public_value": item.public_value,
        "seed": item.seed_revealed if revealed else None,
        "commitment": {
            "seq": entry.seq,
            "ts": entry.ts.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "role": entry.role,
            "ip": entry.ip,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "data": entry.data,
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
        },
        "inclusion": {
            "index": inclusion.leaf_index,
            "tree_size": inclusion.tree_size,
            "proof": [p.hex() for p in inclusion.proof],
        },
    }


def verify_in_app(item: Draw) -> list[tuple[str, bool]]:
    """Checks against the live database and log, then the same checks as the standalone tool."""
    checks: list[tuple[str, bool]] = []
    if item.commitment_seq is None:
        return [("draw has a commitment", False)]
    checks.append(
        (
            "public value = audit Merkle root at commitment",
            audit.root_at(item.commitment_seq).hex() == item.public_value,
        )
    )
    rows = db.session.execute(
        select(Invitation.slot, Invitation.rank, Invitation.expert_id)
        .where(Invitation.draw_id == item.id)
        .order_by(Invitation.slot, Invitation.rank)
    ).all()
    stored: list[int] = [r[2] for r in rows]
    expected = [i for r in (item.result or []) for i in r["invited"] + r["reserves"]]
    checks.append(("invitations match the recorded result", stored == expected))
    checks += draw.verify_record(json.loads(json.dumps(export_record(item), default=str)))
    return checks
