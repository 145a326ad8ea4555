"""Names of the audit actions of prequalification (资格预审)."""

from __future__ import annotations

PUBLISHED = "prequal.published"
APPLIED = "prequal.applied"
APPLY_REFUSED = "prequal.apply_refused"
COMMITTEE_SEATED = "prequal.committee_seated"
VERDICT_GIVEN = "prequal.verdict"
REVIEW_REFUSED = "prequal.review_refused"
CONCLUDED = "prequal.concluded"
INVITED = "prequal.invited"
INVITE_REFUSED = "prequal.invite_refused"
CORRECTED = "prequal.corrected"
WITHDRAWN = "prequal.withdrawn"
