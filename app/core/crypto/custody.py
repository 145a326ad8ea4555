"""Opening-key custody: an RSA-3072 key whose private half only k of n custodians can restore.

The private key (PKCS#8 DER) is encrypted with AES-256-GCM under a random 256-bit
key-encryption key (KEK). The KEK is split with Shamir's scheme over GF(2^128) — two
16-byte halves split with the same share indices — into n shares, and each share is
sealed to its custodian's passphrase (scrypt → AES-256-GCM). Any k shares restore the
KEK; a wrong, forged or foreign share yields a wrong KEK, which the private key's AEAD
tag rejects, so a bad share is never silently used.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from Crypto.Cipher import AES
from Crypto.IO import PKCS8
from Crypto.Protocol.KDF import scrypt
from Crypto.Protocol.SecretSharing import Shamir
from Crypto.PublicKey import RSA
from Crypto.Random import get_random_bytes
from Crypto.Util.asn1 import DerSequence
from flask_babel import lazy_gettext as _l

from app.core.crypto.container import RSA_BITS, canonical_json, public_key_sha256
from app.core.errors import ValidationError

SCRYPT_N = 2**17  # ≈0.7 s and 128 MB per unseal: slow for a guesser, fine for a custodian
SCRYPT_MIN_N = 2**10
SCRYPT_MAX_N = 2**20
MIN_PASSPHRASE = 8

REASONS: dict[str, Any] = {
    "bad_params": _l("开标密钥托管参数无效：须满足 1 ≤ k ≤ n ≤ 255，每位保管人口令至少 8 个字符。"),
    "wrong_passphrase": _l("口令错误，无法解开该密钥分片。"),
    "bad_blob": _l("密钥分片或加密私钥的数据格式无效。"),
    "foreign_share": _l("该密钥分片不属于本标段的开标密钥。"),
    "not_enough_shares": _l("密钥分片不足：至少需要 %(k)s 位保管人的分片，目前只有 %(have)s 份。"),
    "bad_share": _l("密钥分片无法恢复开标私钥：至少有一份分片错误或被伪造。"),
}


class CustodyError(ValidationError):
    code = "key_custody"

    def __init__(self, reason: str, **params: Any) -> None:
        template = REASONS.get(reason, REASONS["bad_blob"])
        message = template % params if params else template
        super().__init__(message, reason=reason)
        self.reason = reason


def _b64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise CustodyError("bad_blob")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise CustodyError("bad_blob") from exc


def _wipe(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0


@dataclass
class OpeningKey:
    public_pem: str
    key_sha256: str
    encrypted_private: str
    sealed_shares: list[str]
    k: int
    n: int
    # Only when make_opening_key generated the passphrases: show each one once, to its owner.
    passphrases: list[str] = field(default_factory=list, repr=False)


@dataclass
class Share:
    key_id: str
    index: int
    k: int
    n: int
    value: bytearray = field(repr=False)

    def wipe(self) -> None:
        _wipe(self.value)


class OpeningPrivateKey:
    """The restored private key, meant to live for one opening: use it as a context manager."""

    def __init__(self, key: RSA.RsaKey, key_sha256: str) -> None:
        self.key: RSA.RsaKey | None = key
        self.key_sha256 = key_sha256

    def wipe(self) -> None:
        # Python integers cannot be overwritten; dropping the only reference is what we can do.
        self.key = None

    def __enter__(self) -> OpeningPrivateKey:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wipe()


def _generated_passphrase() -> str:
    text = base64.b32encode(get_random_bytes(15)).decode("ascii")  # 120 bits
    return "-".join(text[i : i + 6] for i in range(0, 24, 6))


def _share_aad(meta: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in meta.items() if k not in ("nonce", "ct", "tag")})


def _seal_share(share: Share, passphrase: str, scrypt_n: int) -> str:
    salt = get_random_bytes(16)
    meta: dict[str, Any] = {
        "v": 1,
        "kid": share.key_id,
        "index": share.index,
        "k": share.k,
        "n": share.n,
        "kdf": "scrypt",
        "N": scrypt_n,
        "r": 8,
        "p": 1,
        "salt": _b64(salt),
    }
    kek = bytearray(scrypt(passphrase.encode("utf-8"), salt, 32, N=scrypt_n, r=8, p=1))  # type: ignore[arg-type]
    try:
        cipher = AES.new(bytes(kek), AES.MODE_GCM)
        cipher.update(_share_aad(meta))
        ct, tag = cipher.encrypt_and_digest(bytes(share.value))
    finally:
        _wipe(kek)
    meta.update(nonce=_b64(cipher.nonce), ct=_b64(ct), tag=_b64(tag))
    return canonical_json(meta).decode("utf-8")


def seal_share(share: Share, passphrase: str, *, scrypt_n: int = SCRYPT_N) -> str:
    """Seal one share to a passphrase (e.g. re-seal a presented share for safekeeping)."""
    if not SCRYPT_MIN_N <= scrypt_n <= SCRYPT_MAX_N or scrypt_n & (scrypt_n - 1):
        raise CustodyError("bad_params")
    return _seal_share(share, passphrase, scrypt_n)


def make_opening_key(
    custodians: Sequence[str] | int, k: int, n: int | None = None, *, scrypt_n: int = SCRYPT_N
) -> OpeningKey:
    """Create a lot's RSA-3072 opening key; return its public half and n sealed shares.

    ``custodians`` is either the custodians' passphrases (one share each) or a count, in
    which case a passphrase is generated per custodian and returned once.
    """
    if isinstance(custodians, int):
        passphrases = [_generated_passphrase() for _ in range(custodians)]
        generated = True
    else:
        passphrases = list(custodians)
        generated = False
    n = len(passphrases) if n is None else n
    if (
        not 1 <= k <= n <= 255
        or n != len(passphrases)
        or any(not isinstance(p, str) or len(p) < MIN_PASSPHRASE for p in passphrases)
        or not SCRYPT_MIN_N <= scrypt_n <= SCRYPT_MAX_N
    ):
        raise CustodyError("bad_params")

    rsa = RSA.generate(RSA_BITS)
    kid = public_key_sha256(rsa)
    kek = bytearray(get_random_bytes(32))
    der = bytearray(rsa.export_key(format="DER", pkcs=8))
    try:
        blob_meta: dict[str, Any] = {"v": 1, "alg": "A256GCM", "kid": kid, "k": k, "n": n}
        cipher = AES.new(bytes(kek), AES.MODE_GCM)
        cipher.update(canonical_json(blob_meta))
        ct, tag = cipher.encrypt_and_digest(bytes(der))
        blob_meta.update(nonce=_b64(cipher.nonce), ct=_b64(ct), tag=_b64(tag))
        low = Shamir.split(k, n, bytes(kek[:16]))
        high = Shamir.split(k, n, bytes(kek[16:]))
        sealed = []
        for (idx, lo), (idx2, hi), passphrase in zip(low, high, passphrases, strict=True):
            assert idx == idx2
            share = Share(kid, idx, k, n, bytearray(lo + hi))
            sealed.append(_seal_share(share, passphrase, scrypt_n))
            share.wipe()
    finally:
        _wipe(kek)
        _wipe(der)
    return OpeningKey(
        public_pem=rsa.public_key().export_key(format="PEM").decode("ascii"),
        key_sha256=kid,
        encrypted_private=canonical_json(blob_meta).decode("utf-8"),
        sealed_shares=sealed,
        k=k,
        n=n,
        passphrases=passphrases if generated else [],
    )


def _parse(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise CustodyError("bad_blob") from exc
    if not isinstance(data, dict) or data.get("v") != 1:
        raise CustodyError("bad_blob")
    return data


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CustodyError("bad_blob")
    return value


def unseal_share(sealed_share: str | bytes, passphrase: str) -> Share:
    """Open one custodian's share with their passphrase (a wrong one fails the AEAD tag)."""
    meta = _parse(sealed_share)
    cost = _int(meta, "N")
    if (
        meta.get("kdf") != "scrypt"
        or not SCRYPT_MIN_N <= cost <= SCRYPT_MAX_N
        or cost & (cost - 1)
        or meta.get("r") != 8
        or meta.get("p") != 1
        or not isinstance(meta.get("kid"), str)
    ):
        raise CustodyError("bad_blob")
    index, k, n = _int(meta, "index"), _int(meta, "k"), _int(meta, "n")
    salt, nonce, ct, tag = (_unb64(meta.get(x)) for x in ("salt", "nonce", "ct", "tag"))
    kek = bytearray(scrypt(passphrase.encode("utf-8"), salt, 32, N=cost, r=8, p=1))  # type: ignore[arg-type]
    try:
        cipher = AES.new(bytes(kek), AES.MODE_GCM, nonce=nonce)
        cipher.update(_share_aad(meta))
        value = bytearray(cipher.decrypt_and_verify(ct, tag))
    except ValueError as exc:
        raise CustodyError("wrong_passphrase") from exc
    finally:
        _wipe(kek)
    if len(value) != 32:
        raise CustodyError("bad_blob")
    return Share(meta["kid"], index, k, n, value)


