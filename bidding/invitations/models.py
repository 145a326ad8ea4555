"""The suppliers invited to a lot, and how each was chosen."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation
from app.core.db import Base, UTCDateTime, enum_column


class InviteBasis(enum.StrEnum):
    RECOMMENDED = "recommended"  # 书面推荐, with its reason
    DRAWN = "drawn"  # 随机抽取 from the centre's supplier library
    PREQUALIFIED = "prequalified"  # 资格预审: passed the lot's prequalification


class LotInvitee(Base):
    __tablename__ = "lot_invitee"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    basis: Mapped[InviteBasis] = mapped_column(enum_column(InviteBasis, "invite_basis"))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The draw's commitment (SHA-256 of its seed) for drawn invitees: the audit entry of the
    # draw holds the seed, the public value and the pool, so anyone can re-run it.
    draw_commitment: Mapped[str] = mapped_column(String(64), default="", server_default="")
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    supplier: Mapped[Organisation] = relationship()
