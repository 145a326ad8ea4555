"""DomainError family: services raise these, the shell turns them into 4xx answers.

Messages are lazy gettext strings, so they are rendered in the user's language when
the response is built, not when the error is raised.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Any, *, field: str | None = None, **details: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.details = details
        # (action, object, data) to append to the audit log once the refused transaction
        # has rolled back: a refusal the rules ask to keep must not vanish with it.
        self.refusal_audit: tuple[str, Any, dict[str, Any]] | None = None

    def audited(self, action: str, obj: Any, data: dict[str, Any]) -> DomainError:
        """Ask the shell to record this refusal (in a transaction of its own) once answered."""
        self.refusal_audit = (action, obj, data)
        return self

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": str(self.message)}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = {k: str(v) for k, v in self.details.items()}
        return body


class ValidationError(DomainError):
    status = 422
    code = "invalid"


class Unauthorized(DomainError):
    """The caller did not prove who it is (a machine's signature, not a login)."""

    status = 401
    code = "unauthorized"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooEarly(DomainError):
    """A legal clock has not yet run: the action is refused until it has."""

    status = 409
    code = "too_early"


class TooLate(DomainError):
    status = 409
    code = "too_late"
