"""PDF signatures the platform makes (PAdES, with pyHanko), so any PDF reader shows them.

The signing identity is an ECDSA P-256 key and a self-signed X.509 certificate for it, kept
together in the instance folder (``keys/platform-pdf-signer.pem``, mode 0600) and created on
first use, like the Ed25519 receipt key (``signing.py``). The certificate is published (the
keys page and ``GET /api/v1/platform-keys``) with its SHA-256 fingerprint: a reader who
trusts it sees every record the platform signed as valid, and any changed byte as broken.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IDENTITY_FILE = Path("keys") / "platform-pdf-signer.pem"
SIGNATURE_FIELD = "PlatformSignature"
SUBJECT_CN = "Tender Hall 平台电子签章"
SUBJECT_O = "Tender Hall 公共资源交易平台"
VALID_YEARS = 10

_lock = threading.Lock()
_cache: dict[str, Identity] = {}


@dataclass(frozen=True)
class Identity:
    key_pem: bytes  # PKCS#8, unencrypted (the file is 0600 in the instance folder)
    cert_pem: bytes

    @property
    def cert_der(self) -> bytes:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        cert = x509.load_pem_x509_certificate(self.cert_pem)
        return cert.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class CertificateInfo:
    pem: str
    sha256: str  # of the DER certificate, lower-case hex
    subject: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    alg: str = "ECDSA P-256 / SHA-256"

    @property
    def sha256_colons(self) -> str:
        """The fingerprint as PDF readers and browsers show it (AB:CD:…)."""
        return ":".join(self.sha256[i : i + 2] for i in range(0, len(self.sha256), 2)).upper()


@dataclass(frozen=True)
class PdfCheck:
    """What a validator says about the first signature of a PDF."""

    valid: bool  # intact, cryptographically sound and trusted: the bottom line
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the signer chains to the certificate given
    signer: str
    signed_at: dt.datetime | None
    message: str = ""


def _default_path() -> Path:
    from flask import current_app

    return Path(current_app.instance_path) / IDENTITY_FILE


def _new_identity_pem() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT_CN),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUBJECT_O),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: the platform stands by what it signed
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


def _split(pem: bytes) -> Identity:
    marker = b"-----BEGIN CERTIFICATE-----"
    at = pem.index(marker)
    return Identity(key_pem=pem[:at], cert_pem=pem[at:])


def load_or_create_identity(path: str | os.PathLike[str] | None = None) -> Identity:
    """The key and its certificate, created atomically (0600, never overwritten) if absent."""
    target = Path(path) if path is not None else _default_path()
    cache_key = str(target.resolve())
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".pdfkey-")
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_new_identity_pem())
                    fh.flush()
                    os.fsync(fh.fileno())
                # link() fails if another process won the race: theirs is kept, ours dropped.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, target)
            finally:
                os.unlink(tmp)
        identity = _split(target.read_bytes())
        _cache[cache_key] = identity
        return identity


def certificate_info(identity: Identity | None = None) -> CertificateInfo:
    from cryptography import x509

    ident = identity or load_or_create_identity()
    cert = x509.load_pem_x509_certificate(ident.cert_pem)
    return CertificateInfo(
        pem=ident.cert_pem.decode("ascii"),
        sha256=hashlib.sha256(ident.cert_der).hexdigest(),
        subject=cert.subject.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _signer(identity: Identity) -> Any:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    _kind, _headers, key_der = asn1_pem.unarmor(identity.key_pem)
    cert = asn1_x509.Certificate.load(identity.cert_der)
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


def _outside_event_loop(fn: Any, *args: Any) -> Any:
    """Run ``fn`` where no asyncio loop is running.

    pyHanko's synchronous signer and validator call ``asyncio.run``, which refuses to run
    in a thread whose loop is running (the rooms server's thread, a caller driven by an
    event loop): there the work goes to a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def sign_pdf(
    data: bytes, *, reason: str, location: str = "", identity: Identity | None = None
) -> bytes:
    """The PDF with the platform's PAdES signature (an incremental update over ``data``)."""
    ident = identity or load_or_create_identity()
    return _outside_event_loop(_sign_pdf, data, reason, location, ident)


def _sign_pdf(data: bytes, reason: str, location: str, ident: Identity) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        name=SUBJECT_O,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return signers.sign_pdf(writer, meta, signer=_signer(ident)).getvalue()


def validate_pdf(data: bytes, cert_pem: str | bytes) -> PdfCheck:
    """Validate the PDF's first signature against ``cert_pem`` as the only trust root.

    Anything unreadable (a damaged file, no signature) is an invalid result, never an error.
    """
    return _outside_event_loop(_validate_pdf, data, cert_pem)


def _validate_pdf(data: bytes, cert_pem: str | bytes) -> PdfCheck:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    raw = cert_pem.encode("ascii") if isinstance(cert_pem, str) else cert_pem
    _kind, _headers, der = asn1_pem.unarmor(raw)
    root = asn1_x509.Certificate.load(der)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return PdfCheck(False, False, False, "", None, "no signature")
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]))
    except Exception as exc:  # pyHanko raises many kinds on a damaged file
        return PdfCheck(False, False, False, "", None, f"{type(exc).__name__}: {exc}")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    return PdfCheck(
        valid=bool(status.bottom_line),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        signer=signer,
        signed_at=status.signer_reported_dt,
        message=status.summary(),
    )
