"""Opening: unwrap the content key, authenticate every chunk, unpack the archive."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, BinaryIO

from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA

from app.core.crypto.container.errors import ContainerError
from app.core.crypto.container.header import (
    Header,
    check_name,
    public_key_sha256,
    validate_price_form,
)
from app.core.crypto.container.layout import (
    MANIFEST_LEN,
    MAX_FILES,
    MAX_MANIFEST_BYTES,
    TAG_LEN,
    chunk_aad,
    chunk_nonce,
)
from app.core.crypto.container.reader import (
    HashingReader,
    check_binding,
    read_frames,
    read_header,
)


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
        name = check_name(entry.get("name"), "bad_archive")
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
    hash_files: bool = True,
) -> OpenedBid:
    """Decrypt a container, checking every chunk's tag, the framing and the manifest.

    ``hash_files=False`` skips the SHA-256 of each plaintext file against the manifest:
    every byte is still authenticated (the chunk tags cover the manifest and the files
    under the header hash), each ``OpenedFile.sha256`` is then the manifest's declared
    hash, and a caller that needs the files' own hashes computes them later (the sink
    receives every byte).

    ``out``: a directory (files appear there only if the whole bid opens), a callable
    returning a writable per file (the caller must discard what it got if this raises;
    its ``write`` gets a memoryview valid only during the call),
    or None to only hash. ``expected_sha256`` is the receipt's hash: if a failure comes
    with stored bytes that no longer match it, the platform is at fault, not the bidder.
    """
    reader = HashingReader(stream, None, None)
    staging: Path | None = None
    try:
        try:
            header = read_header(reader)
            check_binding(header, expected_lot, expected_bidder, None)
            key = _private_key(private_key)
            if public_key_sha256(key) != header.opening_key_sha256:
                raise ContainerError("wrong_key")
            opened, staging = _decrypt(key, header, reader, out, hash_files)
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
    key: RSA.RsaKey, header: Header, reader: HashingReader, out: Any, hash_files: bool = True
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
        for index, final, body in read_frames(reader, header):
            cipher = AES.new(aes_key, AES.MODE_GCM, nonce=chunk_nonce(index), mac_len=TAG_LEN)
            cipher.update(chunk_aad(header.sha256, index, final))
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
            digest = hashlib.sha256() if hash_files else None
            left = info.size
            try:
                while left > 0:
                    block = plain.view(left)
                    if not block:
                        raise ContainerError("bad_archive", field="size")
                    left -= len(block)
                    if digest is not None:
                        digest.update(block)
                    if sink is not None:
                        sink.write(block)
            finally:
                if sink is not None and staging is not None:
                    sink.close()
            info.sha256 = digest.hexdigest() if digest is not None else entry["sha256"]
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
