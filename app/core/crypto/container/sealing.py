"""Sealing: wrap a fresh content key to the lot's opening key and write the chunks."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, BinaryIO

from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Random import get_random_bytes
from flask_babel import lazy_gettext as _l

from app.core.crypto.container.errors import ContainerError
from app.core.crypto.container.header import (
    Header,
    canonical_json,
    check_header_fields,
    check_name,
    public_key_sha256,
    validate_price_form,
)
from app.core.crypto.container.layout import (
    CIPHER,
    DEFAULT_CHUNK_SIZE,
    FRAME,
    KEY_WRAP,
    MAGIC,
    MANIFEST_LEN,
    MAX_CHUNK_SIZE,
    MAX_FILES,
    MAX_MANIFEST_BYTES,
    MIN_CHUNK_SIZE,
    PREFIX,
    READ_BLOCK,
    RSA_BITS,
    TAG_LEN,
    VERSION,
    chunk_aad,
    chunk_nonce,
)


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
            check_name(name, "bad_input")
            if name in seen:
                raise ContainerError("bad_input", _l("投标文件中的文件名不能重复：%(n)s", n=name))
            seen.add(name)
            stream, owned = _open_input(src)
            start = stream.tell()
            opened.append((name, stream, owned, start, ctype))
            digest = hashlib.sha256()
            size = 0
            while block := stream.read(READ_BLOCK):
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
                check_header_fields(fields)
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
                    while block := stream.read(READ_BLOCK):
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
        cipher = AES.new(key, AES.MODE_GCM, nonce=chunk_nonce(index), mac_len=TAG_LEN)
        cipher.update(chunk_aad(header_sha256, index, final))
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
