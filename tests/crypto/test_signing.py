"""Platform Ed25519 key: created once with mode 0600, signs canonical JSON, detects tampering."""

from __future__ import annotations

import copy
import stat
from pathlib import Path

from flask import Flask

from app.core.crypto.signing import (
    load_or_create_key,
    platform_public_key,
    public_key_info,
    sign_json,
    sign_receipt,
    verify_json,
    verify_receipt,
)
from tests.crypto.vectors import load

RECEIPT = {
    "lot_id": 42,
    "bidder": "91150900MA0N000X7Q",
    "bid_version": 2,
    "ciphertext_sha256": "ab" * 32,
    "size": 123456,
    "server_time": "2026-03-01T02:31:00Z",
    "audit_seq": 99,
    "inclusion_proof": ["cd" * 32],
    "备注": "回执",
}


def test_key_is_created_once_in_the_instance_folder_with_mode_0600(tmp_path: Path) -> None:
    app = Flask("signing-test", instance_path=str(tmp_path))
    with app.app_context():
        first = platform_public_key()
        second = platform_public_key()
    path = tmp_path / "keys" / "platform-ed25519.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first == second
    assert len(first.raw_hex) == 64 and first.pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".key-")]


def test_signed_receipt_verifies_with_pem_and_raw_public_key(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    doc = sign_receipt(RECEIPT, key)
    info = public_key_info(key)
    assert set(doc) == {"receipt", "signature", "key_id", "alg"}
    assert doc["key_id"] == info.key_id
    assert verify_receipt(doc, info.pem)
    assert verify_receipt(doc, info.raw_hex)


def test_tampered_receipt_fails_verification(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    doc = sign_receipt(RECEIPT, key)
    for field, value in [("size", 123457), ("ciphertext_sha256", "ac" * 32), ("备注", "回單")]:
        forged = copy.deepcopy(doc)
        forged["receipt"][field] = value
        assert not verify_receipt(forged, public_key_info(key).pem)
    assert not verify_receipt({**doc, "signature": "00" * 64}, public_key_info(key).pem)
    assert not verify_receipt({**doc, "signature": "xyz"}, public_key_info(key).pem)


def test_another_platforms_key_does_not_verify(tmp_path: Path) -> None:
    ours = load_or_create_key(tmp_path / "a.pem")
    theirs = load_or_create_key(tmp_path / "b.pem")
    assert not verify_json(RECEIPT, sign_json(RECEIPT, ours), public_key_info(theirs))


def test_key_order_does_not_change_the_signed_bytes(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    reordered = dict(reversed(list(RECEIPT.items())))
    assert verify_json(reordered, sign_json(RECEIPT, key), public_key_info(key))


def test_signing_vector_verifies_and_uses_the_rfc8032_test_key() -> None:
    vector = load("signing-ed25519.json")
    # RFC 8032 §7.1 TEST 1 public key for this seed.
    assert vector["public_key_raw_hex"] == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert verify_json(vector["receipt"], vector["signature_hex"], vector["public_key_pem"])
    assert verify_json(vector["receipt"], vector["signature_hex"], vector["public_key_raw_hex"])
