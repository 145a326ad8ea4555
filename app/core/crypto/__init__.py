"""Cryptography of Tender Hall — the only package that imports ``Crypto.*`` (pycryptodome).

Public API (stable; see docs/sealed-bid-container.md for the byte format):

Sealed-bid container v1 (package ``app.core.crypto.container``: ``layout`` sizes and
chunk nonce/AAD, ``errors``, ``header`` and its rules, ``reader`` key-less checks,
``sealing``, ``opening``; the names below are re-exported by the package)
    ``seal_stream(public_key_pem, header_fields, manifest, file_streams, out) -> Header``
        Seal files and the price form (开标一览表) to a lot's opening public key.
        ``header_fields``: ``lot_id`` (int), ``lot_code`` (str), ``bidder_org_id`` (int|None),
        ``bidder_credit_code`` (str), optional ``chunk_size`` and ``created_at``.
        ``manifest``: ``{"price_form": {"total_price": "1234.50", "duration_days": 90,
        "quality": "合格", ...}}`` plus any extra keys; the file list is filled in.
        ``file_streams``: ``[(name, seekable binary stream, content_type), ...]``.
    ``inspect_header(stream) -> Header``  no key needed: lot, bidder, wrapped key, hash.
    ``validate_structure(stream, expected_lot, expected_bidder, max_bytes, *,
        expected_key_sha256=None, copy_to=None) -> (sha256_hex, size)``
        What the server checks at upload without any private key: magic, version,
        header, lot (int → lot_id, str → lot_code), bidder (int → org id, str → credit
        code), opening key fingerprint, chunk indices, frame sizes, final chunk, size.
    ``StructureCheck()``  the same checks fed chunk by chunk (``.feed(bytes)``, ``.copy()``):
        ``.passed``, ``.sha256``, ``.size``, ``.header``; then ``check_binding(header,
        expected_lot, expected_bidder, expected_key_sha256)``. Not passed → run
        ``validate_structure`` for the refusal.
    ``open_stream(private_key, stream, out) -> OpenedBid``
        ``out`` is a directory (files written atomically), a callable
        ``(OpenedFile) -> writable | None``, or None (hash only).
        ``OpenedBid.manifest``, ``.price_form``, ``.total_price`` (Decimal), ``.files``
        (``OpenedFile(name, size, sha256, content_type, path)``), ``.header``.
    ``ContainerError(reason, message)``  ``.reason`` code, ``.bidder_fault`` (True →
        视为撤销 revoked; False → platform fault, 视为撤回 retracted), ``.outcome``.

Opening-key custody (``app.core.crypto.custody``)
    ``make_opening_key(custodian_passphrases | n, k, *, scrypt_n=...) -> OpeningKey``
        ``.public_pem``, ``.key_sha256``, ``.encrypted_private`` (str), ``.sealed_shares``
        (list[str], one per custodian), ``.passphrases`` (only when generated for a count).
    ``unseal_share(sealed_share, passphrase) -> Share``  wrong passphrase → CustodyError.
    ``seal_share(share, passphrase, *, scrypt_n) -> str``  re-seal an unsealed share.
    ``recover_private_key(encrypted_private, shares) -> OpeningPrivateKey``
        context manager; pass it to ``open_stream``; wiped on exit. Fewer than k or a
        wrong share → ``CustodyError``.

Platform signing key (``app.core.crypto.signing``), Ed25519
    ``sign_json(obj) -> hex``, ``verify_json(obj, signature_hex, public_key) -> bool``,
    ``sign_receipt(receipt) -> {"receipt": {...}, "signature": hex, "key_id": str,
    "alg": "Ed25519"}``, ``verify_receipt(doc, public_key) -> bool``,
    ``platform_public_key() -> PublicKeyInfo(key_id, pem, raw_hex)``, ``canonical_json``.

Verifiable draws (``app.core.crypto.draw``)
    ``commit(seed) -> sha256 hex``, ``mixed_seed(seed, public_value) -> bytes``,
    ``rank(seed, ids) -> [(id, hmac_hex), ...]`` sorted by HMAC-SHA256(seed, str(id)).

Raw-byte Ed25519 (``app.core.crypto.ed25519``): a bank's signed arrival notices
    ``new_ed25519_keypair() -> (private_pem, public_pem)``, ``sign_ed25519(private_pem, msg)``,
    ``verify_ed25519(public_key, msg, signature_hex) -> bool``, ``ed25519_public_key_ok(text)``.

Signatures made in a browser (``app.core.crypto.ecdsa``), ECDSA P-256 / SHA-256
    ``verify_p256(spki_b64, message, signature_b64) -> bool``  raw r||s (WebCrypto) or DER;
    ``p256_public_key(spki_b64) -> key | None``, ``p256_key_id(spki_b64) -> 16 hex``;
    ``BrowserKey.generate(passphrase)`` / ``.unwrap(public, wrapped, passphrase)``,
    ``.public_key``, ``.wrapped``, ``.sign(message)``: what a member's browser does, for
    the demo world and the tests (the platform never holds a member's private key).

Secrets at rest (``app.core.crypto.secretbox``), AES-256-GCM under HKDF(SECRET_KEY, purpose)
    ``seal_secret(data, purpose) -> str``, ``open_secret(sealed, purpose) -> bytes``;
    wrong key, purpose or an altered byte → ``SecretBoxError``.

Command line: ``tenderhall-seal seal|inspect|open|verify-receipt|keygen`` (``app.core.crypto.cli``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BrowserKey",
    "ContainerError",
    "CustodyError",
    "Header",
    "OpenedBid",
    "OpenedFile",
    "OpeningKey",
    "SecretBoxError",
    "StructureCheck",
    "canonical_json",
    "check_binding",
    "commit",
    "ed25519_public_key_ok",
    "inspect_header",
    "make_opening_key",
    "mixed_seed",
    "new_ed25519_keypair",
    "open_secret",
    "open_stream",
    "p256_key_id",
    "p256_public_key",
    "platform_public_key",
    "rank",
    "recover_private_key",
    "seal_secret",
    "seal_stream",
    "sign_ed25519",
    "seal_share",
    "sign_json",
    "sign_receipt",
    "unseal_share",
    "validate_structure",
    "verify_ed25519",
    "verify_json",
    "verify_p256",
    "verify_receipt",
]

_HOME = {
    "ContainerError": "container",
    "Header": "container",
    "OpenedBid": "container",
    "OpenedFile": "container",
    "inspect_header": "container",
    "open_stream": "container",
    "seal_stream": "container",
    "validate_structure": "container",
    "StructureCheck": "container",
    "check_binding": "container",
    "CustodyError": "custody",
    "OpeningKey": "custody",
    "make_opening_key": "custody",
    "recover_private_key": "custody",
    "unseal_share": "custody",
    "seal_share": "custody",
    "canonical_json": "signing",
    "platform_public_key": "signing",
    "sign_json": "signing",
    "sign_receipt": "signing",
    "verify_json": "signing",
    "verify_receipt": "signing",
    "commit": "draw",
    "mixed_seed": "draw",
    "rank": "draw",
    "BrowserKey": "ecdsa",
    "ed25519_public_key_ok": "ed25519",
    "new_ed25519_keypair": "ed25519",
    "sign_ed25519": "ed25519",
    "verify_ed25519": "ed25519",
    "p256_key_id": "ecdsa",
    "p256_public_key": "ecdsa",
    "verify_p256": "ecdsa",
    "SecretBoxError": "secretbox",
    "open_secret": "secretbox",
    "seal_secret": "secretbox",
}


def __getattr__(name: str) -> Any:
    # Lazy so that importing one helper does not load RSA and scrypt machinery.
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"app.core.crypto.{_HOME[name]}"), name)
    raise AttributeError(name)
