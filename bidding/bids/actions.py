"""Audit actions recorded by sealed bids and the opening (stored names: never rename one)."""

from __future__ import annotations

# Every action about a bidder's bid or bond starts with this (supervision seals them).
PREFIX = "bid."

# Bid bonds
BOND_PAID = "bid.bond.paid"
GUARANTEE_SUBMITTED = "bid.bond.guarantee_submitted"
BOND_ACCEPTED = "bid.bond.accepted"
BOND_REJECTED = "bid.bond.rejected"
SUB_ACCOUNT_ISSUED = "bid.bond.sub_account_issued"
ARRIVAL_MATCHED = "bid.bond.arrival_matched"
ARRIVAL_HELD = "bid.bond.arrival_held"
ARRIVAL_CREDITED = "bid.bond.arrival_credited"
ARRIVAL_RETURNED = "bid.bond.arrival_returned"
REFUND_STARTED = "bid.bond.refund_started"
REFUND_DONE = "bid.bond.refund_done"
REFUND_OVERDUE = "bid.bond.refund_overdue"
# The centre's bond account (not about one bidder, so not sealed by the prefix above)
STATEMENT_IMPORTED = "bond_account.statement_imported"
BANK_KEY_REGISTERED = "bond_account.bank_key_registered"
BANK_KEY_REVOKED = "bond_account.bank_key_revoked"

# Opening key custody
OPENING_KEY_CREATED = "bid.opening_key.created"

# Uploads and bids
UPLOAD_STARTED = "bid.upload.started"
# A second quote, or a withdrawal, where the method allows one quote only (询价)
QUOTE_REFUSED = "bid.quote_refused"
BID_SUBMITTED = "bid.submitted"
BID_WITHDRAWN = "bid.withdrawn"

# The deadline freeze and 流标
BIDS_FROZEN = "lot.bids_frozen"
LOT_RETENDERED = "lot.retendered"

# The opening hall
OPENING_STARTED = "opening.started"
BIDDER_SIGNED_IN = "opening.signed_in"
SHARE_PRESENTED = "opening.share_presented"
DECRYPTION_STARTED = "opening.decryption_started"
BID_DECRYPTED = "opening.bid_decrypted"
BID_REVOKED = "opening.bid_revoked"  # 视为撤销
BID_RETRACTED = "opening.bid_retracted"  # 视为撤回
OPENING_DECRYPTED = "opening.decrypted"
# The plaintext files of an opened bid hashed after the prices were read (file_hashes.py).
BID_FILES_CHECKED = "opening.bid_files_checked"
LINE_CONFIRMED = "opening.line_confirmed"
OBJECTION_RAISED = "opening.objection_raised"
OBJECTION_ANSWERED = "opening.objection_answered"

# The opening record
RECORD_SIGNED = "opening.record_signed"
RECORD_PUBLISHED = "opening.record_published"
# 单一来源: a share or an opening refused while the publicity runs or an objection is open
OPENING_HELD = "bid.opening_held"
