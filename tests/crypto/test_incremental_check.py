"""The chunk-by-chunk upload check agrees with validate_structure on every container."""

from __future__ import annotations

import hashlib
import io

import pytest
from Crypto.PublicKey import RSA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.crypto.container import ContainerError, StructureCheck, validate_structure
from tests.crypto.test_container import CREDIT, LOT, key, seal, split  # noqa: F401


@pytest.fixture(scope="module")
def sealed(key: RSA.RsaKey) -> bytes:  # noqa: F811
    return seal(key, chunk_size=64)


def whole_verdict(data: bytes) -> tuple[str, int] | None:
    try:
        return validate_structure(io.BytesIO(data), None, None, None)
    except ContainerError:
        return None


def fed(data: bytes, cuts: list[int]) -> StructureCheck:
    check = StructureCheck()
    last = 0
    for cut in sorted({min(c, len(data)) for c in cuts}) + [len(data)]:
        check.feed(memoryview(data)[last:cut])
        last = cut
    return check


@st.composite
def variant(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["same", "cut", "extra", "flip", "drop", "swap"]))
    header, frames = split(data)
    if kind == "cut":
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "extra":
        return data + draw(st.binary(min_size=1, max_size=40))
    if kind == "flip":
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "drop":
        i = draw(st.integers(0, len(frames) - 1))
        return header + b"".join(frames[:i] + frames[i + 1 :])
    if kind == "swap":
        i = draw(st.integers(0, len(frames) - 2))
        frames[i], frames[i + 1] = frames[i + 1], frames[i]
        return header + b"".join(frames)
    return data


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_check_fed_in_any_pieces_passes_exactly_what_validate_structure_passes(
    sealed: bytes, data: st.DataObject
) -> None:
    container = data.draw(variant(sealed))
    cuts = data.draw(st.lists(st.integers(0, len(container)), max_size=12))
    check = fed(container, cuts)
    verdict = whole_verdict(container)
    assert check.passed == (verdict is not None)
    assert check.size == len(container)
    assert check.sha256 == hashlib.sha256(container).hexdigest()
    if verdict is not None:
        assert (check.sha256, check.size) == verdict


def test_a_copy_moves_on_alone(sealed: bytes) -> None:
    check = StructureCheck()
    half = len(sealed) // 2
    check.feed(sealed[:half])
    twin = check.copy()
    twin.feed(sealed[half:])
    assert twin.passed and not check.passed
    assert check.size == half
    check.feed(sealed[half:])
    assert check.passed and check.sha256 == twin.sha256


def test_the_header_is_read_for_the_binding_checks(sealed: bytes) -> None:
    check = fed(sealed, [3, 10, 200])
    assert check.header is not None
    assert check.header.lot_id == LOT and check.header.bidder_credit_code == CREDIT
