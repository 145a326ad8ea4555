"""Content-addressed file store: atomic writes (temp + fsync + rename), streaming SHA-256.

Besides whole streams, the store takes files written piece by piece elsewhere (resumable
uploads): their bytes accumulate in a staging file inside the store's directory, so that
`adopt` can hard-link them into place instead of copying.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from app.core.errors import ValidationError

CHUNK = 1024 * 1024
STAGING_DIR = "uploads"


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
            self._install(Path(tmp_name), sha)
            return sha, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def _install(self, tmp: Path, sha256: str) -> Path:
        """Rename a complete, fsynced temporary file to its object's place and make it durable."""
        final = self.path_for(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return final

    def staging_path(self, token: str) -> Path:
        """Where the bytes of the incremental upload `token` accumulate until `adopt`.

        Inside the store's directory (same file system), so adopting it is a hard link.
        """
        if not token or "/" in token or token.startswith("."):
            raise ValueError(f"bad staging token {token!r}")
        root = self.root / STAGING_DIR
        root.mkdir(parents=True, exist_ok=True)
        return root / token

    def adopt(self, path: Path, sha256: str) -> Path:
        """Store the finished file at `path` as object `sha256`, atomically and durably.

        The hash is trusted, not recomputed: the caller has hashed the bytes while verifying
        them, and a second pass over a large upload would double the I/O of its finish.
        `path` itself stays (hard-linked or copied under a temporary name, then renamed into
        place) so the caller removes it only once its own transaction has committed.
        Idempotent: an object already present is kept, and its directory fsynced again.
        """
        with open(path, "rb") as f:
            os.fsync(f.fileno())
        final = self.path_for(sha256)
        if final.exists():
            _fsync_dir(final.parent)
            return final
        tmp = self.root / "tmp" / f"adopt-{secrets.token_hex(6)}"
        try:
            try:
                os.link(path, tmp)
            except OSError:  # another file system, or no hard links: copy instead
                shutil.copyfile(path, tmp)
                with open(tmp, "rb") as f:
                    os.fsync(f.fileno())
            return self._install(tmp, sha256)
        except BaseException:
            tmp.unlink(missing_ok=True)
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
