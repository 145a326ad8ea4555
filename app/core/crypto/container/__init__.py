"""Sealed-bid container v1 ("THSB"): RSA-OAEP-SHA256 key wrap + chunked AES-256-GCM.

Byte layout (all integers big-endian; docs/sealed-bid-container.md is the reference):

    "THSB" | version u8 = 1 | header_len u32 | header JSON (UTF-8, canonical)
    frame*: index u64 | final u8 | length u32 | ciphertext || tag(16)

Chunk i is AES-256-GCM under the content key with nonce = 00000000 || u64(i) and
associated data = SHA-256(header bytes) || u64(i) || final, so a chunk cannot be moved,
dropped, re-flagged or spliced under another header. The plaintext is an archive:
u32 manifest_len | manifest JSON | each file's bytes in manifest order.

Everything streams: memory use is bounded by the chunk size, whatever the bid's size.

Modules: ``layout`` (sizes, limits, chunk nonce and AAD), ``errors`` (``ContainerError``
and its reasons), ``header`` (``Header``, canonical JSON, key fingerprint, header, name and
price-form rules), ``reader`` (hashing reader, frames, ``inspect_header``,
``validate_structure``), ``incremental`` (``StructureCheck``: the same checks fed chunk
by chunk), ``sealing`` (``seal_stream``), ``opening`` (``open_stream``).
"""

from __future__ import annotations

# The documented API (app/core/crypto/__init__.py) and the names other code and the test
# vectors import from here; the remaining constants and rules live in their own module.
from app.core.crypto.container.errors import ContainerError
from app.core.crypto.container.header import Header, canonical_json, public_key_sha256
from app.core.crypto.container.incremental import StructureCheck
from app.core.crypto.container.layout import DEFAULT_CHUNK_SIZE, FRAME, PREFIX, RSA_BITS
from app.core.crypto.container.opening import OpenedBid, OpenedFile, open_stream
from app.core.crypto.container.reader import check_binding, inspect_header, validate_structure
from app.core.crypto.container.sealing import seal_stream

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FRAME",
    "PREFIX",
    "RSA_BITS",
    "ContainerError",
    "Header",
    "OpenedBid",
    "OpenedFile",
    "StructureCheck",
    "canonical_json",
    "check_binding",
    "inspect_header",
    "open_stream",
    "public_key_sha256",
    "seal_stream",
    "validate_structure",
]