def _import_authenticated_key(der: bytes) -> RSA.RsaKey:
    """Load the PKCS#8 private key that the KEK's GCM tag has just authenticated.

    RSA.import_key re-proves p and q prime (Miller-Rabin and Lucas on 1536-bit numbers,
    a noticeable pause at every opening call); the tag already shows these are exactly
    the bytes the key ceremony wrote, so that check is skipped.
    """
    try:
        _oid, private_der, _params = PKCS8.unwrap(der)
        seq = DerSequence().decode(private_der, nr_elements=9, only_ints_expected=True)
        n, e, d, p, q = (int(x) for x in seq[1:6])
        return RSA.construct((n, e, d, p, q), consistency_check=False)
    except (ValueError, IndexError, TypeError):
        return RSA.import_key(der)


def recover_private_key(
    encrypted_private: str | bytes, shares: Sequence[Share]
) -> OpeningPrivateKey:
    """Combine k or more unsealed shares and decrypt the opening private key into memory."""
    blob = _parse(encrypted_private)
    kid = blob.get("kid")
    k = _int(blob, "k")
    nonce, ct, tag = (_unb64(blob.get(x)) for x in ("nonce", "ct", "tag"))
    by_index: dict[int, Share] = {}
    for share in shares:
        if share.key_id != kid:
            raise CustodyError("foreign_share")
        by_index.setdefault(share.index, share)
    if len(by_index) < k:
        raise CustodyError("not_enough_shares", k=k, have=len(by_index))
    picked = list(by_index.values())
    kek = bytearray(32)
    der = bytearray()
    try:
        try:
            kek[:16] = Shamir.combine([(s.index, bytes(s.value[:16])) for s in picked])
            kek[16:] = Shamir.combine([(s.index, bytes(s.value[16:])) for s in picked])
        except (ValueError, TypeError) as exc:
            raise CustodyError("bad_share") from exc
        meta = {x: blob.get(x) for x in ("v", "alg", "kid", "k", "n")}
        cipher = AES.new(bytes(kek), AES.MODE_GCM, nonce=nonce)
        cipher.update(canonical_json(meta))
        try:
            der = bytearray(cipher.decrypt_and_verify(ct, tag))
        except ValueError as exc:
            raise CustodyError("bad_share") from exc
        key = _import_authenticated_key(bytes(der))
    finally:
        _wipe(kek)
        _wipe(der)
    return OpeningPrivateKey(key, public_key_sha256(key))
