"""The running check of each resumable upload, so that its finish needs no second pass.

Each chunk is fed to the upload's `StructureCheck` while it is written to the staging file.
The check lives in this process only (a hash state cannot be stored): after a restart, on
another worker, or whenever the staging file is not exactly as the check last saw it, the
check is rebuilt from the file's bytes before the chunk goes on; the finish falls back to
reading the whole file when no check matches it. A check moves on only once its chunk is
wholly written and the request has committed; a chunk broken off or refused is truncated
away (uploads.put_chunk) and leaves the check, like the offset, where it was.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from app.core.realtime import after_commit
from app.core.storage import CHUNK
from bidding.bids.sealing import StructureCheck

# Open uploads whose check is kept; beyond it the oldest is dropped (and rebuilt if needed).
KEPT = 4096


@dataclass(frozen=True)
class _Seen:
    check: StructureCheck
    stamp: tuple[int, int, int, int]  # what the staging file was when the check saw its end


_seen: OrderedDict[str, _Seen] = OrderedDict()
_guard = threading.Lock()


def _stamp(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def resume(token: str, path: Path, offset: int) -> StructureCheck:
    """A check that has seen the staging file's first `offset` bytes, to feed the next chunk.

    Call before the chunk touches the file; the caller feeds its own copy and hands it to
    `advance`.
    """
    with _guard:
        seen = _seen.get(token)
    if seen is not None and seen.check.size == offset and seen.stamp == _stamp(path):
        return seen.check.copy()
    check = StructureCheck()
    left = offset
    with open(path, "rb") as f:
        while left > 0 and (block := f.read(min(CHUNK, left))):
            check.feed(block)
            left -= len(block)
    return check


def advance(token: str, path: Path, check: StructureCheck) -> None:
    """Keep `check` as the upload's once the current transaction commits."""
    stamp = _stamp(path)

    def keep() -> None:
        with _guard:
            _seen[token] = _Seen(check, stamp)
            _seen.move_to_end(token)
            while len(_seen) > KEPT:
                _seen.popitem(last=False)

    after_commit(keep)


def finished(token: str, path: Path, size: int) -> StructureCheck | None:
    """The upload's check if it has seen exactly the `size` bytes the staging file holds."""
    with _guard:
        seen = _seen.get(token)
    if seen is None or seen.check.size != size or seen.stamp != _stamp(path):
        return None
    return seen.check


def forget(token: str) -> None:
    with _guard:
        _seen.pop(token, None)
