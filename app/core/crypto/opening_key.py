"""The published form of a lot's opening key: one schema, read and written by everyone.

The platform answers `GET /api/v1/lots/<id>/opening-key` with it (bidding serialises
through `OpeningKeyDocument`), `tenderhall-seal seal --url` parses the answer with the
same class, and docs/sealed-bid-container.md §6 describes it. A field renamed here is
renamed for the server, the command line and the OpenAPI document at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from Crypto.PublicKey import RSA
from marshmallow import EXCLUDE, Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from app.core.crypto.container import public_key_sha256

SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$")


class OpeningKeyDocument(Schema):
    """A lot's public opening key and its custody (k of n), as published."""

    class Meta:
        # A newer server may add fields; an older tool still reads the ones it knows.
        unknown = EXCLUDE

    lot_id = fields.Integer(required=True)
    lot_code = fields.String(required=True)
    public_key_pem = fields.String(
        required=True, metadata={"description": "RSA-3072 public key, PEM (SubjectPublicKeyInfo)"}
    )
    key_sha256 = fields.String(
        required=True,
        validate=SHA256_HEX,
        metadata={"description": "SHA-256 (hex) of the public key's SubjectPublicKeyInfo DER"},
    )
    k = fields.Integer(required=True, metadata={"description": "shares needed to open"})
    n = fields.Integer(required=True, metadata={"description": "custodians holding a share"})


class OpeningKeyMismatch(ValueError):
    """The document's fingerprint is not that of its key."""


def read_opening_key(data: Mapping[str, Any]) -> dict[str, Any]:
    """Parse and check a published opening key: the fields, and the fingerprint of the PEM.

    Raises marshmallow's ValidationError for a wrong shape, OpeningKeyMismatch when the
    fingerprint does not match the key.
    """
    doc: dict[str, Any] = OpeningKeyDocument().load(data)
    try:
        key = RSA.import_key(doc["public_key_pem"])
    except (ValueError, IndexError, TypeError) as exc:
        raise SchemaError({"public_key_pem": ["not an RSA public key"]}) from exc
    if public_key_sha256(key) != doc["key_sha256"]:
        raise OpeningKeyMismatch("key_sha256 does not match public_key_pem")
    return doc


__all__ = ["OpeningKeyDocument", "OpeningKeyMismatch", "SchemaError", "read_opening_key"]
