from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime


class AuditEntry(Base):
    """One line of the log. Never updated or deleted by the application."""

    __tablename__ = "audit_entry"
    # Set by record() on the entry it appends (not stored): the Merkle root of the tree
    # that ends with this entry and the entry's inclusion proof in it, for signed receipts.
    inclusion_proof = None
    tree_root = None
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row that serialises appends (row lock on PostgreSQL) and pins the tail.

    Without it, deleting the last entries would leave a chain that still verifies.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))
    # Merkle frontier ("compact range"): hex roots of the perfect subtrees covering entries
    # 1..seq, left to right, largest first. Gives the tree root in O(log n) without reading
    # the log. NULL on a head written before frontiers existed: rebuilt on the next append.
    frontier: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class AuditCheckpoint(Base):
    """A signed statement "the log had `size` entries with Merkle root `root`".

    Published roots let anyone holding an older checkpoint detect a rewritten history.
    """

    __tablename__ = "audit_checkpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(16))
