"""Names of the audit actions of the result stages (stored; never renamed)."""

from __future__ import annotations

LOT_EVALUATED = "lot.evaluated"
LOT_RESULT_FAILED = "lot.result_failed"
PUBLICITY_PUBLISHED = "result.publicity_published"
FILING_FILED = "result_filing.filed"
FILING_ANSWERED = "result_filing.answered"
FILING_REMINDED = "result_filing.reminded"
FILING_LATE = "result_filing.late"
LOT_AWARDED = "lot.awarded"
NOTICE_ISSUED = "result_notice.issued"
CONTRACT_FILED = "contract.filed"
CONTRACT_AMENDED = "contract.amended"
CONTRACT_OVERDUE = "contract.overdue"
PUBLICITY_LATE = "result.publicity_late"
FAILURE_PUBLISHED = "result.failure_published"
PRICE_NEGOTIATED = "result.price_negotiated"
