"""The lot's scoring scheme (评分办法) as stored: the current text, a pending amendment and
every version that was ever published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import User
from app.core.db import Base, UTCDateTime
from bidding.models import Lot


class ScoringScheme(Base):
    """One per lot. `data` is `Scheme.to_dict()`; it is edited freely until the tender
    notice freezes it, and afterwards replaced only by a published clarification."""

    __tablename__ = "scoring_scheme"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), unique=True)
    # A registry code, not an enum: a centre's own method is one module, not a migration.
    method: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    frozen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # After freezing: the proposed text, published by the lot's next clarification.
    pending_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pending_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    pending_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lot: Mapped[Lot] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    pending_by: Mapped[User | None] = relationship(foreign_keys=[pending_by_id])
    versions: Mapped[list[ScoringSchemeVersion]] = relationship(
        back_populates="scheme", order_by="ScoringSchemeVersion.version"
    )

    # Two staff members editing the same scheme: the second save is refused, not merged.
    __mapper_args__ = {"version_id_col": version}


class ScoringSchemeVersion(Base):
    """A published version: 1 with the tender notice, then one per amending clarification."""

    __tablename__ = "scoring_scheme_version"
    __table_args__ = (UniqueConstraint("scheme_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("scoring_scheme.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id"), index=True)

    scheme: Mapped[ScoringScheme] = relationship(back_populates="versions")
    announcement: Mapped[Any] = relationship("Announcement")
