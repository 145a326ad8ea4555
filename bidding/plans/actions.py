"""Names of the audit actions of procurement plan lines."""

from __future__ import annotations

PLAN_LINE_FILED = "plan_line.filed"
PLAN_LINE_RESUBMITTED = "plan_line.resubmitted"
PLAN_LINE_APPROVED = "plan_line.approved"
PLAN_LINE_RETURNED = "plan_line.returned"
PLAN_LINE_DRAWN = "plan_line.drawn"
PLAN_LINE_DRAW_REFUSED = "plan_line.draw_refused"
PLAN_LINE_BUDGET_RETURNED = "plan_line.budget_returned"
