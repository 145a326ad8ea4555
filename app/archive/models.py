"""Project archives (项目档案): one ZIP package per build of a lot, retained for years."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime


class LotArchive(Base):
    """A built package: its file in the content store and how long it must be kept."""

    __tablename__ = "lot_archive"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(16))
    retain_until: Mapped[dt.date] = mapped_column()
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
