"""The audit actions of the evaluation room, each under one name (past tense, prefix "eval.").

Stored action names are part of each audit entry's hash, so they never change.
"""

from __future__ import annotations

# The committee
COMMITTEE_FORMED = "eval.committee_formed"
MEMBER_ADDED = "eval.member_added"  # a purchaser representative named after a removal
MEMBER_REPLACED = "eval.member_replaced"  # a reserve expert took a removed member's seat
IDENTITY_CONFIRMED = "eval.identity_confirmed"
MEMBER_SIGNED_IN = "eval.member_signed_in"
COMMITMENT_SIGNED = "eval.commitment_signed"
MEMBER_REMOVED = "eval.member_removed"

# The leader election
VOTE_CAST = "eval.vote_cast"

# The host's controls and the supervisors' decisions
PHASE_ADVANCED = "eval.phase_advanced"
PAUSED = "eval.paused"
RESUMED = "eval.resumed"
EXTENDED = "eval.extended"
REQUEST_MADE = "eval.request_made"
REQUEST_DECIDED = "eval.request_decided"

# The room's text channel
MESSAGE_POSTED = "eval.message_posted"

# A command the server refused (out of order, not a member, a second vote...)
REFUSED = "eval.refused"

# The scoring scheme (stored names predate the "eval." prefix)
SCHEME_SAVED = "scoring_scheme.saved"
SCHEME_FROZEN = "scoring_scheme.frozen"
AMENDMENT_PROPOSED = "scoring_scheme.amendment_proposed"
AMENDMENT_WITHDRAWN = "scoring_scheme.amendment_withdrawn"
SCHEME_AMENDED = "scoring_scheme.amended"
