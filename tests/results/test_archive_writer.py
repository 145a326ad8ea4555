"""The package writer: every byte lands in order whatever the sizes of the writes (across
its buffer, with a tail that is not a whole block), its SHA-256 is that of the file, and a
file system that refuses direct I/O (tmpfs) is written the ordinary way."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from app.archive.writer import BUFFER, PackageFile


def _write_pieces(path: Path) -> tuple[bytes, PackageFile]:
    rng = random.Random(7)
    sizes = [1, 4095, 4097, BUFFER - 3, 3, 2 * BUFFER + 11, 30, 0, 513]
    data = b"".join(rng.randbytes(n) for n in sizes)
    at = 0
    with PackageFile(path) as out:
        for n in sizes:
            assert out.write(data[at : at + n]) == n
            at += n
        assert out.tell() == len(data)
        out.finish()
    return data, out


def test_every_byte_lands_in_order_and_the_hash_is_the_files(tmp_path: Path) -> None:
    data, out = _write_pieces(tmp_path / "p.zip")
    written = (tmp_path / "p.zip").read_bytes()
    assert written == data
    assert out.digest.hexdigest() == hashlib.sha256(written).hexdigest()
    assert out.size == len(written)


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no tmpfs at /dev/shm")
def test_a_file_system_without_direct_io_is_written_the_ordinary_way() -> None:
    path = Path("/dev/shm") / f"th-writer-{os.getpid()}.zip"
    try:
        data, out = _write_pieces(path)
        assert path.read_bytes() == data
        assert out.digest.hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        path.unlink(missing_ok=True)


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "taken.zip"
    path.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        PackageFile(path)
    assert path.read_bytes() == b"kept"
