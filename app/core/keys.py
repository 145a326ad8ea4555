"""The platform's public keys, published: a page, downloads and ``GET /api/v1/platform-keys``.

Anyone holding a receipt, a checkpoint or a signed PDF can check it without trusting the
server at that moment: the Ed25519 key that signs receipts and audit checkpoints (what
``tenderhall-seal verify-receipt`` needs) and the X.509 certificate that signs PDF records,
each with its SHA-256 fingerprint to compare against a copy obtained elsewhere.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, render_template
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from app.core.crypto import pades
from app.core.crypto.signing import platform_public_key

RECEIPT_KEY_FILE = "platform-ed25519.pem"
PDF_CERT_FILE = "platform-pdf-signer.crt"

bp = Blueprint("keys", __name__)
blp = ApiBlueprint(
    "keys_api", __name__, url_prefix="/api/v1", description="The platform's public keys"
)


def receipt_key() -> dict[str, Any]:
    info = platform_public_key()
    return {
        "alg": "Ed25519",
        "key_id": info.key_id,
        "public_key_pem": info.pem,
        "raw_hex": info.raw_hex,
        # SHA-256 of the raw 32-byte public key; key_id is its first 16 hex digits.
        "sha256": hashlib.sha256(bytes.fromhex(info.raw_hex)).hexdigest(),
        "download": f"/keys/{RECEIPT_KEY_FILE}",
        "verify": f"tenderhall-seal verify-receipt receipt.json --public-key {RECEIPT_KEY_FILE}",
    }


def pdf_certificate() -> dict[str, Any]:
    cert = pades.certificate_info()
    return {
        "alg": cert.alg,
        "certificate_pem": cert.pem,
        "sha256": cert.sha256,
        "sha256_colons": cert.sha256_colons,
        "subject": cert.subject,
        "serial": cert.serial,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "download": f"/keys/{PDF_CERT_FILE}",
        "verify": f"pyhanko sign validate --trust {PDF_CERT_FILE} record.pdf",
    }


class ReceiptKeyOut(Schema):
    alg = fields.String()
    key_id = fields.String(metadata={"description": "the key_id a signed receipt names"})
    public_key_pem = fields.String(metadata={"description": "for --public-key (PEM file)"})
    raw_hex = fields.String(metadata={"description": "the raw 32-byte key; --public-key too"})
    sha256 = fields.String(metadata={"description": "SHA-256 of the raw key (fingerprint)"})
    download = fields.String()
    verify = fields.String()


class PdfCertificateOut(Schema):
    alg = fields.String()
    certificate_pem = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the DER certificate"})
    sha256_colons = fields.String()
    subject = fields.String()
    serial = fields.String()
    not_before = fields.AwareDateTime()
    not_after = fields.AwareDateTime()
    download = fields.String()
    verify = fields.String()


class PlatformKeysOut(Schema):
    receipt_key = fields.Nested(ReceiptKeyOut)
    pdf_certificate = fields.Nested(PdfCertificateOut)


@blp.route("/platform-keys")
class PlatformKeys(MethodView):
    @blp.response(200, PlatformKeysOut)
    def get(self) -> Any:
        """The receipt and checkpoint key (Ed25519) and the PDF signing certificate."""
        return {"receipt_key": receipt_key(), "pdf_certificate": pdf_certificate()}


@bp.get("/keys")
def page() -> Any:
    return render_template("core/keys.html", key=receipt_key(), cert=pdf_certificate())


@bp.get(f"/keys/{RECEIPT_KEY_FILE}")
def receipt_key_file() -> Any:
    return Response(
        platform_public_key().pem,
        mimetype="application/x-pem-file",
        headers={"Content-Disposition": f"attachment; filename={RECEIPT_KEY_FILE}"},
    )


@bp.get(f"/keys/{PDF_CERT_FILE}")
def pdf_certificate_file() -> Any:
    return Response(
        pades.certificate_info().pem,
        mimetype="application/x-pem-file",
        headers={"Content-Disposition": f"attachment; filename={PDF_CERT_FILE}"},
    )
