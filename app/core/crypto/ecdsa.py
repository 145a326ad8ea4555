"""ECDSA P-256 with SHA-256 as WebCrypto makes it: keys as SPKI (base64), signatures as raw
r||s (IEEE P1363, 64 bytes, base64). Used to check signatures made in a member's browser;
the platform never holds the private half, so it only verifies here.

`BrowserKey` does in Python exactly what a member's browser does (a key pair, the private
key wrapped under a passphrase, a signature): for the demo world and the tests, which
must sign as a member would. The platform's own code never calls it for a member."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS

__all__ = ["BrowserKey", "p256_public_key", "p256_key_id", "verify_p256"]

CURVE_NAMES = {"NIST P-256", "p256", "P-256", "prime256v1", "secp256r1"}
SIGNATURE_BYTES = 64
# The wrapping the browser uses (app/static/js/eval-sign.js): PBKDF2-SHA-256, then
# AES-256-GCM over the PKCS#8 private key, the 16-byte tag appended as WebCrypto does.
WRAP_ALG = "PBKDF2-SHA256/AES-256-GCM"
WRAP_ITERATIONS = 600_000


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


def _kek(passphrase: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, 32)


@dataclass(frozen=True)
class BrowserKey:
    """A member's signing key pair as the browser makes, stores and uses it."""

    key: Any  # the private ECC key: only in memory, as in the browser after unwrapping
    public_key: str  # SPKI, base64
    wrapped: dict[str, Any]  # what the server stores: the private key under the passphrase

    @classmethod
    def generate(cls, passphrase: str, iterations: int = WRAP_ITERATIONS) -> BrowserKey:
        key = ECC.generate(curve="P-256")
        salt, iv = os.urandom(16), os.urandom(12)
        pkcs8 = key.export_key(format="DER")
        cipher = AES.new(_kek(passphrase, salt, iterations), AES.MODE_GCM, nonce=iv)
        ciphertext, tag = cipher.encrypt_and_digest(pkcs8)
        wrapped = {
            "v": 1,
            "alg": WRAP_ALG,
            "iterations": iterations,
            "salt": base64.b64encode(salt).decode(),
            "iv": base64.b64encode(iv).decode(),
            "ciphertext": base64.b64encode(ciphertext + tag).decode(),
        }
        public = base64.b64encode(key.public_key().export_key(format="DER")).decode()
        return cls(key=key, public_key=public, wrapped=wrapped)

    @classmethod
    def unwrap(cls, public_key: str, wrapped: dict[str, Any], passphrase: str) -> BrowserKey:
        """Open a stored wrapped key with the passphrase; a wrong one raises ValueError."""
        blob = base64.b64decode(wrapped["ciphertext"])
        kek = _kek(passphrase, base64.b64decode(wrapped["salt"]), int(wrapped["iterations"]))
        cipher = AES.new(kek, AES.MODE_GCM, nonce=base64.b64decode(wrapped["iv"]))
        key = ECC.import_key(cipher.decrypt_and_verify(blob[:-16], blob[-16:]))
        return cls(key=key, public_key=public_key, wrapped=dict(wrapped))

    def sign(self, message: bytes) -> str:
        """ECDSA P-256 / SHA-256 of `message`, raw r||s in base64, as WebCrypto returns it."""
        signer = DSS.new(self.key, "fips-186-3", encoding="binary")
        return base64.b64encode(signer.sign(SHA256.new(message))).decode()
