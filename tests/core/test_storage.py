"""The file store's staging area: incremental bytes adopted into the content-addressed place."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.core.storage import FileStore


def test_adopt_links_a_staged_file_into_place_and_keeps_the_staging_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    staged = store.staging_path("tok-1")
    assert staged.parent.parent == tmp_path  # inside the store: a hard link works
    staged.write_bytes(b"sealed bid bytes")
    sha = hashlib.sha256(b"sealed bid bytes").hexdigest()

    final = store.adopt(staged, sha)

    assert final == store.path_for(sha) and store.verify(sha)
    assert staged.exists()  # removed by the caller once its transaction has committed
    assert final.stat().st_ino == staged.stat().st_ino
    assert list((tmp_path / "tmp").iterdir()) == []


def test_adopt_is_idempotent(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    first, second = store.staging_path("a"), store.staging_path("b")
    first.write_bytes(b"same")
    second.write_bytes(b"same")
    sha = hashlib.sha256(b"same").hexdigest()

    assert store.adopt(first, sha) == store.adopt(second, sha)
    assert store.path_for(sha).stat().st_ino == first.stat().st_ino  # the first one stays


@pytest.mark.parametrize("token", ["", "../escape", ".hidden", "a/b"])
def test_staging_path_refuses_names_outside_the_staging_area(tmp_path: Path, token: str) -> None:
    with pytest.raises(ValueError):
        FileStore(tmp_path).staging_path(token)
