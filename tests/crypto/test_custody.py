"""Opening-key custody: any k of n custodians restore the key, fewer or a wrong share never."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.core.crypto.custody import (
    CustodyError,
    Share,
    make_opening_key,
    recover_private_key,
    unseal_share,
)


def shares_of(opening_key: Any, passphrases: list[str], which: list[int]) -> list[Share]:
    return [unseal_share(opening_key.sealed_shares[i], passphrases[i]) for i in which]


@pytest.mark.parametrize("which", [[0, 1, 2], [2, 3, 4], [0, 2, 4], [0, 1, 2, 3, 4]])
def test_any_k_of_n_custodians_restore_the_opening_key(
    opening_key: Any, custody_passphrases: list[str], which: list[int]
) -> None:
    with recover_private_key(
        opening_key.encrypted_private, shares_of(opening_key, custody_passphrases, which)
    ) as handle:
        assert handle.key_sha256 == opening_key.key_sha256
        assert handle.key is not None and handle.key.has_private()
    assert handle.key is None  # wiped when the opening is over


def test_k_minus_one_shares_cannot_restore_the_key(
    opening_key: Any, custody_passphrases: list[str]
) -> None:
    shares = shares_of(opening_key, custody_passphrases, [0, 4])
    with pytest.raises(CustodyError) as exc:
        recover_private_key(opening_key.encrypted_private, shares)
    assert exc.value.reason == "not_enough_shares"
    assert "至少需要 3" in str(exc.value.message)


def test_the_same_share_twice_counts_once(opening_key: Any, custody_passphrases: list[str]) -> None:
    shares = shares_of(opening_key, custody_passphrases, [0, 1, 1])
    with pytest.raises(CustodyError) as exc:
        recover_private_key(opening_key.encrypted_private, shares)
    assert exc.value.reason == "not_enough_shares"


def test_a_forged_share_is_caught_by_the_aead_tag(
    opening_key: Any, custody_passphrases: list[str]
) -> None:
    shares = shares_of(opening_key, custody_passphrases, [0, 1, 2])
    shares[1].value[5] ^= 0x01
    with pytest.raises(CustodyError) as exc:
        recover_private_key(opening_key.encrypted_private, shares)
    assert exc.value.reason == "bad_share"


def test_a_share_from_another_key_is_refused(
    opening_key: Any, custody_passphrases: list[str]
) -> None:
    shares = shares_of(opening_key, custody_passphrases, [0, 1, 2])
    shares[2].key_id = "0" * 64
    with pytest.raises(CustodyError) as exc:
        recover_private_key(opening_key.encrypted_private, shares)
    assert exc.value.reason == "foreign_share"


def test_wrong_passphrase_does_not_unseal_a_share(opening_key: Any) -> None:
    with pytest.raises(CustodyError) as exc:
        unseal_share(opening_key.sealed_shares[0], "not-the-passphrase")
    assert exc.value.reason == "wrong_passphrase"
    assert exc.value.status == 422


def test_share_metadata_is_bound_to_its_ciphertext(
    opening_key: Any, custody_passphrases: list[str]
) -> None:
    sealed = json.loads(opening_key.sealed_shares[0])
    sealed["index"] = 9
    with pytest.raises(CustodyError) as exc:
        unseal_share(json.dumps(sealed), custody_passphrases[0])
    assert exc.value.reason == "wrong_passphrase"


def test_sealed_material_holds_no_plaintext_key(opening_key: Any) -> None:
    blob = json.loads(opening_key.encrypted_private)
    assert set(blob) == {"v", "alg", "kid", "k", "n", "nonce", "ct", "tag"}
    assert "PRIVATE" not in opening_key.encrypted_private
    assert len(opening_key.sealed_shares) == 5 and opening_key.passphrases == []
    assert opening_key.public_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_a_custodian_count_generates_one_passphrase_each() -> None:
    made = make_opening_key(2, 2, scrypt_n=2**10)
    assert len(made.passphrases) == 2 and len(set(made.passphrases)) == 2
    shares = [unseal_share(s, p) for s, p in zip(made.sealed_shares, made.passphrases, strict=True)]
    assert recover_private_key(made.encrypted_private, shares).key_sha256 == made.key_sha256


@pytest.mark.parametrize(
    ("custodians", "k"),
    [
        (["long-enough-1", "long-enough-2"], 3),
        (["short", "long-enough"], 1),
        ([], 1),
        (["long-enough-1"], 0),
    ],
)
def test_impossible_custody_parameters_are_refused(custodians: list[str], k: int) -> None:
    with pytest.raises(CustodyError) as exc:
        make_opening_key(custodians, k, scrypt_n=2**10)
    assert exc.value.reason == "bad_params"


def test_garbage_instead_of_a_share_is_a_format_error() -> None:
    with pytest.raises(CustodyError) as exc:
        unseal_share("{not json", "whatever-passphrase")
    assert exc.value.reason == "bad_blob"


def test_a_resealed_share_opens_only_with_its_new_passphrase(
    opening_key: Any, custody_passphrases: list[str]
) -> None:
    from app.core.crypto import seal_share

    share = shares_of(opening_key, custody_passphrases, [3])[0]
    resealed = seal_share(share, "server-derived-passphrase", scrypt_n=2**10)
    assert unseal_share(resealed, "server-derived-passphrase").value == share.value
    with pytest.raises(CustodyError):
        unseal_share(resealed, custody_passphrases[3])
