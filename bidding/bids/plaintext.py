"""The decrypted files of opened bids: kept in the file store by the opening, read by the
evaluation committee afterwards.

The opening's key exists only until the opened bids' files are hashed, off the ceremony's
critical path (`file_hashes.py`), so whatever the committee is to read later is kept in
that pass: each file is hashed and written in one pass (no whole file in memory) to a
staging file in the store's own directory, and only when the whole bid has opened, every
chunk authenticated, is it adopted under the hash computed then — never under the hash
the bidder's manifest declares, which the store would trust. A bid that fails to open
leaves nothing behind. The address of a file is its computed hash (`sha256_actual` in
`Bid.plaintext_files`, equal to the declared `sha256` when the check confirmed it).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from app.core.storage import FileStore, get_store
from bidding.bids.models import Bid


class KeptFile:
    """A sink for one decrypted file: written to a staging file and, when given, passed on
    to `meta` (a sink that reads the author metadata)."""

    def __init__(self, store: FileStore, meta: Any = None) -> None:
        self.path: Path = store.staging_path(f"plain-{secrets.token_hex(12)}")
        self._out = open(self.path, "wb")  # noqa: SIM115 (closed by close())
        self.meta = meta

    def write(self, data: bytes | memoryview) -> int:
        if self.meta is not None:
            self.meta.write(data)
        return self._out.write(data)

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()

    def author(self) -> str:
        return str(self.meta.author()) if self.meta is not None else ""


def discard(sinks: dict[str, KeptFile]) -> None:
    """Remove the staging files (after adoption they are spare links; after a failure, junk)."""
    for sink in sinks.values():
        sink.close()
        sink.path.unlink(missing_ok=True)


def address(entry: dict[str, Any]) -> str:
    """The store address of a recorded file: its computed hash once the files are checked."""
    return str(entry.get("sha256_actual") or entry.get("sha256") or "")


def file_entry(bid: Bid, index: int) -> dict[str, Any] | None:
    """The `index`-th file the opening recorded for the bid (name, size, hash), or None."""
    files = bid.plaintext_files or []
    return files[index] if 0 <= index < len(files) else None


def stored_path(sha256: str) -> Path | None:
    """Where a kept file lies, when the store holds it (bids opened before files were kept
    have their hashes only)."""
    store = get_store()
    return store.path_for(sha256) if store.exists(sha256) else None
