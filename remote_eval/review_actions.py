"""Audit actions of the review, clarifications, scoring and summary of an evaluation.

Stored action names are part of each audit entry's hash, so they never change.
"""

from __future__ import annotations

# 资格审查 / 符合性审查
VERDICT_RECORDED = "eval.verdict_recorded"
ITEM_DECIDED = "eval.item_decided"
DISSENT_WRITTEN = "eval.dissent_written"

# 澄清
CLARIFICATION_ASKED = "eval.clarification_asked"
CLARIFICATION_ANSWERED = "eval.clarification_answered"
CLARIFICATION_JUDGED = "eval.clarification_judged"

# 详细评审
SCORES_SAVED = "eval.scores_saved"
SHEET_SUBMITTED = "eval.sheet_submitted"
SHEET_REOPENED = "eval.sheet_reopened"

# 汇总
JUSTIFICATION_WRITTEN = "eval.justification_written"
SUMMARY_LOCKED = "eval.summary_locked"
