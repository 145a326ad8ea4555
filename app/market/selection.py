"""Random selection (随机抽取) among the qualified agencies that signed up, with the same
commit–reveal draw as expert draws (experts/draw.py): a secret seed is committed in the
audit log, mixed with the log's Merkle root right after the commitment, and revealed with
the result; `flask market verify-draw` and scripts/verify_draw.py re-run it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.audit import current_root, record
from app.core.audit.chain import canonical_json
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.market import actions, agencies, policies
from app.market.models import Need, NeedMethod, NeedStatus, SelectionDraw
from app.market.needs import award, interested_ids
from experts import draw
from experts.draw_record import commitment_proof

RECORD_FORMAT = "tenderhall-market-draw/1"


def eligible_ids(need: Need) -> list[int]:
    """Signed-up agencies that may serve the need now, ascending."""
    qualified = set(agencies.qualified_org_ids(need.type_code, need.required_level))
    return [i for i in interested_ids(need) if i in qualified]


def run_draw(actor: Any, need: Need) -> SelectionDraw:
    """Commit, draw and reveal in one transaction; the winner is awarded at the budget."""
    policies.ensure_buyer_of(actor, need)
    if need.method != NeedMethod.RANDOM:
        raise Conflict(_l("该需求的选取方式不是随机抽取。"))
    if need.status != NeedStatus.OPEN:
        raise Conflict(_l("该需求已选定机构或已终止。"))
    pool = eligible_ids(need)
    if len(pool) < 2:
        raise ValidationError(
            _l("符合条件并已报名的机构只有 %(n)s 家，至少 2 家才能随机抽取。", n=len(pool))
        )
    groups = [{"count": 1, "reserves": min(2, len(pool) - 1)}]
    request = {
        "need_id": need.id,
        "type_code": need.type_code,
        "required_level": need.required_level,
        "groups": groups,
    }
    seed = draw.new_seed()
    seed_hash = draw.commit(seed)
    entry = record(
        actions.DRAW_COMMITTED,
        need,
        {
            "request": request,
            "pool_hashes": [draw.pool_hash(pool)],
            "pool_sizes": [len(pool)],
            "seed_hash": seed_hash,
            "rule": draw.CURRENT_RULE,
        },
        actor=actor,
    )
    # record() holds the log's head until commit: the root now is the one right after it.
    size, root = current_root()
    assert size == entry.seq
    result = draw.select(
        draw.mixed_seed(seed, bytes.fromhex(root)), [pool], groups, draw.CURRENT_RULE
    )
    item = SelectionDraw(
        need_id=need.id,
        request=request,
        groups=groups,
        eligible=[pool],
        result=result,
        seed_hash=seed_hash,
        seed_revealed=seed.hex(),
        public_value=root,
        commitment_seq=entry.seq,
        drawn_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.DRAW_REVEALED,
        need,
        {
            "seed": item.seed_revealed,
            "result_sha256": hashlib.sha256(canonical_json(result).encode()).hexdigest(),
        },
        actor=actor,
    )
    winner = result[0]["invited"][0]
    award(actor, need, winner, need.budget, "")
    return item


def draw_of(need: Need) -> SelectionDraw | None:
    from sqlalchemy import select

    return db.session.execute(
        select(SelectionDraw).where(SelectionDraw.need_id == need.id)
    ).scalar_one_or_none()


def export_record(item: SelectionDraw) -> dict[str, Any]:
    """The self-contained record, in the expert draws' layout, so the same verifier runs it."""
    assert item.commitment_seq is not None
    return {
        "format": RECORD_FORMAT,
        "draw_id": item.id,
        "need_id": item.need_id,
        "request": item.request,
        "groups": list(item.groups),
        "eligible": item.eligible,
        "result": item.result,
        "public_value": item.public_value,
        "seed": item.seed_revealed,
        **commitment_proof(item.commitment_seq),
    }


def verify(item: SelectionDraw) -> list[tuple[str, bool]]:
    """The expert draws' checks on this record, plus the award against the drawn result."""
    need = db.session.get(Need, item.need_id)
    checks = draw.verify_record(json.loads(json.dumps(export_record(item), default=str)))
    winner = item.result[0]["invited"][0] if item.result and item.result[0]["invited"] else None
    checks.append(
        ("award matches the drawn agency", need is not None and need.winner_org_id == winner)
    )
    return checks
