"""The self-contained record of a campaign's draw, in the expert draws' format, so that
`scripts/verify_draw.py` re-runs it without the platform; and the in-app verification,
which also recomputes the teams and their avoidance."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict
from app.inspections.campaigns import teams_of
from app.inspections.models import Campaign
from experts import draw
from experts.draw_record import commitment_proof

RECORD_FORMAT = "tenderhall-inspection-draw/1"


def export_record(item: Campaign) -> dict[str, Any]:
    if item.commitment_seq is None or item.request is None:
        raise Conflict(_l("该抽查活动尚未抽取，没有可导出的记录。"))
    return {
        "format": RECORD_FORMAT,
        "draw_id": item.id,
        "status": item.status.value,
        "request": item.request,
        "groups": list(item.request["groups"]),
        "eligible": item.eligible,
        "result": item.result,
        "teams": item.teams,
        "public_value": item.public_value,
        "seed": item.seed_revealed,
        **commitment_proof(item.commitment_seq),
    }


def verify_record(rec: dict[str, Any]) -> list[tuple[str, bool]]:
    """The expert draws' checks, then the teams and their avoidance from the record alone."""
    checks = draw.verify_record(rec)
    try:
        again = teams_of(rec["request"], rec["result"]) if rec.get("result") else None
    except (KeyError, ValueError, TypeError):
        again = None
    checks.append(("teams follow from the result", again is not None and again == rec["teams"]))
    barred = {(int(i), int(t)) for i, t in rec["request"].get("avoid", [])}
    clean = all(
        (i, t["target_id"]) not in barred
        for t in rec.get("teams") or []
        for i in t["inspector_ids"]
    )
    checks.append(("no inspector inspects a former employer", clean))
    return checks


def verify_in_app(item: Campaign) -> list[tuple[str, bool]]:
    if item.commitment_seq is None:
        return [("campaign has a commitment", False)]
    checks = [
        (
            "public value = audit Merkle root at commitment",
            audit.root_at(item.commitment_seq).hex() == item.public_value,
        )
    ]
    return checks + verify_record(json.loads(json.dumps(export_record(item), default=str)))
