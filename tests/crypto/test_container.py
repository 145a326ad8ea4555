"""Sealed-bid container v1: round trips and every way of tampering with one."""

from __future__ import annotations

import base64
import io
import os
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from Crypto.Cipher import PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA

from app.core.crypto.container import (
    FRAME,
    PREFIX,
    ContainerError,
    OpenedFile,
    canonical_json,
    inspect_header,
    open_stream,
    public_key_sha256,
    seal_stream,
    validate_structure,
)
from app.core.crypto.custody import recover_private_key, unseal_share
from tests.crypto.vectors import vector_private_pem

LOT, CODE, ORG, CREDIT = 42, "CZ2026-0042-01", 7, "91150900MA0N000X7Q"
PRICE = {"total_price": "1234567.89", "duration_days": 90, "quality": "合格"}


@pytest.fixture(scope="module")
def key() -> RSA.RsaKey:
    return RSA.import_key(vector_private_pem())


def seal(
    key: RSA.RsaKey,
    *,
    lot: int = LOT,
    chunk_size: int = 64,
    files: Any = None,
    price: dict[str, Any] | None = None,
) -> bytes:
    out = io.BytesIO()
    if files is None:
        files = [
            ("技术标.txt", io.BytesIO("技术方案".encode() * 40), "text/plain"),
            ("报价.bin", io.BytesIO(os.urandom(300))),
        ]
    seal_stream(
        key.public_key().export_key(),
        {
            "lot_id": lot,
            "lot_code": f"CZ2026-{lot:04d}-01",
            "bidder_org_id": ORG,
            "bidder_credit_code": CREDIT,
            "chunk_size": chunk_size,
        },
        {"price_form": price or PRICE, "lot_fields": {"交货地点": "赤峰"}},
        files,
        out,
    )
    return out.getvalue()


def split(data: bytes) -> tuple[bytes, list[bytes]]:
    """Cut a container into its header and its whole frames."""
    (length,) = struct.unpack_from(">I", data, 5)
    pos = PREFIX.size + length
    header, frames = data[:pos], []
    while pos < len(data):
        _i, _f, n = FRAME.unpack_from(data, pos)
        frames.append(data[pos : pos + FRAME.size + n])
        pos += FRAME.size + n
    return header, frames


def renumber(frame: bytes, index: int, final: int | None = None) -> bytes:
    _i, f, n = FRAME.unpack_from(frame)
    return FRAME.pack(index, f if final is None else final, n) + frame[FRAME.size :]


def reason_of_validate(data: bytes, **kw: Any) -> str:
    with pytest.raises(ContainerError) as exc:
        validate_structure(
            io.BytesIO(data),
            kw.get("lot", LOT),
            kw.get("bidder", CREDIT),
            kw.get("max_bytes", 10**7),
            expected_key_sha256=kw.get("key_sha256"),
        )
    return exc.value.reason


def reason_of_open(key: RSA.RsaKey, data: bytes, **kw: Any) -> str:
    with pytest.raises(ContainerError) as exc:
        open_stream(key, io.BytesIO(data), None, **kw)
    return exc.value.reason


def test_sealed_bid_round_trips_files_and_price_form(key: RSA.RsaKey, tmp_path: Path) -> None:
    data = seal(key)
    sha, size = validate_structure(
        io.BytesIO(data), LOT, CREDIT, 10**6, expected_key_sha256=public_key_sha256(key)
    )
    assert size == len(data)
    opened = open_stream(key, io.BytesIO(data), tmp_path / "out", expected_sha256=sha)
    assert opened.price_form == PRICE
    assert str(opened.total_price) == "1234567.89"
    assert opened.manifest["lot_fields"] == {"交货地点": "赤峰"}
    assert [f.name for f in opened.files] == ["技术标.txt", "报价.bin"]
    assert (tmp_path / "out" / "技术标.txt").read_bytes() == "技术方案".encode() * 40
    assert opened.files[1].content_type == "application/octet-stream"
    assert opened.ciphertext_sha256 == sha
    assert [p.name for p in (tmp_path / "out").iterdir()] != []
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".opening-")]


def test_opening_into_a_callback_streams_each_file(key: RSA.RsaKey) -> None:
    sinks: dict[str, io.BytesIO] = {}

    def sink(info: OpenedFile) -> io.BytesIO:
        sinks[info.name] = io.BytesIO()
        return sinks[info.name]

    payload = os.urandom(1000)
    opened = open_stream(
        key, io.BytesIO(seal(key, files=[("a.pdf", io.BytesIO(payload), "application/pdf")])), sink
    )
    assert sinks["a.pdf"].getvalue() == payload
    assert opened.files[0].content_type == "application/pdf"


def test_header_is_readable_without_any_key(key: RSA.RsaKey) -> None:
    header = inspect_header(io.BytesIO(seal(key)))
    assert (header.lot_id, header.lot_code, header.bidder_credit_code) == (
        LOT,
        "CZ2026-0042-01",
        CREDIT,
    )
    assert header.bidder_org_id == ORG
    assert len(header.wrapped_key) == 384
    assert header.opening_key_sha256 == public_key_sha256(key)
    assert "wrapped_key" not in header.summary()
    assert header.content_types == ["application/octet-stream", "text/plain"]


