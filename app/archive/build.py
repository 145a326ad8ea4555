"""Build a lot's archive package: a ZIP streamed to a temporary file in the content store
(constant memory, whatever the size), with a manifest of every file's SHA-256 and size
signed by the platform key, then adopted into the store atomically. A failure anywhere
leaves no file behind; the next run starts again."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
import zipfile
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.archive import contents
from app.archive.models import LotArchive
from app.archive.writer import PackageFile
from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.crypto import canonical_json, platform_public_key, sign_json
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.storage import get_store
from bidding.models import Lot, LotStatus

FORMAT = "tenderhall.archive/1"
CHUNK = 1024 * 1024
ARCHIVED = "archive.built"
# A lot may be archived once it has reached one of its ends.
ARCHIVABLE = (LotStatus.CONTRACTED, LotStatus.FAILED, LotStatus.TERMINATED)


def retention_years(lot: Lot) -> int:
    by_category = current_app.config.get("ARCHIVE_RETENTION_YEARS_BY_CATEGORY") or {}
    for prefix in (lot.category_code, lot.category_code[:1]):
        if prefix in by_category:
            return max(int(by_category[prefix]), 1)
    return int(current_app.config.get("ARCHIVE_RETENTION_YEARS", 15))


def _copy(src: Any, dst: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := src.read(CHUNK):
        digest.update(block)
        dst.write(block)
        size += len(block)
    return digest.hexdigest(), size


class _Chunks:
    """A generator of byte strings read as a file (`read` ignores its size: each chunk
    is already about the copy's block size)."""

    def __init__(self, chunks: Any) -> None:
        self.it = iter(chunks)

    def read(self, _n: int = -1) -> bytes:
        return next(self.it, b"")


def _write(zf: zipfile.ZipFile, item: contents.Item) -> dict[str, Any]:
    info = zipfile.ZipInfo(item.path, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    with zf.open(info, "w", force_zip64=True) as dst:
        if item.data is not None:
            dst.write(item.data)
            sha, size = hashlib.sha256(item.data).hexdigest(), len(item.data)
        elif item.chunks is not None:
            sha, size = _copy(_Chunks(item.chunks), dst)
        else:
            assert item.stored is not None
            try:
                src = get_store().open(item.stored)
            except FileNotFoundError:
                raise Conflict(
                    _l("档案文件 %(p)s 在存储中缺失，已停止生成，请联系交易中心。", p=item.path)
                ) from None
            with src:
                sha, size = _copy(src, dst)
            if sha != item.stored:
                raise Conflict(
                    _l("档案文件 %(p)s 与其登记的哈希值不一致，已停止生成。", p=item.path)
                )
    return {"path": item.path, "sha256": sha, "size": size}


def build_archive(lot: Lot, user: User | None) -> LotArchive:
    """Write the package and record it (one transaction, one audit entry)."""
    if lot.status not in ARCHIVABLE:
        raise Conflict(_l("标段合同备案、流标或终止后才能生成项目档案。"))
    store = get_store()
    now = clock.now()
    retain = clock.cst_date(now).replace(year=clock.cst_date(now).year + retention_years(lot))
    files, refs = contents.items(lot)
    key = platform_public_key()
    tmp = store.root / "tmp" / f"archive-{lot.id}-{secrets.token_hex(6)}.zip"
    try:
        listed: list[dict[str, Any]] = []
        with PackageFile(tmp) as out:
            with zipfile.ZipFile(out, "w", allowZip64=True) as zf:  # type: ignore[arg-type]
                seen: set[str] = set()
                for item in [*files, *contents.audit_items(refs)]:
                    path = item.path
                    n = 1
                    while path in seen:  # two files of one name (e.g. re-uploaded versions)
                        n += 1
                        path = f"{item.path}.{n}"
                    seen.add(path)
                    listed.append(_write(zf, dataclasses.replace(item, path=path)))
                manifest = {
                    "format": FORMAT,
                    "lot": {
                        "id": lot.id,
                        "code": lot.code,
                        "name": lot.name,
                        "project_code": lot.project.code,
                        "trade_id": lot.project.trade_id,
                        "centre": lot.project.centre.name,
                    },
                    "built_at": now.isoformat(),
                    "retain_until": retain.isoformat(),
                    "key_id": key.key_id,
                    "files": listed,
                }
                raw = canonical_json(manifest)
                zf.writestr("manifest.json", raw)
                zf.writestr("manifest.sig", sign_json(manifest))
                zf.writestr("platform-key.pem", key.pem)
            out.finish()
        sha, size = out.digest.hexdigest(), out.size
        store.adopt(tmp, sha)
    finally:
        tmp.unlink(missing_ok=True)
    row = LotArchive(
        lot_id=lot.id,
        sha256=sha,
        size=size,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        files=len(listed),
        key_id=key.key_id,
        retain_until=retain,
        built_by_id=user.id if user is not None else None,
        built_at=now,
    )
    db.session.add(row)
    db.session.flush()
    record(
        ARCHIVED,
        row,
        {"lot_id": lot.id, "sha256": sha, "files": len(listed), "retain_until": retain.isoformat()},
        actor=user,
    )
    return row


def archives_of(lot: Lot) -> list[LotArchive]:
    return list(
        db.session.execute(
            select(LotArchive).where(LotArchive.lot_id == lot.id).order_by(LotArchive.id.desc())
        ).scalars()
    )


def build_due() -> int:
    """Scheduler: archive every finished lot that has no package yet (one per run)."""
    done = select(LotArchive.lot_id)
    lot = (
        db.session.execute(
            select(Lot)
            .where(Lot.status == LotStatus.CONTRACTED, Lot.id.not_in(done))
            .order_by(Lot.id)
        )
        .scalars()
        .first()
    )
    if lot is None:
        return 0
    build_archive(lot, None)
    return 1


def path_of(row: LotArchive) -> os.PathLike[str]:
    return get_store().path_for(row.sha256)
