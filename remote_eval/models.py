"""The lot's scoring scheme as stored, and the evaluation (评标) of the lot: its committee, phases, votes, verdicts and scores.

Rows are the truth; the room's events are a replayable log of what happened to them.
Nothing is ever overwritten in a way that loses history: a roll-back (回退) or a reopened
review (复议) starts a new `cycle`, and verdicts, scores and sheets are kept per cycle.
Members' concurrent writes meet unique constraints (one verdict, score or vote per member
and subject per cycle) and the session's `version` column (optimistic concurrency).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import User
from app.core.db import Base, UTCDateTime, enum_column
from bidding.models import Lot


class Phase(enum.StrEnum):
    """The steps of an evaluation, in order (see remote_eval/flow.py for the transitions)."""

    SIGNIN = "signin"  # 签到: venue staff confirm identity, the member logs in
    COMMITMENT = "commitment"  # 承诺书 and avoidance declaration after seeing the bidders
    ELECTION = "election"  # 推选组长: secret rounds until a majority
    REVIEW = "review"  # 资格审查 + 符合性审查: pass/fail per bidder and item
    SCORING = "scoring"  # 详细评审: independent first, then visible
    SUMMARY = "summary"  # 汇总: totals, dispersion, ranking, candidates
    SIGNING = "signing"  # 评标报告 signed by every member (or a written dissent)
    DONE = "done"


class MemberKind(enum.StrEnum):
    EXPERT = "expert"  # drawn from the pool (an accepted invitation)
    PURCHASER_REP = "purchaser_rep"  # 业主代表, named by the agency


class MemberStatus(enum.StrEnum):
    EXPECTED = "expected"
    SIGNED_IN = "signed_in"
    REMOVED = "removed"  # a declared conflict, or absent; a reserve takes the seat


class RequestKind(enum.StrEnum):
    ROLLBACK = "rollback"  # 回退 to an earlier phase
    REOPEN = "reopen"  # 复议 of one bidder's review or scores


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EvalSession(Base):
    """One lot's evaluation, formed when its opening ends.

    A lot has one open session; a session sealed after a long break (`sealed_at`,
    remote_eval/venues/faults.py) stays in the record, and a new committee opens another.
    """

    __tablename__ = "eval_session"
    __table_args__ = (
        Index(
            "uq_eval_session_open_lot",
            "lot_id",
            unique=True,
            sqlite_where=text("sealed_at IS NULL"),
            postgresql_where=text("sealed_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "eval_phase"), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    phase_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    phase_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    main_centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    # The lot's frozen scoring scheme as it stood when the committee was formed.
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)
    leader_id: Mapped[int | None] = mapped_column(Integer)  # an EvalMember id
    summary_locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    host: Mapped[User] = relationship(foreign_keys=[host_id])
    members: Mapped[list[EvalMember]] = relationship(
        back_populates="session", order_by="EvalMember.id"
    )

    __mapper_args__ = {"version_id_col": version}


class EvalMember(Base):
    """A seat on the committee: who sits there, at which venue, and what they have signed."""

    __tablename__ = "eval_member"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind, "eval_member_kind"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("expert_invitation.id"))
    # The venue: the centre whose hall the member sits in (主场 = the session's main centre).
    venue_centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    seat: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus, "eval_member_status"), default=MemberStatus.EXPECTED
    )
    identity_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    identity_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # 承诺书
    avoidance_declared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    # The removed member whose seat this one took (a reserve expert, or a new representative).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("eval_member.id"))
    # The member's report-signing key: public half in the clear, private half only wrapped
    # under a passphrase the member chose in the browser (the server cannot sign for them).
    public_key: Mapped[str | None] = mapped_column(Text)
    wrapped_key: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    session: Mapped[EvalSession] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ElectionRound(Base):
    __tablename__ = "eval_election_round"
    __table_args__ = (UniqueConstraint("session_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("eval_member.id"))
    tally: Mapped[dict[str, int] | None] = mapped_column(JSON)  # member id → votes, at close


class ElectionVote(Base):
    """A secret ballot: who voted is public, for whom only in the tally."""

    __tablename__ = "eval_election_vote"
    __table_args__ = (UniqueConstraint("round_id", "voter_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("eval_election_round.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    cast_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Verdict(Base):
    """One member's pass/fail on one qualification or compliance item of one bid."""

    __tablename__ = "eval_verdict"
    __table_args__ = (UniqueConstraint("session_id", "cycle", "member_id", "bid_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ItemDecision(Base):
    """The committee's decision on an item where verdicts differed: a majority vote."""

    __tablename__ = "eval_item_decision"
    __table_args__ = (UniqueConstraint("session_id", "cycle", "bid_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    item_id: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    called_by_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))  # the leader
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Dissent(Base):
    """A member's written disagreement: with an item decision, a score outcome or the report."""

    __tablename__ = "eval_dissent"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    subject: Mapped[str] = mapped_column(String(20))  # "item" | "report"
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    item_id: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EvalClarification(Base):
    """A written question from the committee to one bidder (澄清), answered once."""

    __tablename__ = "eval_clarification"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="general")  # | "abnormal_price"
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # For an abnormally low price: the committee's finding on the answer.
    accepted: Mapped[bool | None] = mapped_column(Boolean)


class Score(Base):
    """One member's score on one scored item of one bid."""

    __tablename__ = "eval_score"
    __table_args__ = (UniqueConstraint("session_id", "cycle", "member_id", "bid_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ScoreSheet(Base):
    """A member's submitted scores for one bid: until then nobody else's are visible to them."""

    __tablename__ = "eval_score_sheet"
    __table_args__ = (UniqueConstraint("session_id", "cycle", "member_id", "bid_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set while the member corrects an objective item the members disagree on; the sheet
    # counts as submitted again (and reopened_at is cleared) when they resubmit it.
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Justification(Base):
    """A member's written reason for a score far from the panel's (dispersion alert)."""

    __tablename__ = "eval_justification"
    __table_args__ = (UniqueConstraint("session_id", "cycle", "member_id", "bid_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    item_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EvalRequest(Base):
    """The host's request to roll back a phase or reopen a bidder, decided by a supervisor."""

    __tablename__ = "eval_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, "eval_request_kind"))
    target_phase: Mapped[Phase] = mapped_column(enum_column(Phase, "eval_request_phase"))
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "eval_request_status"), default=RequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    # The cycle an approved request started (verdicts and scores of earlier cycles stay).
    new_cycle: Mapped[int | None] = mapped_column(Integer)


# ---------------------------------------------------------------- the scoring scheme
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


# ---------------------------------------------------------------- the report and its signatures
class EvalReport(Base):
    """One version of the evaluation report (评标报告): a canonical JSON body and its renderings.

    `body` holds the exact canonical bytes (as text) whose SHA-256 the members sign; the
    HTML and PDF are renderings of it kept in the content store. A roll-back followed by a
    new summary gives a new version; signatures belong to the version they cover.
    """

    __tablename__ = "eval_report"
    __table_args__ = (UniqueConstraint("session_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_session.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[int] = mapped_column(Integer)  # the session's cycle it reports on
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, UTF-8
    sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EvalSignature(Base):
    """A member's answer to one report version: a signature, or a refusal with a dissent."""

    __tablename__ = "eval_signature"
    __table_args__ = (
        UniqueConstraint("report_id", "member_id"),
        CheckConstraint(
            "(signature IS NOT NULL AND public_key IS NOT NULL AND dissent_id IS NULL)"
            " OR (signature IS NULL AND dissent_id IS NOT NULL)",
            name="signed_or_refused",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("eval_report.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("eval_member.id"))
    # The key the signature was checked against (the member may replace theirs later).
    public_key: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)  # base64 of raw r||s
    dissent_id: Mapped[int | None] = mapped_column(ForeignKey("eval_dissent.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    @property
    def refused(self) -> bool:
        return self.signature is None
