"""Sealed-bid container v1 ("THSB"): RSA-OAEP-SHA256 key wrap + chunked AES-256-GCM.

Byte layout (all integers big-endian; docs/sealed-bid-container.md is the reference):

    "THSB" | version u8 = 1 | header_len u32 | header JSON (UTF-8, canonical)
    frame*: index u64 | final u8 | length u32 | ciphertext || tag(16)

Chunk i is AES-256-GCM under the content key with nonce = 00000000 || u64(i) and
associated data = SHA-256(header bytes) || u64(i) || final, so a chunk cannot be moved,
dropped, re-flagged or spliced under another header. The plaintext is an archive:
u32 manifest_len | manifest JSON | each file's bytes in manifest order.

Everything streams: memory use is bounded by the chunk size, whatever the bid's size.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, BinaryIO

from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Random import get_random_bytes
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError

MAGIC = b"THSB"
VERSION = 1
KEY_WRAP = "RSA-OAEP-256"
CIPHER = "A256GCM"
RSA_BITS = 3072
TAG_LEN = 16
NONCE_PREFIX = b"\x00\x00\x00\x00"
PREFIX = struct.Struct(">4sBI")  # magic, version, header length
FRAME = struct.Struct(">QBI")  # chunk index, final flag, body length
MANIFEST_LEN = struct.Struct(">I")
DEFAULT_CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE = 64
MAX_CHUNK_SIZE = 8 * 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_FILES = 1000
_READ_BLOCK = 1024 * 1024

_PRICE_RE = re.compile(r"^(0|[1-9]\d{0,14})(\.\d{1,2})?$")
_BAD_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")

# reason code → (caused by the bidder?, user-facing message)
REASONS: dict[str, tuple[bool, Any]] = {
    "bad_magic": (True, _l("文件不是 Tender Hall 密封投标文件（文件头标识不符）。")),
    "bad_version": (True, _l("密封投标文件版本不受支持，仅支持第 1 版。")),
    "bad_header": (True, _l("密封投标文件头格式错误或字段缺失。")),
    "wrong_lot": (True, _l("密封投标文件不是为本标段生成的，请下载本标段的开标公钥重新加密。")),
    "wrong_bidder": (True, _l("密封投标文件中的投标人与当前投标单位不一致。")),
    "wrong_key": (True, _l("密封投标文件未使用本标段的开标公钥加密，无法解密。")),
    "too_large": (True, _l("密封投标文件超过允许的大小。")),
    "truncated": (True, _l("密封投标文件不完整（缺少结束分块或分块被截断），请重新上传。")),
    "chunk_order": (True, _l("密封投标文件的分块序号不连续（分块缺失或顺序被调换）。")),
    "bad_frame": (True, _l("密封投标文件的分块长度不符合格式要求。")),
    "trailing_data": (True, _l("密封投标文件在结束分块之后还有多余数据。")),
    "chunk_auth": (True, _l("密封投标文件的分块认证失败：文件已被篡改或与文件头不匹配。")),
    "bad_archive": (True, _l("解密后的投标文件清单或文件内容与清单不一致。")),
    "bad_price_form": (
        True,
        _l("开标一览表格式错误：总价须为以元为单位、最多两位小数的数字字符串。"),
    ),
    "bad_input": (True, _l("待加密的投标文件或开标一览表不符合要求。")),
    "key_unavailable": (False, _l("开标私钥不可用，无法解密（平台原因）。")),
    "storage": (False, _l("平台存储的密文与回执哈希不一致（平台原因）。")),
}


class ContainerError(ValidationError):
    """A sealed bid cannot be accepted or opened.

    ``bidder_fault`` decides the legal outcome at opening: True → 视为撤销 (revoked),
    False → 视为撤回 (retracted, the platform is at fault).
    """

    code = "sealed_bid_invalid"

    def __init__(self, reason: str, message: Any = None, **details: Any) -> None:
        bidder_fault, default = REASONS.get(reason, (False, _l("密封投标文件处理失败。")))
        super().__init__(message or default, reason=reason, **details)
        self.reason = reason
        self.bidder_fault = bidder_fault
        self.status = 422 if bidder_fault else 503

    @property
    def outcome(self) -> str:
        return "revoked" if self.bidder_fault else "retracted"


def canonical_json(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def public_key_sha256(key: RSA.RsaKey) -> str:
    """Fingerprint of an RSA public key: SHA-256 of its SubjectPublicKeyInfo DER."""
    return hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest()


def _load_public(public_key_pem: str | bytes) -> RSA.RsaKey:
    try:
        key = RSA.import_key(public_key_pem)
    except (ValueError, IndexError, TypeError) as exc:
        raise ContainerError(
            "bad_input", _l("开标公钥格式无效（应为 PEM 格式的 RSA 公钥）。")
        ) from exc
    if key.size_in_bits() != RSA_BITS:
        raise ContainerError("bad_input", _l("开标公钥须为 RSA-3072 密钥。"))
    return key.public_key()


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


@dataclass
class OpenedFile:
    name: str
    size: int
    sha256: str
    content_type: str
    path: Path | None = None


@dataclass
class OpenedBid:
    header: Header
    manifest: dict[str, Any]
    files: list[OpenedFile] = field(default_factory=list)
    ciphertext_sha256: str = ""
    ciphertext_size: int = 0

    @property
    def price_form(self) -> dict[str, Any]:
        return dict(self.manifest["price_form"])

    @property
    def total_price(self) -> Decimal:
        return Decimal(self.manifest["price_form"]["total_price"])


# ---------------------------------------------------------------- validation rules


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


def _check_name(name: Any, reason: str) -> str:
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


def _check_header_fields(fields: Any) -> None:
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


# ---------------------------------------------------------------- sealing


def _nonce(index: int) -> bytes:
    return NONCE_PREFIX + index.to_bytes(8, "big")


def _aad(header_sha256: bytes, index: int, final: bool) -> bytes:
    return header_sha256 + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _open_input(src: Any) -> tuple[IO[bytes], bool]:
    if isinstance(src, (str, os.PathLike)):
        return open(src, "rb"), True
    if not (hasattr(src, "seekable") and src.seekable()):
        raise ContainerError("bad_input", _l("待加密的文件流须可重新读取（seekable）。"))
    return src, False


def seal_stream(
    public_key_pem: str | bytes,
    header_fields: dict[str, Any],
    manifest: dict[str, Any],
    file_streams: Sequence[Any],
    out: BinaryIO,
    *,
    _content_key: bytes | None = None,
    _oaep_randfunc: Callable[[int], bytes] | None = None,
) -> Header:
    """Seal ``file_streams`` and the manifest's price form to the lot's opening key.

    Each file is read twice (hash, then encrypt), so streams must be seekable or paths.
    ``_content_key`` and ``_oaep_randfunc`` exist only for the published test vectors.
    """
    from app.core import clock

    key = _load_public(public_key_pem)
    if not isinstance(manifest, dict):
        raise ContainerError("bad_input")
    validate_price_form(manifest.get("price_form"))
    chunk_size = int(header_fields.get("chunk_size") or DEFAULT_CHUNK_SIZE)
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ContainerError("bad_input", _l("分块大小须在 64 字节到 8 MB 之间。"))
    if len(file_streams) > MAX_FILES:
        raise ContainerError("bad_input", _l("一份投标文件最多包含 1000 个文件。"))

    opened: list[tuple[str, IO[bytes], bool, int, str]] = []
    try:
        entries = []
        seen: set[str] = set()
        for item in file_streams:
            name, src = item[0], item[1]
            ctype = item[2] if len(item) > 2 and item[2] else "application/octet-stream"
            _check_name(name, "bad_input")
            if name in seen:
                raise ContainerError("bad_input", _l("投标文件中的文件名不能重复：%(n)s", n=name))
            seen.add(name)
            stream, owned = _open_input(src)
            start = stream.tell()
            opened.append((name, stream, owned, start, ctype))
            digest = hashlib.sha256()
            size = 0
            while block := stream.read(_READ_BLOCK):
                digest.update(block)
                size += len(block)
            stream.seek(start)
            entries.append(
                {"name": name, "size": size, "sha256": digest.hexdigest(), "content_type": ctype}
            )
        body = dict(manifest)
        body["version"] = 1
        body["files"] = entries
        manifest_bytes = canonical_json(body)
        if len(manifest_bytes) > MAX_MANIFEST_BYTES:
            raise ContainerError("bad_input", _l("投标文件清单过大。"))

        content_key = bytearray(_content_key if _content_key is not None else get_random_bytes(32))
        try:
            oaep = PKCS1_OAEP.new(key, hashAlgo=SHA256, randfunc=_oaep_randfunc)
            wrapped = oaep.encrypt(bytes(content_key))
            fields = {
                "lot_id": header_fields["lot_id"],
                "lot_code": header_fields["lot_code"],
                "bidder_org_id": header_fields.get("bidder_org_id"),
                "bidder_credit_code": header_fields["bidder_credit_code"],
                "chunk_size": chunk_size,
                "created_at": header_fields.get("created_at")
                or clock.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                "manifest_size": len(manifest_bytes),
                "content_types": sorted({e["content_type"] for e in entries}),
                "opening_key_sha256": public_key_sha256(key),
                "key_wrap": KEY_WRAP,
                "cipher": CIPHER,
                "wrapped_key": base64.b64encode(wrapped).decode("ascii"),
            }
            try:
                _check_header_fields(fields)
            except ContainerError as exc:
                raise ContainerError("bad_input", field=exc.field) from exc
            header_json = canonical_json(fields)
            raw = PREFIX.pack(MAGIC, VERSION, len(header_json)) + header_json
            header = Header(VERSION, fields, raw, hashlib.sha256(raw).digest())
            out.write(raw)

            def plaintext() -> Iterator[bytes]:
                yield MANIFEST_LEN.pack(len(manifest_bytes)) + manifest_bytes
                for (name, stream, _owned, _start, _ctype), entry in zip(
                    opened, entries, strict=True
                ):
                    digest = hashlib.sha256()
                    size = 0
                    while block := stream.read(_READ_BLOCK):
                        digest.update(block)
                        size += len(block)
                        yield block
                    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                        raise ContainerError(
                            "bad_input", _l("文件在加密过程中发生变化：%(n)s", n=name)
                        )

            _write_chunks(bytes(content_key), header.sha256, chunk_size, plaintext(), out)
        finally:
            for i in range(len(content_key)):
                content_key[i] = 0
        return header
    finally:
        for _name, stream, owned, _start, _ctype in opened:
            if owned:
                stream.close()


def _write_chunks(
    key: bytes, header_sha256: bytes, chunk_size: int, pieces: Iterator[bytes], out: BinaryIO
) -> None:
    def emit(index: int, data: bytes, final: bool) -> None:
        cipher = AES.new(key, AES.MODE_GCM, nonce=_nonce(index), mac_len=TAG_LEN)
        cipher.update(_aad(header_sha256, index, final))
        ct, tag = cipher.encrypt_and_digest(data)
        out.write(FRAME.pack(index, 1 if final else 0, len(ct) + TAG_LEN))
        out.write(ct)
        out.write(tag)

    buf = bytearray()
    index = 0
    pending: bytes | None = None  # a full chunk held back until we know whether it is last
    for piece in pieces:
        buf += piece
        while len(buf) >= chunk_size:
            if pending is not None:
                emit(index, pending, False)
                index += 1
            pending = bytes(buf[:chunk_size])
            del buf[:chunk_size]
    if buf:
        if pending is not None:
            emit(index, pending, False)
            index += 1
        emit(index, bytes(buf), True)
    elif pending is not None:
        emit(index, pending, True)
    else:  # pragma: no cover - the manifest length prefix makes the plaintext non-empty
        raise ContainerError("bad_input")


# ---------------------------------------------------------------- reading


class _HashingReader:
    """Reads a stream while hashing, counting, capping and optionally copying it."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None, copy_to: BinaryIO | None) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.copy_to = copy_to
        self.digest = hashlib.sha256()
        self.size = 0

    def read_exact(self, n: int) -> bytes:
        parts = []
        left = n
        while left > 0:
            block = self.stream.read(min(left, _READ_BLOCK))
            if not block:
                break
            parts.append(block)
            left -= len(block)
        data = b"".join(parts)
        self._account(data)
        if len(data) != n:
            raise ContainerError("truncated")
        return data

    def read_into(self, view: memoryview) -> None:
        """Fill `view` exactly from the stream without intermediate copies."""
        n = len(view)
        got = 0
        readinto = getattr(self.stream, "readinto", None)
        while got < n:
            if readinto is not None:
                k = readinto(view[got:]) or 0
            else:
                block = self.stream.read(n - got)
                k = len(block)
                view[got : got + k] = block
            if not k:
                break
            got += k
        self._account(view[:got])
        if got != n:
            raise ContainerError("truncated")

    def at_eof(self) -> bool:
        block = self.stream.read(1)
        if block:
            self._account(block)
            return False
        return True

    def drain(self) -> None:
        while block := self.stream.read(_READ_BLOCK):
            self.digest.update(block)
            self.size += len(block)

    def _account(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise ContainerError("too_large", max_bytes=self.max_bytes)
        self.digest.update(data)
        if self.copy_to is not None:
            self.copy_to.write(data)


def _read_header(reader: _HashingReader) -> Header:
    try:
        prefix = reader.read_exact(PREFIX.size)
    except ContainerError as exc:
        raise ContainerError("bad_magic") from exc
    magic, version, length = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ContainerError("bad_magic")
    if version != VERSION:
        raise ContainerError("bad_version", version=version)
    if not 2 <= length <= MAX_HEADER_BYTES:
        raise ContainerError("bad_header", field="header_len")
    body = reader.read_exact(length)
    try:
        fields = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ContainerError("bad_header", field="json") from exc
    _check_header_fields(fields)
    raw = prefix + body
    return Header(version, fields, raw, hashlib.sha256(raw).digest())


def _frames(reader: _HashingReader, header: Header) -> Iterator[tuple[int, bool, memoryview]]:
    """Yield (index, final, body) after checking everything checkable without a key.

    `body` is a view into one buffer reused for every frame (no per-chunk allocation or
    copy): it is valid only until the next frame is requested.
    """
    full = header.chunk_size + TAG_LEN
    buffer = memoryview(bytearray(full))
    index = 0
    while True:
        head = reader.read_exact(FRAME.size)
        got, final, length = FRAME.unpack(head)
        if got != index:
            raise ContainerError("chunk_order", expected=index, found=got)
        if final not in (0, 1):
            raise ContainerError("bad_frame", index=index)
        if (final == 0 and length != full) or (final == 1 and not TAG_LEN < length <= full):
            raise ContainerError("bad_frame", index=index)
        body = buffer[:length]
        reader.read_into(body)
        yield index, bool(final), body
        if final:
            if not reader.at_eof():
                raise ContainerError("trailing_data")
            return
        index += 1


def _match(expected: int | str | None, as_int: Any, as_str: Any) -> bool:
    if expected is None:
        return True
    if isinstance(expected, int) and not isinstance(expected, bool):
        return as_int == expected
    return as_str == str(expected)


def inspect_header(stream: BinaryIO) -> Header:
    """Read and check the header only; no key needed, the chunks are not read."""
    return _read_header(_HashingReader(stream, None, None))


def validate_structure(
    stream: BinaryIO,
    expected_lot: int | str | None,
    expected_bidder: int | str | None,
    max_bytes: int | None,
    *,
    expected_key_sha256: str | None = None,
    copy_to: BinaryIO | None = None,
) -> tuple[str, int]:
    """Check a container as the server can at upload, without the private key.

    Returns (SHA-256 hex of the whole container, size). ``copy_to`` receives every byte
    read, so the caller can store while validating in one pass.
    """
    reader = _HashingReader(stream, max_bytes, copy_to)
    header = _read_header(reader)
    _check_binding(header, expected_lot, expected_bidder, expected_key_sha256)
    for _frame in _frames(reader, header):
        pass
    return reader.digest.hexdigest(), reader.size


def _check_binding(
    header: Header,
    expected_lot: int | str | None,
    expected_bidder: int | str | None,
    expected_key_sha256: str | None,
) -> None:
    if not _match(expected_lot, header.lot_id, header.lot_code):
        raise ContainerError("wrong_lot")
    if not _match(expected_bidder, header.bidder_org_id, header.bidder_credit_code):
        raise ContainerError("wrong_bidder")
    if expected_key_sha256 is not None and header.opening_key_sha256 != expected_key_sha256:
        raise ContainerError("wrong_key")


# ---------------------------------------------------------------- opening


class _Plaintext:
    """File-like view over the authenticated chunk plaintexts.

    `view` hands out slices of the current chunk without copying; a slice is valid only
    until the next call, because the chunks are decrypted into one reused buffer.
    """

    def __init__(self, chunks: Iterator[memoryview]) -> None:
        self.chunks = chunks
        self.current = memoryview(b"")
        self.done = False

    def view(self, n: int) -> memoryview:
        while not len(self.current) and not self.done:
            try:
                self.current = next(self.chunks)
            except StopIteration:
                self.done = True
        out = self.current[:n]
        self.current = self.current[len(out) :]
        return out

    def read(self, n: int) -> bytes:
        parts = []
        left = n
        while left > 0:
            part = self.view(left)
            if not part:
                break
            parts.append(bytes(part))
            left -= len(part)
        return b"".join(parts)


def _private_key(private_key: Any) -> RSA.RsaKey:
    key = getattr(private_key, "key", private_key)
    if isinstance(key, RSA.RsaKey):
        if not key.has_private():
            raise ContainerError("key_unavailable")
        return key
    try:
        key = RSA.import_key(bytes(key))
    except (ValueError, IndexError, TypeError) as exc:
        raise ContainerError("key_unavailable") from exc
    if not key.has_private():
        raise ContainerError("key_unavailable")
    return key


def _check_manifest(manifest: Any) -> list[dict[str, Any]]:
    if not isinstance(manifest, dict) or manifest.get("version") != 1:
        raise ContainerError("bad_archive", field="manifest")
    validate_price_form(manifest.get("price_form"))
    files = manifest.get("files")
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise ContainerError("bad_archive", field="files")
    seen: set[str] = set()
    for entry in files:
        if not isinstance(entry, dict):
            raise ContainerError("bad_archive", field="files")
        name = _check_name(entry.get("name"), "bad_archive")
        if name in seen:
            raise ContainerError("bad_archive", field="files")
        seen.add(name)
        size, sha, ctype = entry.get("size"), entry.get("sha256"), entry.get("content_type")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ContainerError("bad_archive", field="size")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ContainerError("bad_archive", field="sha256")
        if not isinstance(ctype, str):
            raise ContainerError("bad_archive", field="content_type")
    return files


Sink = Callable[[OpenedFile], "IO[bytes] | None"]


def open_stream(
    private_key: Any,
    stream: BinaryIO,
    out: str | os.PathLike[str] | Sink | None,
    *,
    expected_lot: int | str | None = None,
    expected_bidder: int | str | None = None,
    expected_sha256: str | None = None,
) -> OpenedBid:
    """Decrypt a container, checking every chunk's tag, the framing and the manifest.

    ``out``: a directory (files appear there only if the whole bid opens), a callable
    returning a writable per file (the caller must discard what it got if this raises;
    its ``write`` gets a memoryview valid only during the call),
    or None to only hash. ``expected_sha256`` is the receipt's hash: if a failure comes
    with stored bytes that no longer match it, the platform is at fault, not the bidder.
    """
    reader = _HashingReader(stream, None, None)
    staging: Path | None = None
    try:
        try:
            header = _read_header(reader)
            _check_binding(header, expected_lot, expected_bidder, None)
            key = _private_key(private_key)
            if public_key_sha256(key) != header.opening_key_sha256:
                raise ContainerError("wrong_key")
            opened, staging = _decrypt(key, header, reader, out)
        except ContainerError as exc:
            if expected_sha256 is not None and exc.bidder_fault:
                reader.drain()
                if reader.digest.hexdigest() != expected_sha256:
                    raise ContainerError("storage") from exc
            raise
        if expected_sha256 is not None and reader.digest.hexdigest() != expected_sha256:
            raise ContainerError("storage")
        opened.ciphertext_sha256 = reader.digest.hexdigest()
        opened.ciphertext_size = reader.size
        if staging is not None:
            target = Path(out)  # type: ignore[arg-type]
            for f in opened.files:
                final = target / f.name
                os.replace(staging / f.name, final)
                f.path = final
        return opened
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _decrypt(
    key: RSA.RsaKey, header: Header, reader: _HashingReader, out: Any
) -> tuple[OpenedBid, Path | None]:
    try:
        content_key = bytearray(PKCS1_OAEP.new(key, hashAlgo=SHA256).decrypt(header.wrapped_key))
    except (ValueError, TypeError) as exc:
        raise ContainerError("wrong_key") from exc
    if len(content_key) != 32:
        raise ContainerError("wrong_key")

    def chunks() -> Iterator[memoryview]:
        aes_key = bytes(content_key)
        # Decrypted in place into one buffer; a chunk is handed out only once its tag holds.
        output = memoryview(bytearray(header.chunk_size))
        for index, final, body in _frames(reader, header):
            cipher = AES.new(aes_key, AES.MODE_GCM, nonce=_nonce(index), mac_len=TAG_LEN)
            cipher.update(_aad(header.sha256, index, final))
            n = len(body) - TAG_LEN
            try:
                cipher.decrypt_and_verify(body[:n], body[n:], output=output[:n])
            except ValueError as exc:
                raise ContainerError("chunk_auth", index=index) from exc
            yield output[:n]

    staging: Path | None = None
    try:
        plain = _Plaintext(chunks())
        head = plain.read(MANIFEST_LEN.size)
        if len(head) != MANIFEST_LEN.size:
            raise ContainerError("bad_archive")
        (mlen,) = MANIFEST_LEN.unpack(head)
        if mlen > MAX_MANIFEST_BYTES or mlen != header.manifest_size:
            raise ContainerError("bad_archive", field="manifest_size")
        try:
            manifest = json.loads(plain.read(mlen).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ContainerError("bad_archive", field="manifest") from exc
        entries = _check_manifest(manifest)
        if out is not None and not callable(out):
            Path(out).mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".opening-", dir=out))
        result = OpenedBid(header=header, manifest=manifest)
        for entry in entries:
            info = OpenedFile(entry["name"], entry["size"], "", entry["content_type"])
            sink: IO[bytes] | None
            if staging is not None:
                sink = open(staging / info.name, "wb")  # noqa: SIM115 (closed below)
            elif out is not None:
                sink = out(info)
            else:
                sink = None
            digest = hashlib.sha256()
            left = info.size
            try:
                while left > 0:
                    block = plain.view(left)
                    if not block:
                        raise ContainerError("bad_archive", field="size")
                    left -= len(block)
                    digest.update(block)
                    if sink is not None:
                        sink.write(block)
            finally:
                if sink is not None and staging is not None:
                    sink.close()
            info.sha256 = digest.hexdigest()
            if info.sha256 != entry["sha256"]:
                raise ContainerError("bad_archive", field="sha256", name=info.name)
            result.files.append(info)
        if plain.read(1):
            raise ContainerError("bad_archive", field="trailing")
        return result, staging
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for i in range(len(content_key)):
            content_key[i] = 0
