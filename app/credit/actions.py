"""Names of the audit actions of credit records."""

from __future__ import annotations

CREDIT_RECORDED = "credit.recorded"
CREDIT_LIFTED = "credit.lifted"
