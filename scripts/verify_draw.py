#!/usr/bin/env python3
# Deliberate copy: the draw ranking of app/core/crypto/draw.py, the selection of
# experts/draw.py, and the audit-entry hash and RFC 9162 inclusion proof of
# app/core/audit/chain.py are written again here, so that anyone can check a draw with
# the standard library alone, without the platform. Keep them in step with those
# modules; tests/experts/test_draw.py runs this script against a real draw record.
"""Verify an exported Tender Hall expert draw record without the application.

    flask experts export-draw 42 > draw.json
    python scripts/verify_draw.py draw.json

Standard library only. It re-checks, from the record alone:
  1. the commitment audit entry hashes to its recorded hash (same rule as the audit log);
  2. the request and the eligible pools are exactly those committed (SHA-256 per group);
  3. the public value is the audit log's Merkle root (RFC 9162) right after the
     commitment, proven by an inclusion proof of the commitment entry;
  4. the revealed seed matches the committed SHA-256;
  5. re-running the pick with the rule the commitment names reproduces the invited
     experts and the reserves in order: rule 1 ranks each pool by
     HMAC-SHA256(HMAC-SHA256(seed, public value), id); rule 2 (the default since rules
     were numbered; a commitment without "rule" is rule 1) shuffles each sorted pool with
     a partial Fisher-Yates driven by an HMAC-SHA256 counter stream.
Prints MATCH (exit 0) or MISMATCH (exit 1); exit 2 when the file cannot be read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sys
from typing import Any


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_digest(c: dict[str, Any]) -> str:
    ts = dt.datetime.fromisoformat(c["ts"]).astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        c["seq"],
        ts,
        c["actor_id"],
        c["actor_name"],
        c["role"],
        c["ip"],
        c["action"],
        c["object_type"],
        c["object_id"],
        c["data"],
        c["prev_hash"],
    ]
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def pool_hash(ids: list[int]) -> str:
    text = json.dumps(sorted(ids), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _mac(key: bytes) -> Any:
    """HMAC-SHA256 under one key (RFC 2104) with both pads hashed once: pools are large."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def mac(message: bytes) -> bytes:
        i, o = inner.copy(), outer.copy()
        i.update(message)
        o.update(i.digest())
        return o.digest()

    return mac


def rank(key: bytes, ids: list[int]) -> list[int]:
    """Order by HMAC-SHA256(key, decimal id); the raw digest sorts like its hex form."""
    mac = _mac(key)
    return [int(s) for _d, s in sorted((mac(s.encode("ascii")), s) for s in map(str, ids))]


def shuffle_head(key: bytes, label: str, ids: list[int], n: int, skip: set[int]) -> list[int]:
    """Rule 2: the first n ids not in skip of a partial Fisher-Yates shuffle of ids."""

    def words() -> Any:
        j = 0
        while True:
            block = hmac.new(key, f"{label}:{j}".encode("ascii"), hashlib.sha256).digest()
            for o in range(0, 32, 8):
                yield int.from_bytes(block[o : o + 8], "big")
            j += 1

    stream = words()

    def below(bound: int) -> int:
        limit = 2**64 - 2**64 % bound
        while True:
            w = next(stream)
            if w < limit:
                return w % bound

    order = list(ids)
    out: list[int] = []
    i = 0
    while len(out) < n and i < len(order):
        j = i + below(len(order) - i)
        order[i], order[j] = order[j], order[i]
        if order[i] not in skip:
            out.append(order[i])
        i += 1
    return out


def select(
    key: bytes, eligible: list[list[int]], groups: list[dict[str, Any]], rule: int
) -> list[dict[str, list[int]]]:
    if rule not in (1, 2):
        raise ValueError(f"unknown draw rule {rule}")
    taken: set[int] = set()
    out = []
    for g, (pool, group) in enumerate(zip(eligible, groups, strict=True)):
        count, reserves = int(group["count"]), int(group["reserves"])
        if rule == 2:
            label = f"tenderhall-draw/2:{g}"
            ordered = shuffle_head(key, label, sorted(pool), count + reserves, taken)
        else:
            ordered = [i for i in rank(key, list(pool)) if i not in taken]
        invited, waiting = ordered[:count], ordered[count : count + reserves]
        taken.update(invited + waiting)
        out.append({"invited": invited, "reserves": waiting})
    return out


def verify(rec: dict[str, Any]) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    c = rec["commitment"]
    checks.append(("commitment entry hash", entry_digest(c) == c["entry_hash"]))
    data = json.loads(c["data"])
    checks.append(("request matches commitment", data.get("request") == rec["request"]))
    checks.append(("groups match request", rec["groups"] == rec["request"]["groups"]))
    checks.append(
        (
            "eligible pools match committed hashes",
            [pool_hash(p) for p in rec["eligible"]] == data.get("pool_hashes"),
        )
    )
    inc = rec["inclusion"]
    try:
        included = (
            inc["index"] == c["seq"] - 1
            and inc["tree_size"] == c["seq"]
            and verify_inclusion(
                inc["index"],
                inc["tree_size"],
                leaf_hash(c["entry_hash"]),
                [bytes.fromhex(p) for p in inc["proof"]],
                bytes.fromhex(rec["public_value"]),
            )
        )
    except (ValueError, TypeError, KeyError):
        included = False
    checks.append(("public value is the audit root right after the commitment", included))
    if not rec.get("seed"):
        checks.append(("seed revealed", False))
        return checks
    seed = bytes.fromhex(rec["seed"])
    checks.append(
        ("seed matches committed hash", hashlib.sha256(seed).hexdigest() == data.get("seed_hash"))
    )
    key = hmac.new(seed, bytes.fromhex(rec["public_value"]), hashlib.sha256).digest()
    try:
        again = select(key, rec["eligible"], rec["groups"], int(data.get("rule", 1)))
    except (ValueError, TypeError):
        again = None
    checks.append(("ranking reproduces the result", again == rec["result"]))
    return checks


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: verify_draw.py DRAW.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            rec = json.load(fh)
        checks = verify(rec)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read draw record: {exc}", file=sys.stderr)
        return 2
    for name, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if all(ok for _n, ok in checks):
        print(f"MATCH draw {rec.get('draw_id')}")
        return 0
    print(f"MISMATCH draw {rec.get('draw_id')}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
