"""Evaluation rooms (评标室) of a centre, their seats (工位), bookings, and assistance requests
(协助请求) between centres for a lot evaluated at several venues (远程异地评标).

A booking holds one row per seat and fixed time slot (`BookedSlot`), so "a seat is never
booked twice for overlapping times" is a plain UNIQUE constraint on (seat, slot) that
SQLite and PostgreSQL both enforce, whatever two requests race. A freed booking keeps its
header row (who, when, why it was freed) and drops its slots.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Centre, User
from app.core.db import Base, UTCDateTime, enum_column


class BookingStatus(enum.StrEnum):
    ACTIVE = "active"  # 已预约
    RELEASED = "released"  # 已释放 (cancelled, lot terminated or rescheduled)


class AssistanceStatus(enum.StrEnum):
    PENDING = "pending"  # 待答复
    ACCEPTED = "accepted"  # 已接受 (seats reserved)
    DECLINED = "declined"  # 已拒绝
    EXPIRED = "expired"  # 逾期未答复
    WITHDRAWN = "withdrawn"  # 已撤回 (the lot ended or was rescheduled)


class Venue(Base):
    """An evaluation room of a centre; bookable once published."""

    __tablename__ = "venue"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200), default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    centre: Mapped[Centre] = relationship()
    seats: Mapped[list[VenueSeat]] = relationship(
        back_populates="venue", order_by="VenueSeat.label", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class VenueSeat(Base):
    """A seat (工位) of a room, with what it is equipped with."""

    __tablename__ = "venue_seat"
    __table_args__ = (UniqueConstraint("venue_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    equipment: Mapped[str] = mapped_column(String(200), default="")

    venue: Mapped[Venue] = relationship(back_populates="seats")


class SeatBooking(Base):
    """Seats of one room held for a lot's evaluation from `start_at` to `end_at`."""

    __tablename__ = "venue_booking"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="period_order"),
        CheckConstraint("seat_count > 0", name="seats_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    seat_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus, "venue_booking_status"), default=BookingStatus.ACTIVE, index=True
    )
    # Set when the seats were reserved by accepting an assistance request.
    assistance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str] = mapped_column(Text, default="")

    venue: Mapped[Venue] = relationship()
    booked_by: Mapped[User] = relationship()
    slots: Mapped[list[BookedSlot]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )


class BookedSlot(Base):
    """One seat for one fixed time slot of a booking: the database refuses the same seat
    and slot twice (the double-booking rule, enforced below every check in the code)."""

    __tablename__ = "venue_booked_slot"
    __table_args__ = (UniqueConstraint("seat_id", "slot_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("venue_booking.id", ondelete="CASCADE"), index=True
    )
    seat_id: Mapped[int] = mapped_column(ForeignKey("venue_seat.id"))
    slot_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    booking: Mapped[SeatBooking] = relationship(back_populates="slots")
    seat: Mapped[VenueSeat] = relationship()


class RemoteLot(Base):
    """A lot marked for remote cross-region evaluation (远程异地评标) by its agency."""

    __tablename__ = "venue_remote_lot"
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AssistanceRequest(Base):
    """The main centre asks another centre to host part of a lot's committee."""

    __tablename__ = "venue_assistance"
    __table_args__ = (
        CheckConstraint("from_centre_id <> to_centre_id", name="other_centre"),
        CheckConstraint("end_at > start_at", name="period_order"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("expert_count >= 0 AND expert_count <= seats", name="experts_fit"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    from_centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    to_centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    seats: Mapped[int] = mapped_column(Integer)
    expert_count: Mapped[int] = mapped_column(Integer)
    # [{"specialty": code, "count": n}] — the experts to draw from the other centre's pool.
    specialties: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    answer_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[AssistanceStatus] = mapped_column(
        enum_column(AssistanceStatus, "venue_assistance_status"),
        default=AssistanceStatus.PENDING,
        index=True,
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("venue_booking.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    from_centre: Mapped[Centre] = relationship(foreign_keys=[from_centre_id])
    to_centre: Mapped[Centre] = relationship(foreign_keys=[to_centre_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    booking: Mapped[SeatBooking | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class SessionVenue(Base):
    """One venue (a centre's room) of an evaluation: its readiness and its connection.

    A secondary venue's staff confirm online that its members are seated and identified
    (`ready_at`); the venue's terminal beats while the page is open (`last_seen_at`), and
    the scheduler marks a venue whose beats stopped as dropped until it beats again.
    """

    __tablename__ = "venue_session_state"
    __table_args__ = (UniqueConstraint("session_id", "centre_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ready_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    dropped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Who streams the venue's camera now (the staff member at its terminal), so the host's
    # and supervisors' video walls know whom to call; None until a terminal starts video.
    video_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    video_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    centre: Mapped[Centre] = relationship()


class SealedRecord(Base):
    """The frozen, platform-signed record of an evaluation broken off too long (封存).

    The session takes no command once sealed; a new committee starts a new record that
    links back here (`replaced_by_session_id`).
    """

    __tablename__ = "venue_sealed_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    broken_since: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sealed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sha256: Mapped[str] = mapped_column(String(64))
    # {"receipt": the record, "signature", "key_id", "alg": "Ed25519"} as canonical JSON
    document: Mapped[str] = mapped_column(Text)
    replaced_by_session_id: Mapped[int | None] = mapped_column(ForeignKey("eval_session.id"))


class StartOverdue(Base):
    """A session not started within `EVAL_START_DECISION_HOURS` of its time: the purchaser
    decides to start later or to reschedule (采购人决定)."""

    __tablename__ = "venue_start_overdue"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), unique=True)
    evaluation_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    flagged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decision: Mapped[str] = mapped_column(String(20), default="")  # "later" | "reschedule"
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # A "reschedule" decision's new time: the session's time from then on (the draws keep
    # the time they committed to, which their verification needs).
    rescheduled_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Handover(Base):
    """A secondary venue hands its records (scanned sign-in sheets, recordings) over to
    the main centre within `VENUE_HANDOVER_WORKING_DAYS` working days of the evaluation."""

    __tablename__ = "venue_handover"
    __table_args__ = (UniqueConstraint("session_id", "centre_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    late_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    centre: Mapped[Centre] = relationship()


class RecordingStatus(enum.StrEnum):
    OPEN = "open"  # 上传中
    SAVED = "saved"  # 已保存
    # 上传中断: the terminal stopped sending and never finished; what arrived is kept,
    # hashed, as evidence of the part of the evaluation it covers.
    INTERRUPTED = "interrupted"


# The recordings the room record and the archive keep: finished ones and the received part
# of interrupted ones (an interruption before any byte leaves nothing to keep).
KEPT_RECORDINGS = (RecordingStatus.SAVED, RecordingStatus.INTERRUPTED)


class VenueRecording(Base):
    """One venue's recording of its own camera during an evaluation (webm, MediaRecorder),
    uploaded in hashed chunks and kept in the content-addressed store once whole."""

    __tablename__ = "venue_recording"
    __table_args__ = (CheckConstraint("received >= 0", name="received_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(60), default="video/webm")
    status: Mapped[RecordingStatus] = mapped_column(
        enum_column(RecordingStatus, "venue_recording_status"), default=RecordingStatus.OPEN
    )
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The last chunk's arrival: a recording silent for longer than the configured idle
    # time is closed as interrupted by the venues' sweep.
    touched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    centre: Mapped[Centre] = relationship()
