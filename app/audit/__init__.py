"""Append-only, hash-chained audit log."""

from app.audit.service import record

__all__ = ["record"]
