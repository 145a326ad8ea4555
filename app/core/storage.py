"""Content-addressed file store: atomic writes (temp + fsync + rename), streaming SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from app.core.errors import ValidationError

CHUNK = 1024 * 1024


class IntegrityError(Exception):
    """A stored file no longer matches its hash."""


class FileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        """Store a stream; return (sha256, size). Refuses empty and oversized input, writing nothing."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    block = stream.read(CHUNK)
                    if not block:
                        break
                    size += len(block)
                    if max_bytes is not None and size > max_bytes:
                        raise ValidationError(
                            f"file exceeds the limit of {max_bytes} bytes", limit=max_bytes
                        )
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise ValidationError("empty file")
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            _fsync_dir(final.parent)
            return sha, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        import io

        return self.put_stream(io.BytesIO(data))

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def iter_verified(self, sha256: str) -> Iterator[bytes]:
        """Yield the file's bytes, raising IntegrityError at the end if they do not hash right."""
        digest = hashlib.sha256()
        with self.open(sha256) as f:
            while block := f.read(CHUNK):
                digest.update(block)
                yield block
        if digest.hexdigest() != sha256:
            raise IntegrityError(sha256)

    def verify(self, sha256: str) -> bool:
        try:
            for _ in self.iter_verified(sha256):
                pass
        except (IntegrityError, FileNotFoundError):
            return False
        return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_store() -> FileStore:
    from flask import current_app

    return current_app.extensions["tenderhall_store"]
