"""Names of supervision's audit actions (stored in each entry's hash: never renamed)."""

from __future__ import annotations

WARNING_RAISED = "warning.raised"
WARNING_LEVEL_RAISED = "warning.level_raised"
WARNING_SENT = "warning.sent"
WARNING_ANSWERED = "warning.answered"
WARNING_READ = "warning.read"
WARNING_CLOSED = "warning.closed"
WARNING_ESCALATED = "warning.escalated"
WARNING_REFUSED = "warning.refused"
CORRECTION_ORDERED = "warning.correction_ordered"
CORRECTION_DONE = "warning.correction_done"
RULE_FAILED = "supervision.rule_failed"
