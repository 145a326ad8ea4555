"""The platform's Ed25519 signing key: receipts, checkpoints, anything a third party verifies.

The private key lives in the instance folder (``keys/platform-ed25519.pem``, mode 0600),
created on first use. Signatures cover canonical JSON: keys sorted, no spaces, UTF-8,
non-ASCII kept as is — so any language can rebuild the exact signed bytes.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

from app.core.crypto.container import canonical_json

KEY_FILE = Path("keys") / "platform-ed25519.pem"
_lock = threading.Lock()
_cache: dict[str, ECC.EccKey] = {}
_info_cache: dict[int, tuple[ECC.EccKey, PublicKeyInfo]] = {}

__all__ = [
    "PublicKeyInfo",
    "canonical_json",
    "load_or_create_key",
    "platform_public_key",
    "public_key_info",
    "sign_json",
    "sign_receipt",
    "verify_json",
    "verify_receipt",
]


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str  # first 16 hex digits of SHA-256 of the raw 32-byte public key
    pem: str
    raw_hex: str

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "alg": "Ed25519", "pem": self.pem, "raw_hex": self.raw_hex}


def _default_path() -> Path:
    from flask import current_app

    return Path(current_app.instance_path) / KEY_FILE


def load_or_create_key(path: str | os.PathLike[str] | None = None) -> ECC.EccKey:
    """Load the signing key, creating it atomically (0600, never overwriting) if absent."""
    target = Path(path) if path is not None else _default_path()
    # Keyed by the absolute path, worked out without system calls (resolve() would stat
    # every component on every signature).
    cache_key = os.path.abspath(target)
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = ECC.generate(curve="Ed25519").export_key(format="PEM")
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".key-")
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())
                # link() fails if another process won the race: theirs is kept, ours dropped.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, target)
            finally:
                os.unlink(tmp)
        key = ECC.import_key(target.read_text(encoding="ascii"))
        _cache[cache_key] = key
        return key


def public_key_info(key: ECC.EccKey) -> PublicKeyInfo:
    # Every receipt names the key: the platform key's description is worked out once.
    seen = _info_cache.get(id(key))
    if seen is not None and seen[0] is key:
        return seen[1]
    info = _public_key_info(key)
    if len(_info_cache) < 64:  # the platform's key and a few in tests, never many
        _info_cache[id(key)] = (key, info)
    return info


def _public_key_info(key: ECC.EccKey) -> PublicKeyInfo:
    public = key.public_key()
    raw = public.export_key(format="raw")
    return PublicKeyInfo(
        key_id=hashlib.sha256(raw).hexdigest()[:16],
        pem=public.export_key(format="PEM"),
        raw_hex=raw.hex(),
    )


def platform_public_key(path: str | os.PathLike[str] | None = None) -> PublicKeyInfo:
    return public_key_info(load_or_create_key(path))


def _import_public(public_key: Any) -> ECC.EccKey:
    if isinstance(public_key, PublicKeyInfo):
        public_key = public_key.pem
    if isinstance(public_key, ECC.EccKey):
        return public_key
    text = public_key.decode("ascii") if isinstance(public_key, bytes) else str(public_key)
    text = text.strip()
    if "BEGIN" in text:
        return ECC.import_key(text)
    return eddsa.import_public_key(bytes.fromhex(text))


def sign_json(obj: Any, key: ECC.EccKey | None = None) -> str:
    """Ed25519 signature (hex) over the canonical JSON of ``obj``."""
    signer = eddsa.new(key or load_or_create_key(), "rfc8032")
    return signer.sign(canonical_json(obj)).hex()


def verify_json(obj: Any, signature: str, public_key: Any) -> bool:
    """True when ``signature`` (hex) is the key's signature over canonical JSON of ``obj``."""
    try:
        verifier = eddsa.new(_import_public(public_key), "rfc8032")
        verifier.verify(canonical_json(obj), bytes.fromhex(signature))
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


def sign_receipt(receipt: dict[str, Any], key: ECC.EccKey | None = None) -> dict[str, Any]:
    """Wrap a receipt body as ``{"receipt", "signature", "key_id", "alg"}``."""
    signing_key = key or load_or_create_key()
    return {
        "receipt": receipt,
        "signature": sign_json(receipt, signing_key),
        "key_id": public_key_info(signing_key).key_id,
        "alg": "Ed25519",
    }


def verify_receipt(document: Any, public_key: Any) -> bool:
    if not isinstance(document, dict):
        return False
    body, signature = document.get("receipt"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str):
        return False
    return verify_json(body, signature, public_key)
