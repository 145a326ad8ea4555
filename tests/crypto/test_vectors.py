"""The published container vectors: the Python sealer writes them byte for byte and opens them."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from Crypto.PublicKey import RSA

from app.core.crypto.container import FRAME, PREFIX, open_stream, seal_stream, validate_structure
from tests.crypto.vectors import CONTAINER_VECTORS, file_bytes, load, vector_private_pem


def oaep_stream(label: bytes):  # the generator's documented padding source
    counter, pool = 0, b""

    def randfunc(n: int) -> bytes:
        nonlocal counter, pool
        while len(pool) < n:
            pool += hashlib.sha256(label + counter.to_bytes(4, "big")).digest()
            counter += 1
        out, pool = pool[:n], pool[n:]
        return out

    return randfunc


@pytest.mark.parametrize("name", CONTAINER_VECTORS)
def test_python_sealer_reproduces_the_vector_bytes(name: str) -> None:
    v = load(name)
    out = io.BytesIO()
    header = seal_stream(
        v["rsa_public_key_pem"],
        v["header_fields"],
        v["manifest_in"],
        [(f["name"], io.BytesIO(file_bytes(f)), f["content_type"]) for f in v["files"]],
        out,
        _content_key=bytes.fromhex(v["content_key_hex"]),
        _oaep_randfunc=oaep_stream(v["oaep_random_label"].encode()),
    )
    data = out.getvalue()
    assert header.raw[PREFIX.size :].decode() == v["expected"]["header_json"]
    assert header.sha256_hex == v["expected"]["header_sha256"]
    assert data == base64.b64decode(v["expected"]["container_b64"])
    assert hashlib.sha256(data).hexdigest() == v["expected"]["container_sha256"]


@pytest.mark.parametrize("name", CONTAINER_VECTORS)
def test_vector_chunks_are_the_framed_ciphertexts(name: str) -> None:
    v = load(name)
    data = base64.b64decode(v["expected"]["container_b64"])
    pos = PREFIX.size + len(v["expected"]["header_json"].encode())
    for chunk in v["expected"]["chunks"]:
        index, final, length = FRAME.unpack_from(data, pos)
        assert (index, bool(final)) == (chunk["index"], chunk["final"])
        assert data[pos + FRAME.size : pos + FRAME.size + length].hex() == chunk["ciphertext_hex"]
        pos += FRAME.size + length
    assert pos == len(data)
    assert v["expected"]["chunks"][-1]["final"]


@pytest.mark.parametrize("name", CONTAINER_VECTORS)
def test_vector_opens_to_its_manifest(name: str) -> None:
    v = load(name)
    data = base64.b64decode(v["expected"]["container_b64"])
    sha, size = validate_structure(io.BytesIO(data), 42, "91150900MA0N000X7Q", None)
    assert (sha, size) == (v["expected"]["container_sha256"], v["expected"]["container_size"])
    opened = open_stream(RSA.import_key(vector_private_pem()), io.BytesIO(data), None)
    assert opened.manifest == v["expected"]["manifest"]
