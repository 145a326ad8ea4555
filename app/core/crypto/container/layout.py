"""Byte layout of the sealed-bid container v1: sizes, limits and per-chunk inputs.

Sealing and opening both derive a chunk's nonce and associated data from here, so the two
sides cannot drift apart.
"""

from __future__ import annotations

import struct

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
READ_BLOCK = 1024 * 1024


def chunk_nonce(index: int) -> bytes:
    return NONCE_PREFIX + index.to_bytes(8, "big")


def chunk_aad(header_sha256: bytes, index: int, final: bool) -> bytes:
    return header_sha256 + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")
