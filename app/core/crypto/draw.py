"""Verifiable randomness for expert draws: commit to a seed, mix in a public value, pick.

Anyone holding the revealed seed and the public value can re-run the pick and get the
same experts; the commitment proves the seed was fixed before the public value existed.
Two rules: ``rank`` (draw rule 1: every id ordered by its HMAC) and ``shuffle_head``
(draw rule 2: a partial Fisher–Yates shuffle of the sorted ids driven by an HMAC counter
stream, O(seats) instead of one HMAC per expert).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from Crypto.Hash import HMAC, SHA256

_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _bytes(value: bytes | bytearray | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def commit(seed: bytes | bytearray | str) -> str:
    """SHA-256 hex of the seed: published before the draw, checked after the reveal."""
    return SHA256.new(_bytes(seed)).hexdigest()


def mixed_seed(seed: bytes | bytearray | str, public_value: bytes | bytearray | str) -> bytes:
    """HMAC-SHA256(key=seed, message=public value): the seed the ranking actually uses."""
    return HMAC.new(_bytes(seed), _bytes(public_value), digestmod=SHA256).digest()


def hmac_digests(key: bytes | bytearray | str, messages: Iterable[bytes]) -> list[bytes]:
    """HMAC-SHA256(key, m) for every message, equal to ``hmac.new(key, m, sha256).digest()``.

    A draw ranks tens of thousands of ids under one key: the two pads (RFC 2104) are hashed
    once and their SHA-256 states copied per message, several times faster than one HMAC
    object per message.
    """
    k = _bytes(key)
    if len(k) > 64:
        k = hashlib.sha256(k).digest()
    k = k.ljust(64, b"\0")
    inner, outer = hashlib.sha256(k.translate(_IPAD)), hashlib.sha256(k.translate(_OPAD))
    copy_inner, copy_outer = inner.copy, outer.copy
    out: list[bytes] = []
    add = out.append
    for message in messages:
        i = copy_inner()
        i.update(message)
        o = copy_outer()
        o.update(i.digest())
        add(o.digest())
    return out


def rank(seed: bytes | bytearray | str, ids: Iterable[Any]) -> list[tuple[Any, str]]:
    """Order ``ids`` by HMAC-SHA256(seed, str(id)); ties (never in practice) by str(id)."""
    ids = list(ids)
    digests = hmac_digests(seed, (str(i).encode("utf-8") for i in ids))
    scored = [(i, d.hex()) for i, d in zip(ids, digests, strict=True)]
    scored.sort(key=lambda pair: (pair[1], str(pair[0])))
    return scored


def stream_words(key: bytes | bytearray | str, label: str) -> Iterator[int]:
    """An endless stream of 64-bit words: HMAC-SHA256(key, f"{label}:{j}") for j = 0, 1, …,
    each digest read as four big-endian words (a PRF in counter mode; the standard library
    reproduces it, so the standalone verifier can too)."""
    k = _bytes(key)
    prefix = label.encode("ascii") + b":"
    j = 0
    while True:
        block = hmac.new(k, prefix + b"%d" % j, hashlib.sha256).digest()
        yield from (int.from_bytes(block[o : o + 8], "big") for o in range(0, 32, 8))
        j += 1


def _below(words: Iterator[int], bound: int) -> int:
    """A uniform integer in [0, bound) by rejection sampling: no modulo bias."""
    limit = (1 << 64) - (1 << 64) % bound
    while True:
        w = next(words)
        if w < limit:
            return w % bound


def shuffle_head(
    key: bytes | bytearray | str,
    label: str,
    ids: Sequence[Any],
    n: int,
    skip: Collection[Any] = (),
) -> list[Any]:
    """The first ``n`` ids not in ``skip`` of a Fisher–Yates shuffle of ``ids`` (in the
    order given) driven by ``stream_words(key, label)``.

    Partial: position i swaps with i + below(len - i) for i = 0, 1, … until ``n`` are
    picked, so the cost is O(n + len(skip)) whatever the size of the pool (swaps are kept
    in a dict instead of copying the list).
    """
    words = stream_words(key, label)
    size = len(ids)
    moved: dict[int, Any] = {}
    out: list[Any] = []
    i = 0
    while len(out) < n and i < size:
        j = i + _below(words, size - i)
        a, b = moved.get(i, ids[i]), moved.get(j, ids[j])
        moved[i], moved[j] = b, a
        if b not in skip:
            out.append(b)
        i += 1
    return out
