"""Tender documents (招标文件) with versions, downloads, questions (答疑) and objections (异议)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation, User
from app.core.db import Base, UTCDateTime, enum_column
from bidding.models import Announcement, Lot


class TenderDocument(Base):
    """One version of a lot's tender documents; the highest version is the current one."""

    __tablename__ = "tender_document"
    __table_args__ = (UniqueConstraint("lot_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The clarification (澄清/更正公告) that issued this version; None for the first issue.
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    lot: Mapped[Lot] = relationship()
    uploaded_by: Mapped[User] = relationship()
    announcement: Mapped[Announcement | None] = relationship()


class DocumentDownload(Base):
    """Who fetched which version, when and from where. Secret until the bid deadline."""

    __tablename__ = "document_download"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("tender_document.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    document: Mapped[TenderDocument] = relationship()
    supplier: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()


class Question(Base):
    """A supplier's question on the documents. The asker is kept for the record, never shown."""

    __tablename__ = "doc_question"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    asked_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published: Mapped[bool] = mapped_column(Boolean, default=False)

    lot: Mapped[Lot] = relationship()


class ObjectionStatus(enum.StrEnum):
    PENDING = "pending"  # 待答复: the lot is suspended
    ANSWERED = "answered"  # 已答复


class Objection(Base):
    """An objection (异议) to the tender documents; it suspends the lot until answered."""

    __tablename__ = "doc_objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[ObjectionStatus] = mapped_column(
        enum_column(ObjectionStatus, "objection_status"),
        index=True,
        default=ObjectionStatus.PENDING,
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __mapper_args__ = {"version_id_col": version}
