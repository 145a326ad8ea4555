"""Pure hashing rules of the log, shared by the service, `flask audit verify` and exports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_digest(
    *,
    seq: int,
    ts: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    role: str,
    ip: str,
    action: str,
    object_type: str,
    object_id: str,
    data: str,
    prev_hash: str,
) -> str:
    payload = [
        seq,
        ts.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        actor_id,
        actor_name,
        role,
        ip,
        action,
        object_type,
        object_id,
        data,
        prev_hash,
    ]
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


# RFC 9162 Merkle tree hashing (leaf 0x00, node 0x01) over entry hashes.
def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), merkle_root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), merkle_root(leaves[:k])]


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Add one leaf to the compact range of a tree of `size` leaves (O(log n)).

    The frontier holds one perfect-subtree root per set bit of `size`, largest first; the
    new leaf merges with each trailing subtree of equal size, like a binary carry.
    """
    out = list(frontier)
    node = leaf
    n = size
    while n & 1:
        node = node_hash(out.pop(), node)
        n >>= 1
    out.append(node)
    return out


def newest_leaf_proof(frontier: list[bytes], size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of the leaf about to be appended to a tree of `size` leaves.

    Its siblings are the subtrees it merges with (smallest first), then the remaining
    subtree roots from right to left, so the proof comes from the frontier in O(log n).
    """
    rest = list(frontier)
    proof: list[bytes] = []
    n = size
    while n & 1:
        proof.append(rest.pop())
        n >>= 1
    proof.extend(reversed(rest))
    return proof


def frontier_root(frontier: list[bytes]) -> bytes:
    """RFC 9162 root from the compact range: fold the subtrees right to left."""
    if not frontier:
        return hashlib.sha256(b"").digest()
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def frontier_is_valid(frontier: list[bytes], size: int) -> bool:
    return len(frontier) == size.bit_count()


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2 verification algorithm."""
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
