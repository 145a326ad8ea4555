"""The package file being written: hashed as it passes, and sent to disk past the page cache.

zipfile writes through `PackageFile` once, in order (it is unseekable, so zipfile uses data
descriptors instead of seeking back), so the package's SHA-256 is known without reading it
again. A package is hundreds of megabytes written once and read rarely: through the page
cache every new page must be allocated and later written back, which on the platform's
hosts costs more than the hashing; with O_DIRECT the bytes go from one aligned buffer to
the disk, and the fsync that makes the package durable has almost nothing left to do.
Where the file system refuses O_DIRECT (tmpfs, some network mounts) it is written the
ordinary way.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import mmap
import os
from pathlib import Path

BUFFER = 8 * 1024 * 1024  # a multiple of every block size O_DIRECT may require
ALIGN = 4096
_DIRECT = getattr(os, "O_DIRECT", 0)


class PackageFile:
    def __init__(self, path: Path) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        self.direct = bool(_DIRECT)
        try:
            self.fd = os.open(path, flags | _DIRECT, 0o644)
        except OSError as exc:
            if exc.errno != errno.EINVAL or not _DIRECT:
                raise
            # Direct I/O refused; some kernels create the file before refusing.
            self.direct = False
            path.unlink(missing_ok=True)
            self.fd = os.open(path, flags, 0o644)
        # Anonymous mmap: page-aligned, as O_DIRECT needs of the memory it writes from.
        self.buffer = mmap.mmap(-1, BUFFER)
        self.view = memoryview(self.buffer)
        self.used = 0
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        n = len(data)
        self.size += n
        src = memoryview(data).cast("B")
        while src:
            take = min(len(src), BUFFER - self.used)
            self.view[self.used : self.used + take] = src[:take]
            self.used += take
            src = src[take:]
            if self.used == BUFFER:
                self._drain(BUFFER)
        return n

    def _drain(self, n: int) -> None:
        """Write the buffer's first n bytes (whole blocks while direct)."""
        done = 0
        while done < n:
            try:
                done += os.write(self.fd, self.view[done:n])
            except OSError:
                if not self.direct:
                    raise
                # Opened direct but refused at the first write (some FUSE mounts): go on
                # the ordinary way.
                self._buffered()
        self.view[: self.used - n] = self.view[n : self.used]
        self.used -= n

    def tell(self) -> int:
        return self.size

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        """Nothing to do until `finish`: a partial block cannot go out while direct."""

    def finish(self) -> None:
        """Write what is left and make the file durable."""
        whole = self.used - self.used % ALIGN if self.direct else self.used
        if whole:
            self._drain(whole)
        if self.used:
            self._buffered()  # the tail is not a whole block
            self._drain(self.used)
        os.fsync(self.fd)

    def _buffered(self) -> None:
        flags = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        fcntl.fcntl(self.fd, fcntl.F_SETFL, flags & ~_DIRECT)
        self.direct = False

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        self.view.release()
        self.buffer.close()

    def __enter__(self) -> PackageFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
