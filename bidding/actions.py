"""Names of the audit actions recorded by projects, lots, announcements and tender documents.

Stored action strings are part of each audit entry's hash and can never be renamed, so a
constant keeps the stored string even where its Python name reads differently.
"""

from __future__ import annotations

PROJECT_CREATED = "project.created"

LOT_CREATED = "lot.created"
LOT_UPDATED = "lot.updated"
LOT_PUBLISHED = "lot.published"
LOT_TERMINATED = "lot.terminated"
LOT_DEADLINE_MOVED = "lot.deadline_move"  # stored name predates the past-tense rule
LOT_SUSPENDED = "lot.suspend"  # stored name predates the past-tense rule
LOT_RESUMED = "lot.resume"  # stored name predates the past-tense rule
# Someone asked for a record sealed until the deadline (the bond list) before it: refused,
# and kept as an integrity signal for the supervisors.
SEALED_READ_REFUSED = "sealed.read_refused"

ANNOUNCEMENT_PUBLISHED = "announcement.published"

TENDER_DOCUMENT_UPLOADED = "tender_document.upload"  # stored name predates the past-tense rule
TENDER_DOCUMENT_DOWNLOADED = "tender_document.download"  # stored name predates the past-tense rule

QUESTION_ASKED = "question.ask"  # stored name predates the past-tense rule
QUESTION_ANSWERED = "question.answer"  # stored name predates the past-tense rule

OBJECTION_FILED = "objection.file"  # stored name predates the past-tense rule
OBJECTION_ANSWERED = "objection.answer"  # stored name predates the past-tense rule

# A barred supplier (失信, administrative ban) refused at a document step or a bid.
PARTICIPATION_REFUSED = "participation.refused"

# A deletion refused because a retained project archive refers to what it would remove.
DELETE_REFUSED = "lot.delete_refused"

# The procurement notice of a plan-line project refused by the 30-day intent rule, and the
# lawful exemption from it recorded with its reason.
INTENT_LEAD_REFUSED = "intent.lead_refused"
INTENT_EXEMPTED = "intent.exemption_recorded"
