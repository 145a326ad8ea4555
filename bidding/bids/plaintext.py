"""The decrypted files of opened bids: kept in the file store by the opening, read by the
evaluation committee afterwards.

The opening's key exists only while the bids are decrypted, so whatever the committee is
to read later must be kept then. Each file is written while it is decrypted (no second
pass, no whole file in memory) to a staging file in the store's own directory; only when
the whole bid has opened, every chunk authenticated and every file's hash checked against
the bid's manifest, is it adopted under that hash. A bid that fails to open leaves
nothing behind. The hashes the opening records (`Bid.plaintext_files`) are the addresses.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from app.core.storage import FileStore, get_store
from bidding.bids.models import Bid


class KeptFile:
    """A sink for one decrypted file: written to a staging file and passed on to `meta`
    (the opening's own sink, which reads the author metadata)."""

    def __init__(self, store: FileStore, meta: Any) -> None:
        self.path: Path = store.staging_path(f"plain-{secrets.token_hex(12)}")
        self._out = open(self.path, "wb")  # noqa: SIM115 (closed by close())
        self.meta = meta

    def write(self, data: bytes | memoryview) -> int:
        self.meta.write(data)
        return self._out.write(data)

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()

    def author(self) -> str:
        return str(self.meta.author())


def keep(store: FileStore, sinks: dict[str, KeptFile], opened: Any) -> None:
    """The bid opened: adopt each file under the hash the container checked it against."""
    try:
        for f in opened.files:
            sink = sinks.get(f.name)
            if sink is not None:
                sink.close()
                store.adopt(sink.path, f.sha256)
    finally:
        discard(sinks)


def discard(sinks: dict[str, KeptFile]) -> None:
    """Remove the staging files (after adoption they are spare links; after a failure, junk)."""
    for sink in sinks.values():
        sink.close()
        sink.path.unlink(missing_ok=True)


def file_entry(bid: Bid, index: int) -> dict[str, Any] | None:
    """The `index`-th file the opening recorded for the bid (name, size, hash), or None."""
    files = bid.plaintext_files or []
    return files[index] if 0 <= index < len(files) else None


def stored_path(sha256: str) -> Path | None:
    """Where a kept file lies, when the store holds it (bids opened before files were kept
    have their hashes only)."""
    store = get_store()
    return store.path_for(sha256) if store.exists(sha256) else None
