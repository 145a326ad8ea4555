"""Small secrets sealed at rest under the platform's secret key (AES-256-GCM).

For values the server must keep and later use itself (an expert draw's seed until it is
revealed), so that a copy of the database or a backup alone does not disclose them.

    seal_secret(b"...", "expert-draw-seed") -> "sb1.<base64url(nonce | ciphertext | tag)>"
    open_secret(sealed, "expert-draw-seed") -> b"..."

The key is derived with HKDF-SHA256 from the app's SECRET_KEY and a purpose label, so a
value sealed for one purpose never opens under another; the purpose is also the AEAD's
associated data. A wrong key (SECRET_KEY changed), another purpose or any altered byte
raises ``SecretBoxError``.
"""

from __future__ import annotations

import base64
import binascii
import functools

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from Crypto.Random import get_random_bytes

PREFIX = "sb1."
_SALT = b"tenderhall/secretbox/v1"
_NONCE = 12
_TAG = 16


class SecretBoxError(ValueError):
    """A sealed secret that cannot be opened: wrong key or purpose, or altered."""


@functools.lru_cache(maxsize=32)
def _key(secret_key: str, purpose: str) -> bytes:
    material = secret_key.encode("utf-8")
    derived = HKDF(material, 32, _SALT, SHA256, context=purpose.encode("utf-8"))
    assert isinstance(derived, bytes)
    return derived


def _secret_key(secret_key: str | None) -> str:
    if secret_key is not None:
        return secret_key
    from flask import current_app

    value = current_app.config.get("SECRET_KEY")
    if not value:
        raise SecretBoxError("SECRET_KEY is not configured")
    return str(value)


def _check_purpose(purpose: str) -> None:
    if not purpose or not purpose.isascii():
        raise ValueError("purpose must be a non-empty ASCII label")


def seal_secret(data: bytes, purpose: str, *, secret_key: str | None = None) -> str:
    """Encrypt and authenticate ``data`` for ``purpose``; a fresh random nonce each time."""
    _check_purpose(purpose)
    nonce = get_random_bytes(_NONCE)
    cipher = AES.new(_key(_secret_key(secret_key), purpose), AES.MODE_GCM, nonce=nonce)
    cipher.update(purpose.encode("ascii"))
    ciphertext, tag = cipher.encrypt_and_digest(bytes(data))
    return PREFIX + base64.urlsafe_b64encode(nonce + ciphertext + tag).decode("ascii")


def open_secret(sealed: str, purpose: str, *, secret_key: str | None = None) -> bytes:
    """The bytes ``seal_secret`` sealed for ``purpose``, or ``SecretBoxError``."""
    _check_purpose(purpose)
    if not isinstance(sealed, str) or not sealed.startswith(PREFIX):
        raise SecretBoxError("not a sealed secret")
    try:
        blob = base64.urlsafe_b64decode(sealed[len(PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise SecretBoxError("sealed secret is not valid base64") from exc
    if len(blob) < _NONCE + _TAG:
        raise SecretBoxError("sealed secret is truncated")
    nonce, body, tag = blob[:_NONCE], blob[_NONCE:-_TAG], blob[-_TAG:]
    cipher = AES.new(_key(_secret_key(secret_key), purpose), AES.MODE_GCM, nonce=nonce)
    cipher.update(purpose.encode("ascii"))
    try:
        return cipher.decrypt_and_verify(body, tag)
    except ValueError as exc:
        raise SecretBoxError(
            "sealed secret does not open: wrong key or purpose, or altered"
        ) from exc
