"""Append-only, hash-chained audit log."""

from app.core.audit.service import (
    CHECKPOINT_SECONDS,
    Inclusion,
    checkpoint,
    current_root,
    proof,
    record,
    root_at,
)

__all__ = [
    "Inclusion",
    "checkpoint",
    "current_root",
    "proof",
    "record",
    "register_jobs",
    "root_at",
]


def register_jobs() -> None:
    """Sign a checkpoint of the log every few minutes (idempotent while it does not grow)."""
    from app.core.scheduler import register_job

    register_job("audit_checkpoint", checkpoint, CHECKPOINT_SECONDS)
