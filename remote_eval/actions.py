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

# A member opened a bid's file in the room (member, bidder, file name, hash)
BID_FILE_OPENED = "eval.bid_file_opened"

# The room's text channel
MESSAGE_POSTED = "eval.message_posted"

# A command the server refused (out of order, not a member, a second vote...)
REFUSED = "eval.refused"
# A websocket attempt the rooms server refused (it serves every kind of room, hence the name)
ROOM_REFUSED = "rooms.refused"

# The review, clarifications, scoring and summary
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

# The scoring scheme (stored names predate the "eval." prefix)
SCHEME_SAVED = "scoring_scheme.saved"
SCHEME_FROZEN = "scoring_scheme.frozen"
AMENDMENT_PROPOSED = "scoring_scheme.amendment_proposed"
AMENDMENT_WITHDRAWN = "scoring_scheme.amendment_withdrawn"
SCHEME_AMENDED = "scoring_scheme.amended"

# 评标报告与签署 (the report and the members' signatures)
SIGNING_KEY_REGISTERED = "eval.signing_key_registered"
REPORT_GENERATED = "eval.report_generated"
REPORT_SIGNED = "eval.report_signed"
REPORT_REFUSED = "eval.report_refused"

# The negotiation in rounds (竞争性谈判 / 竞争性磋商), prefix "nego."
NEGO_ROUND_OPENED = "nego.round_opened"  # a round, or the final quote, opened by the leader
NEGO_QUOTE_SEALED = "nego.quote_sealed"  # a supplier's sealed quote (its hash, never the price)
NEGO_ROUND_CLOSED = "nego.round_closed"  # the round closed and its quotes read at once
NEGO_AMENDED = "nego.amended"  # the requirements amended in writing between rounds
NEGO_SUPPLIER_DROPPED = "nego.supplier_dropped"
NEGO_MESSAGE_POSTED = "nego.message_posted"  # a line of the conversation with one supplier
