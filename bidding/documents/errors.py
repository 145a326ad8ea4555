"""Errors of the document side that carry more than a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core.errors import Conflict, DomainError


class DeadlineMustMove(Conflict):
    """A clarification inside the legal window: the staff member must confirm a new deadline."""

    code = "deadline_must_move"

    def __init__(self, message: Any, *, proposed: dt.datetime, minimum: dt.datetime) -> None:
        super().__init__(message, proposed_deadline=proposed.isoformat())
        self.proposed = proposed
        self.minimum = minimum

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["proposed_deadline"] = self.proposed.isoformat()
        body["minimum_deadline"] = self.minimum.isoformat()
        return body


class DocumentDamaged(DomainError):
    """The stored file no longer matches the hash recorded at upload."""

    status = 409
    code = "document_damaged"
