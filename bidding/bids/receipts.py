"""The signed receipt (回执) of a bid: what was received, when, and its place in the audit log."""

from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.audit.models import AuditEntry
from app.core.auth.models import Organisation
from bidding.bids import sealing
from bidding.bids.models import Bid
from bidding.models import Lot


def build_receipt(bid: Bid, lot: Lot, org: Organisation, entry: AuditEntry) -> dict[str, Any]:
    """The receipt body with an inclusion proof of the bid's audit entry, signed by the platform."""
    inclusion = audit.proof(entry)
    body = {
        "type": "tenderhall.bid-receipt",
        "version": 1,
        "lot": {"id": lot.id, "code": lot.code, "name": lot.name},
        "company": {"id": org.id, "name": org.name, "credit_code": org.credit_code or ""},
        "bid": {"id": bid.id, "version": bid.version},
        "ciphertext_sha256": bid.ciphertext_sha256,
        "size": bid.size,
        "server_time": bid.received_at.isoformat(),
        "audit": {
            "seq": entry.seq,
            "entry_hash": entry.entry_hash,
            "tree_size": inclusion.tree_size,
            "leaf_index": inclusion.leaf_index,
            "root": inclusion.root.hex(),
            "inclusion_proof": [p.hex() for p in inclusion.proof],
        },
    }
    return sealing.sign_receipt(body)
