"""Verifiable randomness for expert draws: commit to a seed, mix in a public value, rank.

Anyone holding the revealed seed and the public value can re-run ``rank`` and get the
same order; the commitment proves the seed was fixed before the public value existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from Crypto.Hash import HMAC, SHA256


def _bytes(value: bytes | bytearray | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def commit(seed: bytes | bytearray | str) -> str:
    """SHA-256 hex of the seed: published before the draw, checked after the reveal."""
    return SHA256.new(_bytes(seed)).hexdigest()


def mixed_seed(seed: bytes | bytearray | str, public_value: bytes | bytearray | str) -> bytes:
    """HMAC-SHA256(key=seed, message=public value): the seed the ranking actually uses."""
    return HMAC.new(_bytes(seed), _bytes(public_value), digestmod=SHA256).digest()


def rank(seed: bytes | bytearray | str, ids: Iterable[Any]) -> list[tuple[Any, str]]:
    """Order ``ids`` by HMAC-SHA256(seed, str(id)); ties (never in practice) by str(id)."""
    key = _bytes(seed)
    scored = [(i, HMAC.new(key, str(i).encode("utf-8"), digestmod=SHA256).hexdigest()) for i in ids]
    scored.sort(key=lambda pair: (pair[1], str(pair[0])))
    return scored
