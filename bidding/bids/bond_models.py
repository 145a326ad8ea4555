"""Where bid bonds come from and go back to: virtual sub-accounts, the bank's arrival notices,
the banks' registered keys, and refunds with their legal deadlines.

The agency never reads these tables before the deadline: a sub-account names a supplier,
an arrival names a payer. `bidding.bids.policies` says who reads what, and when.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.auth.models import Organisation
from app.core.db import Base, Money, UTCDateTime, enum_column
from bidding.models import Lot


class SubAccount(Base):
    """A virtual sub-account (虚拟子账号) of the centre's bond account, one per supplier per lot.

    Its number is random, never a sequence, so that a supplier cannot infer from its own
    number how many others asked before it.
    """

    __tablename__ = "bond_sub_account"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    amount_due: Mapped[Decimal] = mapped_column(Money())
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    lot: Mapped[Lot] = relationship()
    supplier: Mapped[Organisation] = relationship()


class ArrivalSource(enum.StrEnum):
    STATEMENT = "statement"  # a row of the bank statement file staff imported
    NOTICE = "notice"  # a signed arrival notice the bank sent to the API


class ArrivalStatus(enum.StrEnum):
    MATCHED = "matched"  # credited to its sub-account's bond automatically
    HELD = "held"  # waits for centre staff (see HoldReason)
    CREDITED = "credited"  # held, then credited by centre staff
    RETURNED = "returned"  # held, then sent back to the payer by centre staff


class HoldReason(enum.StrEnum):
    UNKNOWN_ACCOUNT = "unknown_account"  # no sub-account of this centre has that number
    AMOUNT_MISMATCH = "amount_mismatch"  # more or less than the amount due
    AFTER_DEADLINE = "after_deadline"  # paid at or after the lot's bid deadline
    ALREADY_PAID = "already_paid"  # the sub-account's bond is already accepted
    LOT_CLOSED = "lot_closed"  # the lot no longer takes bids (terminated, suspended…)


class BankArrival(Base):
    """One credit to the bond account, as the bank reported it (到账通知)."""

    __tablename__ = "bond_arrival"
    __table_args__ = (UniqueConstraint("centre_id", "bank_txn_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    bank_txn_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[ArrivalSource] = mapped_column(enum_column(ArrivalSource, "arrival_source"))
    sub_account_number: Mapped[str] = mapped_column(String(32), index=True)
    sub_account_id: Mapped[int | None] = mapped_column(ForeignKey("bond_sub_account.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    # The paying account: one account funding several bidders is a collusion signal.
    # Shown to supervisors and centre staff only, never to the agency or a bidder.
    payer_account: Mapped[str] = mapped_column(String(60), index=True)
    payer_name: Mapped[str] = mapped_column(String(200), default="")
    paid_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[ArrivalStatus] = mapped_column(
        enum_column(ArrivalStatus, "arrival_status"), index=True
    )
    hold_reason: Mapped[HoldReason | None] = mapped_column(enum_column(HoldReason, "hold_reason"))
    bond_id: Mapped[int | None] = mapped_column(ForeignKey("bid_bond.id"))
    bank_key_id: Mapped[int | None] = mapped_column(ForeignKey("bond_bank_key.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    sub_account: Mapped[SubAccount | None] = relationship()


class KeyAlg(enum.StrEnum):
    ED25519 = "ed25519"
    HMAC_SHA256 = "hmac-sha256"


class BankKey(Base):
    """A bank's key for signed arrival notices, registered by an administrator or centre staff."""

    __tablename__ = "bond_bank_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(40), unique=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    alg: Mapped[KeyAlg] = mapped_column(enum_column(KeyAlg, "bank_key_alg"))
    public_key: Mapped[str] = mapped_column(Text, default="")  # Ed25519, PEM or raw hex
    sealed_secret: Mapped[str] = mapped_column(Text, default="")  # HMAC secret, secretbox
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class BankNonce(Base):
    """A nonce a bank's signed notice used: a second use is a replay and is refused."""

    __tablename__ = "bond_bank_nonce"
    __table_args__ = (UniqueConstraint("bank_key_id", "nonce"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_key_id: Mapped[int] = mapped_column(ForeignKey("bond_bank_key.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class RefundReason(enum.StrEnum):
    NOT_AWARDED = "not_awarded"  # other bidders: within 5 days of the award notice
    WINNER = "winner"  # the winner: within 5 days of the contract
    RETURN_ARRIVAL = "return_arrival"  # a held payment sent back to its payer


class BondRefund(Base):
    """A bond (or a held payment) to give back, its legal due time and when it was done."""

    __tablename__ = "bond_refund"
    __table_args__ = (
        CheckConstraint(
            "(bond_id IS NOT NULL AND arrival_id IS NULL)"
            " OR (bond_id IS NULL AND arrival_id IS NOT NULL)",
            name="one_source",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    bond_id: Mapped[int | None] = mapped_column(ForeignKey("bid_bond.id"), unique=True)
    arrival_id: Mapped[int | None] = mapped_column(ForeignKey("bond_arrival.id"), unique=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[RefundReason] = mapped_column(enum_column(RefundReason, "refund_reason"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    bank_reference: Mapped[str] = mapped_column(String(100), default="")

    supplier: Mapped[Organisation | None] = relationship()
