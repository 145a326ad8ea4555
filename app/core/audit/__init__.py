"""Append-only, hash-chained audit log."""

from app.core.audit.service import CHECKPOINT_SECONDS, checkpoint, current_root, record

__all__ = ["checkpoint", "current_root", "record", "register_jobs"]


def register_jobs() -> None:
    """Sign a checkpoint of the log every few minutes (idempotent while it does not grow)."""
    from app.core.scheduler import register_job

    register_job("audit_checkpoint", checkpoint, CHECKPOINT_SECONDS)
