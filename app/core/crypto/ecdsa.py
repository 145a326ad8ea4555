"""ECDSA P-256 with SHA-256 as WebCrypto makes it: keys as SPKI (base64), signatures as raw
r||s (IEEE P1363, 64 bytes, base64). Used to check signatures made in a member's browser;
the platform never holds the private half, so it only verifies here."""

from __future__ import annotations

import base64
import binascii

from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS

__all__ = ["p256_public_key", "p256_key_id", "verify_p256"]

CURVE_NAMES = {"NIST P-256", "p256", "P-256", "prime256v1", "secp256r1"}
SIGNATURE_BYTES = 64


def _b64(text: str) -> bytes:
    return base64.b64decode(text.strip(), validate=True)


def p256_public_key(spki_b64: str) -> ECC.EccKey | None:
    """The public key a browser exported (`exportKey("spki")`, base64); None when it is not
    a P-256 public key."""
    try:
        key = ECC.import_key(_b64(spki_b64))
    except (ValueError, TypeError, IndexError, binascii.Error):
        return None
    if key.has_private() or key.curve not in CURVE_NAMES:
        return None
    return key


def p256_key_id(spki_b64: str) -> str:
    """A short fingerprint people can compare by eye: SHA-256 of the SPKI bytes, 16 hex digits."""
    import hashlib

    return hashlib.sha256(_b64(spki_b64)).hexdigest()[:16]


def verify_p256(spki_b64: str, message: bytes, signature_b64: str) -> bool:
    """True when `signature_b64` (raw r||s, or DER) is a valid ECDSA P-256 / SHA-256
    signature of `message` under the key `spki_b64`."""
    key = p256_public_key(spki_b64)
    if key is None:
        return False
    try:
        signature = _b64(signature_b64)
    except (ValueError, binascii.Error):
        return False
    encoding = "binary" if len(signature) == SIGNATURE_BYTES else "der"
    try:
        DSS.new(key, "fips-186-3", encoding=encoding).verify(SHA256.new(message), signature)
    except (ValueError, TypeError):
        return False
    return True
