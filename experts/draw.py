"""Pure rules of the verifiable draw: commitments, seed mixing and the pick.

No database, no Flask: the same functions run inside the app and in `flask experts
verify-draw`; scripts/verify_draw.py re-implements them with the standard library alone
(a full sort rather than the head selection used here for rule 1), so anyone can re-run
a draw.

Two draw rules, named in the commitment entry (``rule``; absent = rule 1) so a draw is
always re-run with the rule it committed to:
- ``RULE_HMAC_RANK`` (1): every eligible id ranked by HMAC-SHA256(mixed seed, id);
- ``RULE_FISHER_YATES`` (2): the group's eligible ids in ascending order (the order the
  pool hash commits to), shuffled by a partial Fisher–Yates driven by the HMAC counter
  stream ``HMAC-SHA256(mixed seed, "tenderhall-draw/2:<group>:<j>")``, stopped once the
  group's seats are filled: O(seats), whatever the size of the pool.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import secrets
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from app.core.audit.chain import canonical_json
from app.core.crypto import draw as _crypto_draw

commit = _crypto_draw.commit
mixed_seed = _crypto_draw.mixed_seed

RULE_HMAC_RANK = 1
RULE_FISHER_YATES = 2
RULES = (RULE_HMAC_RANK, RULE_FISHER_YATES)
# The rule new draws commit to.
CURRENT_RULE = RULE_FISHER_YATES


def committed_rule(data: dict[str, Any]) -> int:
    """The rule a commitment entry's data names; entries from before rules had numbers
    carry none and were drawn with rule 1."""
    return int(data.get("rule", RULE_HMAC_RANK))


def _keys(seed: bytes, ids: Iterable[int]) -> list[tuple[bytes, bytes]]:
    """(HMAC-SHA256(seed, decimal id), decimal id as ASCII bytes) for every id.

    Raw digests sort exactly like their hex form; ties (never in practice) by the ASCII id,
    which sorts like str(id) — so the order is app.core.crypto.draw.rank's.
    """
    messages = [b"%d" % n for n in ids]
    return list(zip(_crypto_draw.hmac_digests(seed, messages), messages, strict=True))


def rank(seed: bytes, ids: Sequence[int]) -> list[int]:
    """Ids ordered by HMAC-SHA256(seed, decimal id), exactly the order app.core.crypto.draw.rank
    defines (a test holds them equal)."""
    return [int(s) for _d, s in sorted(_keys(seed, ids))]


def top(seed: bytes, ids: Sequence[int], n: int, skip: Collection[int] = ()) -> list[int]:
    """The first ``n`` ids of ``rank(seed, ids)`` that are not in ``skip``.

    Only the head of the ranking is ever used, so it is selected in linear time instead
    of sorting the whole pool.
    """
    # At most len(skip) of the head can be skipped: a few seats, never the pool.
    head = heapq.nsmallest(n + len(skip), _keys(seed, ids))
    return [i for i in (int(s) for _d, s in head) if i not in skip][:n]


def new_seed() -> bytes:
    return secrets.token_bytes(32)


def pool_hash(ids: Sequence[int]) -> str:
    """SHA-256 of the canonical, sorted list of eligible expert ids of one group."""
    return hashlib.sha256(canonical_json(sorted(ids)).encode("utf-8")).hexdigest()


def shuffled(
    mixed: bytes, group_index: int, ids: Sequence[int], n: int, skip: Collection[int]
) -> list[int]:
    """Rule 2: the first ``n`` ids not in ``skip`` of the group's seeded Fisher–Yates shuffle."""
    return _crypto_draw.shuffle_head(
        mixed, f"tenderhall-draw/2:{group_index}", sorted(ids), n, skip
    )


def select(
    mixed: bytes,
    eligible: Sequence[Sequence[int]],
    groups: Sequence[dict[str, Any]],
    rule: int = RULE_HMAC_RANK,
) -> list[dict[str, list[int]]]:
    """Order each group's pool by ``rule``; the first `count` are invited, the next
    `reserves` wait.

    Groups are served in order and an expert already placed by an earlier group is skipped,
    so nobody holds two seats.
    """
    if rule not in RULES:
        raise ValueError(f"unknown draw rule {rule!r}")
    taken: set[int] = set()
    out: list[dict[str, list[int]]] = []
    for g, (pool, group) in enumerate(zip(eligible, groups, strict=True)):
        count, reserves = int(group["count"]), int(group["reserves"])
        if rule == RULE_FISHER_YATES:
            ordered = shuffled(mixed, g, pool, count + reserves, taken)
        else:
            ordered = top(mixed, pool, count + reserves, taken)
        invited, waiting = ordered[:count], ordered[count : count + reserves]
        taken.update(invited)
        taken.update(waiting)
        out.append({"invited": invited, "reserves": waiting})
    return out


def verify_record(rec: dict[str, Any]) -> list[tuple[str, bool]]:
    """Re-run a draw from its exported record. Every check must hold for a MATCH."""
    import datetime as dt

    from app.core.audit.chain import entry_digest, leaf_hash, verify_inclusion

    checks: list[tuple[str, bool]] = []
    c = rec["commitment"]
    digest = entry_digest(
        seq=c["seq"],
        ts=dt.datetime.fromisoformat(c["ts"]),
        actor_id=c["actor_id"],
        actor_name=c["actor_name"],
        role=c["role"],
        ip=c["ip"],
        action=c["action"],
        object_type=c["object_type"],
        object_id=c["object_id"],
        data=c["data"],
        prev_hash=c["prev_hash"],
    )
    checks.append(("commitment entry hash", digest == c["entry_hash"]))
    data = json.loads(c["data"])
    checks.append(("request matches commitment", data.get("request") == rec["request"]))
    checks.append(("groups match request", rec["groups"] == rec["request"]["groups"]))
    hashes = [pool_hash(p) for p in rec["eligible"]]
    checks.append(("eligible pools match committed hashes", hashes == data.get("pool_hashes")))
    inc = rec["inclusion"]
    try:
        root = bytes.fromhex(rec["public_value"])
        proof = [bytes.fromhex(p) for p in inc["proof"]]
        included = (
            inc["index"] == c["seq"] - 1
            and inc["tree_size"] == c["seq"]
            and verify_inclusion(
                inc["index"], inc["tree_size"], leaf_hash(c["entry_hash"]), proof, root
            )
        )
    except (ValueError, TypeError):
        included = False
    checks.append(("public value is the audit root right after the commitment", included))
    seed_hex = rec.get("seed")
    if not seed_hex:
        checks.append(("seed revealed", False))
        return checks
    seed = bytes.fromhex(seed_hex)
    checks.append(("seed matches committed hash", commit(seed) == data.get("seed_hash")))
    mixed = mixed_seed(seed, bytes.fromhex(rec["public_value"]))
    try:
        again = select(mixed, rec["eligible"], rec["groups"], committed_rule(data))
    except (ValueError, TypeError):
        again = None  # a rule this platform does not know cannot match
    checks.append(("ranking reproduces the result", again == rec["result"]))
    return checks