def test_container_without_final_chunk_is_truncated(key: RSA.RsaKey) -> None:
    header, frames = split(seal(key))
    assert reason_of_validate(header + b"".join(frames[:-1])) == "truncated"
    assert reason_of_validate(seal(key)[:-5]) == "truncated"
    assert reason_of_open(key, header + b"".join(frames[:-1])) == "truncated"


def test_last_chunk_reflagged_as_final_fails_authentication(key: RSA.RsaKey) -> None:
    header, frames = split(seal(key))
    forged = header + b"".join(frames[:-2]) + renumber(frames[-2], len(frames) - 2, final=1)
    validate_structure(io.BytesIO(forged), LOT, CREDIT, 10**6)  # framing alone looks fine
    assert reason_of_open(key, forged) == "chunk_auth"


def test_reordered_chunks_are_detected(key: RSA.RsaKey) -> None:
    header, frames = split(seal(key))
    swapped = [frames[0], frames[2], frames[1], *frames[3:]]
    assert reason_of_validate(header + b"".join(swapped)) == "chunk_order"
    renumbered = [renumber(f, i) for i, f in enumerate(swapped)]
    data = header + b"".join(renumbered)
    validate_structure(io.BytesIO(data), LOT, CREDIT, 10**6)
    assert reason_of_open(key, data) == "chunk_auth"


def test_dropped_chunk_is_detected(key: RSA.RsaKey) -> None:
    header, frames = split(seal(key))
    dropped = [frames[0], *frames[2:]]
    assert reason_of_validate(header + b"".join(dropped)) == "chunk_order"
    renumbered = header + b"".join(renumber(f, i) for i, f in enumerate(dropped))
    assert reason_of_open(key, renumbered) == "chunk_auth"


def test_flipped_bit_in_a_chunk_fails_authentication(key: RSA.RsaKey) -> None:
    data = bytearray(seal(key))
    data[-1] ^= 0x01
    validate_structure(io.BytesIO(bytes(data)), LOT, CREDIT, 10**6)
    err = pytest.raises(ContainerError, open_stream, key, io.BytesIO(bytes(data)), None)
    assert err.value.reason == "chunk_auth"
    assert err.value.bidder_fault and err.value.outcome == "revoked"


def test_flipped_bit_in_header_is_detected(key: RSA.RsaKey) -> None:
    data = seal(key)
    header, frames = split(data)
    assert reason_of_validate(b"THSC" + data[4:]) == "bad_magic"
    assert reason_of_validate(data[:4] + b"\x02" + data[5:]) == "bad_version"
    # A header that still parses but says something else no longer matches the chunks' AAD.
    edited = header.replace(b'"created_at":"20', b'"created_at":"19')
    assert edited != header
    assert reason_of_open(key, edited + b"".join(frames)) == "chunk_auth"
    broken = bytearray(data)
    broken[PREFIX.size + 3] ^= 0x40
    assert reason_of_validate(bytes(broken)) == "bad_header"


def test_bid_for_another_lot_is_refused(key: RSA.RsaKey) -> None:
    data = seal(key)
    assert reason_of_validate(data, lot=43) == "wrong_lot"
    assert reason_of_validate(data, lot="CZ2026-0043-01") == "wrong_lot"
    validate_structure(io.BytesIO(data), "CZ2026-0042-01", ORG, 10**6)
    assert reason_of_open(key, data, expected_lot=43) == "wrong_lot"


def test_bid_for_another_bidder_is_refused(key: RSA.RsaKey) -> None:
    data = seal(key)
    assert reason_of_validate(data, bidder="91110000000000000X") == "wrong_bidder"
    assert reason_of_validate(data, bidder=8) == "wrong_bidder"


def test_header_of_another_lot_spliced_onto_chunks_fails_authentication(key: RSA.RsaKey) -> None:
    header42, frames42 = split(seal(key))
    header43, _ = split(seal(key, lot=43))
    spliced = header43 + b"".join(frames42)
    assert reason_of_validate(spliced) == "wrong_lot"
    assert reason_of_open(key, spliced) == "chunk_auth"


def test_rekeyed_header_fails_authentication(key: RSA.RsaKey) -> None:
    import json

    header, frames = split(seal(key))
    fields = json.loads(header[PREFIX.size :])
    other = PKCS1_OAEP.new(key.public_key(), hashAlgo=SHA256).encrypt(os.urandom(32))
    fields["wrapped_key"] = base64.b64encode(other).decode()
    body = canonical_json(fields)
    rekeyed = PREFIX.pack(b"THSB", 1, len(body)) + body + b"".join(frames)
    validate_structure(io.BytesIO(rekeyed), LOT, CREDIT, 10**6)
    assert reason_of_open(key, rekeyed) == "chunk_auth"


