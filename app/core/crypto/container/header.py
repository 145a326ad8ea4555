"""The container header and the rules that every header, name and price form must meet.

Sealing applies the same checks as reading, so the platform never writes a header it would
refuse at upload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from Crypto.PublicKey import RSA
from flask_babel import lazy_gettext as _l

from app.core.crypto.container.errors import ContainerError
from app.core.crypto.container.layout import (
    CIPHER,
    KEY_WRAP,
    MAGIC,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
    RSA_BITS,
)

_PRICE_RE = re.compile(r"^(0|[1-9]\d{0,14})(\.\d{1,2})?$")
_BAD_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def canonical_json(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def public_key_sha256(key: RSA.RsaKey) -> str:
    """Fingerprint of an RSA public key: SHA-256 of its SubjectPublicKeyInfo DER."""
    return hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest()


@dataclass(frozen=True)
class Header:
    version: int
    fields: dict[str, Any]
    raw: bytes  # the exact header bytes, prefix included
    sha256: bytes

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()

    @property
    def lot_id(self) -> int:
        return int(self.fields["lot_id"])

    @property
    def lot_code(self) -> str:
        return str(self.fields["lot_code"])

    @property
    def bidder_org_id(self) -> int | None:
        return self.fields.get("bidder_org_id")

    @property
    def bidder_credit_code(self) -> str:
        return str(self.fields["bidder_credit_code"])

    @property
    def chunk_size(self) -> int:
        return int(self.fields["chunk_size"])

    @property
    def created_at(self) -> str:
        return str(self.fields["created_at"])

    @property
    def opening_key_sha256(self) -> str:
        return str(self.fields["opening_key_sha256"])

    @property
    def manifest_size(self) -> int:
        return int(self.fields["manifest_size"])

    @property
    def content_types(self) -> list[str]:
        return list(self.fields["content_types"])

    @property
    def wrapped_key(self) -> bytes:
        return base64.b64decode(self.fields["wrapped_key"])

    def summary(self) -> dict[str, Any]:
        """What can be shown before the opening: everything but the wrapped key."""
        out = {k: v for k, v in self.fields.items() if k != "wrapped_key"}
        out.update(magic=MAGIC.decode(), version=self.version, header_sha256=self.sha256_hex)
        return out


def validate_price_form(form: Any) -> dict[str, Any]:
    if not isinstance(form, dict):
        raise ContainerError("bad_price_form")
    price = form.get("total_price")
    if not isinstance(price, str) or not _PRICE_RE.match(price):
        raise ContainerError("bad_price_form", details=str(price)[:40])
    try:
        Decimal(price)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
        raise ContainerError("bad_price_form") from exc
    days = form.get("duration_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        raise ContainerError("bad_price_form", _l("开标一览表中的工期（天）须为非负整数。"))
    quality = form.get("quality")
    if quality is not None and not isinstance(quality, str):
        raise ContainerError("bad_price_form", _l("开标一览表中的质量承诺须为文本。"))
    return form


def check_name(name: Any, reason: str) -> str:
    if (
        not isinstance(name, str)
        or not name
        or len(name) > 255
        or name in (".", "..")
        or _BAD_NAME.search(name)
    ):
        raise ContainerError(
            reason,
            _l('文件名无效：不能为空、不超过 255 个字符，且不能包含 / \\ : * ? " < > | 等字符。'),
        )
    return name


def check_header_fields(fields: Any) -> None:
    def bad(what: str) -> ContainerError:
        return ContainerError("bad_header", field=what)

    if not isinstance(fields, dict):
        raise bad("header")
    ints = {"lot_id": False, "chunk_size": False, "manifest_size": False, "bidder_org_id": True}
    for name, nullable in ints.items():
        value = fields.get(name)
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad(name)
    for name in ("lot_code", "bidder_credit_code", "created_at", "opening_key_sha256"):
        if not isinstance(fields.get(name), str):
            raise bad(name)
    if fields.get("key_wrap") != KEY_WRAP or fields.get("cipher") != CIPHER:
        raise bad("cipher")
    if not MIN_CHUNK_SIZE <= fields["chunk_size"] <= MAX_CHUNK_SIZE:
        raise bad("chunk_size")
    types = fields.get("content_types")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise bad("content_types")
    wrapped = fields.get("wrapped_key")
    try:
        raw = base64.b64decode(wrapped, validate=True) if isinstance(wrapped, str) else b""
    except binascii.Error:
        raw = b""
    if len(raw) != RSA_BITS // 8:
        raise bad("wrapped_key")
