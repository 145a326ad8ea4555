"""Verifiable draw helpers: anyone with the revealed seed re-runs the same ranking."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.core.crypto.draw import commit, mixed_seed, rank
from tests.crypto.vectors import load


def test_commitment_is_sha256_of_the_seed() -> None:
    assert commit(b"seed") == hashlib.sha256(b"seed").hexdigest()


def test_mixed_seed_depends_on_the_public_value() -> None:
    assert mixed_seed(b"s" * 32, "root-a") != mixed_seed(b"s" * 32, "root-b")
    assert mixed_seed(b"s" * 32, "root-a") == hmac.new(b"s" * 32, b"root-a", "sha256").digest()


def test_ranking_is_by_hmac_of_the_id_and_reproducible() -> None:
    ranked = rank(b"k" * 32, [5, 3, 11, 7])
    assert sorted(i for i, _ in ranked) == [3, 5, 7, 11]
    assert [h for _, h in ranked] == sorted(h for _, h in ranked)
    assert ranked == rank(b"k" * 32, [11, 7, 5, 3])
    assert ranked[0][1] == hmac.new(b"k" * 32, str(ranked[0][0]).encode(), "sha256").hexdigest()
    assert rank(b"j" * 32, [5, 3, 11, 7]) != ranked


def test_draw_vector_reproduces() -> None:
    v = load("draw-hmac.json")
    seed = bytes.fromhex(v["seed_hex"])
    assert commit(seed) == v["commitment"]
    mixed = mixed_seed(seed, v["public_value"])
    assert mixed.hex() == v["mixed_seed_hex"]
    assert [[i, h] for i, h in rank(mixed, v["ids"])] == v["ranking"]


@pytest.mark.parametrize("size", [0, 16, 32, 64, 65, 200])
def test_prekeyed_hmac_equals_the_standard_hmac_for_any_key_length(size: int) -> None:
    import hashlib
    import hmac

    from app.core.crypto.draw import hmac_digests

    key = bytes(range(size))
    messages = [b"", b"1", b"123456789", b"x" * 100]
    assert hmac_digests(key, messages) == [
        hmac.new(key, m, hashlib.sha256).digest() for m in messages
    ]


def test_fisher_yates_draw_vector_reproduces_in_the_platform_and_the_standalone_verifier() -> None:
    import importlib.util
    from pathlib import Path

    from app.core.crypto.draw import shuffle_head, stream_words

    v = load("draw-fisher-yates.json")
    mixed = mixed_seed(bytes.fromhex(v["seed_hex"]), v["public_value"])
    assert mixed.hex() == v["mixed_seed_hex"]
    words = stream_words(mixed, "tenderhall-draw/2:0")
    assert [next(words) for _ in v["first_words_group_0"]] == v["first_words_group_0"]
    first = hmac.new(mixed, b"tenderhall-draw/2:0:0", hashlib.sha256).digest()
    assert v["first_words_group_0"][0] == int.from_bytes(first[:8], "big")
    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"
    spec = importlib.util.spec_from_file_location("verify_draw", script)
    assert spec is not None and spec.loader is not None
    standalone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(standalone)
    assert standalone.select(mixed, v["pools"], v["groups"], 2) == v["result"]
    taken: set[int] = set()
    for g, (pool, group) in enumerate(zip(v["pools"], v["groups"], strict=True)):
        n = group["count"] + group["reserves"]
        picked = shuffle_head(mixed, f"tenderhall-draw/2:{g}", sorted(pool), n, taken)
        assert picked == v["result"][g]["invited"] + v["result"][g]["reserves"]
        taken.update(picked)
    # Rule 1 in the standalone verifier still reproduces the rule-1 vector.
    old = load("draw-hmac.json")
    key = bytes.fromhex(old["mixed_seed_hex"])
    assert standalone.rank(key, old["ids"]) == [i for i, _h in old["ranking"]]
