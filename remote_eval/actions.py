"""Names of the audit actions recorded for scoring schemes (stored in hashed entries:
never rename the strings)."""

from __future__ import annotations

SCHEME_SAVED = "scoring_scheme.saved"
SCHEME_FROZEN = "scoring_scheme.frozen"
AMENDMENT_PROPOSED = "scoring_scheme.amendment_proposed"
AMENDMENT_WITHDRAWN = "scoring_scheme.amendment_withdrawn"
SCHEME_AMENDED = "scoring_scheme.amended"
