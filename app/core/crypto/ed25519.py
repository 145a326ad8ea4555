"""Ed25519 over raw bytes: keys and signatures that a third party (a bank) makes and we check.

The platform's own key and its canonical-JSON signatures are in ``signing``; this module is
for messages whose bytes are fixed by someone else (a signed HTTP request).
"""

from __future__ import annotations

import binascii

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa


def new_ed25519_keypair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh key: for a bank's own tooling and for tests."""
    key = ECC.generate(curve="ed25519")
    return key.export_key(format="PEM"), key.public_key().export_key(format="PEM")


def _public(text: str) -> ECC.EccKey:
    text = text.strip()
    pem = "BEGIN" in text
    key = ECC.import_key(text) if pem else eddsa.import_public_key(bytes.fromhex(text))
    if key.curve not in ("Ed25519", "ed25519") or key.has_private():
        raise ValueError("not an Ed25519 public key")
    return key


def ed25519_public_key_ok(text: str) -> bool:
    """True when ``text`` is an Ed25519 public key (PEM, or 64 hex digits of the raw key)."""
    try:
        _public(text)
    except (ValueError, TypeError, IndexError, binascii.Error):
        return False
    return True


def sign_ed25519(private_pem: str, message: bytes) -> str:
    """Hex signature of ``message`` (what a bank's system does)."""
    signer = eddsa.new(ECC.import_key(private_pem), "rfc8032")
    return signer.sign(message).hex()


def verify_ed25519(public_key: str, message: bytes, signature_hex: str) -> bool:
    """True when ``signature_hex`` is the key's signature over exactly ``message``."""
    try:
        verifier = eddsa.new(_public(public_key), "rfc8032")
        verifier.verify(message, bytes.fromhex(signature_hex))
    except (ValueError, TypeError, IndexError, binascii.Error):
        return False
    return True
