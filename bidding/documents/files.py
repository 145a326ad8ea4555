"""Files of tender documents: checked and stored before they become a version, and
checked against their recorded hash before they leave the store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError
from app.core.storage import get_store
from bidding.documents.errors import DocumentDamaged
from bidding.documents.models import TenderDocument


@dataclass(frozen=True)
class StagedFile:
    """A validated file already in the content-addressed store, not yet a document version."""

    sha256: str
    size: int
    filename: str


def clean_filename(raw: str | None) -> str:
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext) if dot else name[:200]
    return name


def stage_file(stream: IO[bytes] | None, filename: str | None) -> StagedFile:
    """Validate name, extension and size, and store the bytes. Nothing is written on refusal."""
    allowed = tuple(current_app.config["ALLOWED_DOCUMENT_EXTENSIONS"])
    limit = int(current_app.config["MAX_DOCUMENT_BYTES"])
    allowed_text = "、".join(allowed)
    name = clean_filename(filename)
    if stream is None or not name:
        raise ValidationError(_l("请选择要上传的招标文件。"), field="file")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValidationError(
            _l(
                "不支持的文件类型“%(ext)s”，只允许上传：%(allowed)s。",
                ext=ext or _l("无扩展名"),
                allowed=allowed_text,
            ),
            field="file",
        )
    try:
        sha, size = get_store().put_stream(stream, max_bytes=limit)
    except ValidationError as exc:
        if "limit" in exc.details:
            raise ValidationError(
                _l("文件过大：单个招标文件不得超过 %(mb)s MB。", mb=_mb(limit)), field="file"
            ) from None
        raise ValidationError(
            _l("文件为空（0 字节），请选择有内容的文件。"), field="file"
        ) from None
    return StagedFile(sha256=sha, size=size, filename=name)


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.2f}"


def check_intact(doc: TenderDocument) -> None:
    if not get_store().verify(doc.sha256):
        current_app.logger.error("tender document %s fails its hash check", doc.id)
        raise DocumentDamaged(
            _l("招标文件校验失败（文件与登记的哈希值不一致），已暂停下载，请联系交易中心。")
        )
