"""The audit actions the expert domain records, each under one name.

Stored action names are part of each audit entry's hash, so they never change; a constant
whose stored name is not in the past tense says so.
"""

from __future__ import annotations

# The pool and each expert's record
EXPERT_REGISTERED = "experts.registered"
EXPERT_UPDATED = "experts.updated"
EXPERT_STATUS_CHANGED = "experts.status_changed"
POOL_IMPORTED = "experts.imported"
EMPLOYMENT_ADDED = "experts.employment_added"
RELATION_DECLARED = "experts.relation_declared"
LEAVE_ADDED = "experts.leave_added"
CREDIT_RECORDED = "experts.credit_recorded"
EXPERT_APPRAISED = "experts.appraised"

# Draws
DRAW_REQUESTED = "experts.draw_requested"
DRAW_COMMITTED = "experts.draw_committed"
DRAW_DRAWN = "experts.draw_drawn"
DRAW_CANCELLED = "experts.draw_cancelled"
DRAW_REVEALED = "experts.draw_revealed"
SUPPLEMENT_REQUESTED = "experts.draw_supplement_requested"
DRAW_FELL_SHORT = "experts.draw_short"  # stored name predates the past-tense rule

# Invitations
EXPERT_INVITED = "experts.invited"
INVITATION_ANSWERED = "experts.invitation_answered"
INVITATION_EXPIRED = "experts.invitation_expired"
CONFLICT_DECLARED = "experts.conflict_declared"
EXPERT_SIGNED_IN = "experts.signed_in"

# Sharing
POOL_SHARED = "experts.pool_shared"
