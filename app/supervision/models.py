"""What supervision writes: its warnings and the record of each rule's runs.

Supervision reads every floor and writes only these two tables (and, on a correction
order, the lot's status through bidding's own service).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Centre, User
from app.core.db import Base, UTCDateTime, enum_column
from bidding.models import Lot


class WarningStatus(enum.StrEnum):
    PENDING = "pending"  # found by a rule, not yet sent to anyone
    SENT = "sent"  # sent to the staff member responsible, awaiting an answer
    ANSWERED = "answered"  # answered, the supervisor has not read it
    READ = "read"  # the supervisor read the answer
    CLOSED = "closed"


class Level(enum.StrEnum):
    YELLOW = "yellow"  # a signal to look at, or a deadline within a day
    RED = "red"  # a breach: a deadline missed, a strong collusion signal


class CorrectionStatus(enum.StrEnum):
    NONE = "none"
    ORDERED = "ordered"  # 纠错: the lot is suspended until the correction is done
    DONE = "done"


class SupervisionWarning(Base):
    """One warning (预警) of one rule about one subject (a lot, a pair of bidders, …).

    `open_key` is "<rule>|<subject>" while the warning is open and NULL once closed: a
    unique column, so a rule that finds the same thing again finds the open warning and
    never makes a second one, whatever the backend or the race.
    """

    __tablename__ = "supervision_warning"
    __table_args__ = (
        Index("ix_supervision_warning_lot_status", "lot_id", "status"),
        Index("ix_supervision_warning_rule_subject", "rule", "subject"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(160))
    open_key: Mapped[str | None] = mapped_column(String(230), unique=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level, "warning_level"))
    status: Mapped[WarningStatus] = mapped_column(
        enum_column(WarningStatus, "warning_status"), index=True, default=WarningStatus.PENDING
    )
    # What the rule found, as data (bidder names, prices, hashes, due times …).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The deadline of the step the warning is at (send, answer, read, close).
    step_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    close_note: Mapped[str] = mapped_column(Text, default="")
    escalations: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    correction: Mapped[CorrectionStatus] = mapped_column(
        enum_column(CorrectionStatus, "correction_status"),
        default=CorrectionStatus.NONE,
        server_default=CorrectionStatus.NONE.value,
    )
    correction_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The lot's status before the correction suspended it, restored when it is done.
    resume_status: Mapped[str] = mapped_column(String(20), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    centre: Mapped[Centre | None] = relationship()
    lot: Mapped[Lot | None] = relationship()
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != WarningStatus.CLOSED


class RuleRun(Base):
    """One run of one rule: how long it took and how it ended (its usual time is the
    median of its recent successful runs; errors and stops are reported from here)."""

    __tablename__ = "supervision_rule_run"
    __table_args__ = (Index("ix_supervision_rule_run_rule_started", "rule", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(20))  # "sweep" or "lot"
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))  # ok | error | timeout
    found: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