def test_bid_sealed_to_another_key_is_the_bidders_fault(
    key: RSA.RsaKey, opening_key: Any, custody_passphrases: list[str]
) -> None:
    data = seal(key)
    shares = [
        unseal_share(s, p)
        for s, p in zip(opening_key.sealed_shares[:3], custody_passphrases[:3], strict=True)
    ]
    with (
        recover_private_key(opening_key.encrypted_private, shares) as other,
        pytest.raises(ContainerError) as exc,
    ):
        open_stream(other, io.BytesIO(data), None)
    assert exc.value.reason == "wrong_key" and exc.value.outcome == "revoked"
    assert reason_of_validate(data, key_sha256=opening_key.key_sha256) == "wrong_key"


def test_wiped_private_key_is_a_platform_fault(
    key: RSA.RsaKey, opening_key: Any, custody_passphrases: list[str]
) -> None:
    shares = [
        unseal_share(s, p)
        for s, p in zip(opening_key.sealed_shares[2:], custody_passphrases[2:], strict=True)
    ]
    handle = recover_private_key(opening_key.encrypted_private, shares)
    handle.wipe()
    with pytest.raises(ContainerError) as exc:
        open_stream(handle, io.BytesIO(seal(key)), None)
    assert exc.value.reason == "key_unavailable" and exc.value.outcome == "retracted"


def test_trailing_bytes_after_final_chunk_are_refused(key: RSA.RsaKey) -> None:
    assert reason_of_validate(seal(key) + b"\x00") == "trailing_data"


def test_oversized_container_is_refused(key: RSA.RsaKey) -> None:
    assert reason_of_validate(seal(key), max_bytes=500) == "too_large"


def test_bad_frame_length_is_refused(key: RSA.RsaKey) -> None:
    header, frames = split(seal(key))
    i, f, n = FRAME.unpack_from(frames[0])
    short = FRAME.pack(i, f, n - 1) + frames[0][FRAME.size : -1]
    assert reason_of_validate(header + short + b"".join(frames[1:])) == "bad_frame"


def test_stored_ciphertext_not_matching_the_receipt_is_a_platform_fault(key: RSA.RsaKey) -> None:
    data = seal(key)
    sha, _ = validate_structure(io.BytesIO(data), LOT, CREDIT, 10**6)
    damaged = bytearray(data)
    damaged[-1] ^= 0xFF
    with pytest.raises(ContainerError) as exc:
        open_stream(key, io.BytesIO(bytes(damaged)), None, expected_sha256=sha)
    assert exc.value.reason == "storage" and not exc.value.bidder_fault
    assert exc.value.status == 503


def test_failed_opening_leaves_no_files(key: RSA.RsaKey, tmp_path: Path) -> None:
    header, frames = split(seal(key))
    with pytest.raises(ContainerError):
        open_stream(key, io.BytesIO(header + b"".join(frames[:-1])), tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("price", ["1,000.00", "12.345", "-1", "", "1e6", "NaN", 100])
def test_price_form_total_must_be_a_decimal_string_in_yuan(key: RSA.RsaKey, price: Any) -> None:
    with pytest.raises(ContainerError) as exc:
        seal(key, price={"total_price": price})
    assert exc.value.reason == "bad_price_form"
    assert "总价" in str(exc.value.message)


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "..", "x\x00y"])
def test_file_names_cannot_escape_the_opening_folder(key: RSA.RsaKey, name: str) -> None:
    with pytest.raises(ContainerError) as exc:
        seal(key, files=[(name, io.BytesIO(b"x"))])
    assert exc.value.reason == "bad_input"


def test_duplicate_file_names_are_refused(key: RSA.RsaKey) -> None:
    with pytest.raises(ContainerError):
        seal(key, files=[("a", io.BytesIO(b"x")), ("a", io.BytesIO(b"y"))])


def test_only_rsa_3072_opening_keys_are_accepted() -> None:
    small = RSA.generate(1024)
    with pytest.raises(ContainerError) as exc:
        seal(small)
    assert "RSA-3072" in str(exc.value.message)


def test_twenty_megabyte_bid_seals_and_opens_in_bounded_memory(
    key: RSA.RsaKey, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    with open(source, "wb") as fh:
        for _ in range(20):
            fh.write(os.urandom(1024 * 1024))
    sealed = tmp_path / "big.thsb"
    tracemalloc.start()
    try:
        with open(sealed, "wb") as out:
            seal_stream(
                key.public_key().export_key(),
                {"lot_id": LOT, "lot_code": CODE, "bidder_credit_code": CREDIT},
                {"price_form": PRICE},
                [("big.bin", source, "application/pdf")],
                out,
            )
        _, seal_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open(sealed, "rb") as fh:
            opened = open_stream(key, fh, tmp_path / "opened")
        _, open_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sealed.stat().st_size > 20 * 1024 * 1024
    assert (tmp_path / "opened" / "big.bin").read_bytes() == source.read_bytes()
    assert opened.files[0].size == 20 * 1024 * 1024
    # A few 1 MiB chunks in flight at most, never the 20 MiB bid.
    assert seal_peak < 8 * 1024 * 1024
    assert open_peak < 8 * 1024 * 1024
