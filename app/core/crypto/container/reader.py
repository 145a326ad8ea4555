"""Reading a container without its key: hashing, header, frames and the upload check.

Opening reads through the same reader and frame iterator, so a container that passes
``validate_structure`` at upload is framed exactly as the opening expects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from app.core.crypto.container.errors import ContainerError
from app.core.crypto.container.header import Header, check_header_fields
from app.core.crypto.container.layout import (
    FRAME,
    MAGIC,
    MAX_HEADER_BYTES,
    PREFIX,
    READ_BLOCK,
    TAG_LEN,
    VERSION,
)


class HashingReader:
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
            block = self.stream.read(min(left, READ_BLOCK))
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
        while block := self.stream.read(READ_BLOCK):
            self.digest.update(block)
            self.size += len(block)

    def _account(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise ContainerError("too_large", max_bytes=self.max_bytes)
        self.digest.update(data)
        if self.copy_to is not None:
            self.copy_to.write(data)


def read_header(reader: HashingReader) -> Header:
    try:
        prefix = reader.read_exact(PREFIX.size)
    except ContainerError as exc:
        raise ContainerError("bad_magic") from exc
    body = reader.read_exact(header_length(prefix))
    return parse_header(prefix, body)


def header_length(prefix: bytes) -> int:
    """The header's length from the container's fixed prefix, once magic and version check."""
    magic, version, length = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ContainerError("bad_magic")
    if version != VERSION:
        raise ContainerError("bad_version", version=version)
    if not 2 <= length <= MAX_HEADER_BYTES:
        raise ContainerError("bad_header", field="header_len")
    return length


def parse_header(prefix: bytes, body: bytes) -> Header:
    """The header from its prefix and JSON bytes, every field checked."""
    try:
        fields = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ContainerError("bad_header", field="json") from exc
    check_header_fields(fields)
    raw = prefix + body
    return Header(PREFIX.unpack(prefix)[1], fields, raw, hashlib.sha256(raw).digest())


def check_frame(header: Header, index: int, head: bytes) -> tuple[bool, int]:
    """(final, body length) of the frame expected at `index`, from its FRAME-sized head."""
    full = header.chunk_size + TAG_LEN
    got, final, length = FRAME.unpack(head)
    if got != index:
        raise ContainerError("chunk_order", expected=index, found=got)
    if final not in (0, 1):
        raise ContainerError("bad_frame", index=index)
    if (final == 0 and length != full) or (final == 1 and not TAG_LEN < length <= full):
        raise ContainerError("bad_frame", index=index)
    return bool(final), length


def read_frames(reader: HashingReader, header: Header) -> Iterator[tuple[int, bool, memoryview]]:
    """Yield (index, final, body) after checking everything checkable without a key.

    `body` is a view into one buffer reused for every frame (no per-chunk allocation or
    copy): it is valid only until the next frame is requested.
    """
    full = header.chunk_size + TAG_LEN
    buffer = memoryview(bytearray(full))
    index = 0
    while True:
        final, length = check_frame(header, index, reader.read_exact(FRAME.size))
        body = buffer[:length]
        reader.read_into(body)
        yield index, final, body
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
    return read_header(HashingReader(stream, None, None))


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
    reader = HashingReader(stream, max_bytes, copy_to)
    header = read_header(reader)
    check_binding(header, expected_lot, expected_bidder, expected_key_sha256)
    for _frame in read_frames(reader, header):
        pass
    return reader.digest.hexdigest(), reader.size


def check_binding(
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
