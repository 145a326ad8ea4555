"""Verifiable randomness for expert draws: commit to a seed, mix in a public value, rank.

Anyone holding the revealed seed and the public value can re-run ``rank`` and get the
same order; the commitment proves the seed was fixed before the public value existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
