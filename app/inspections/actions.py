"""Names of the audit actions of random inspections."""

from __future__ import annotations

ITEM_ADDED = "inspection.item_added"
TARGET_ADDED = "inspection.target_added"
INSPECTOR_ADDED = "inspection.inspector_added"
EMPLOYER_ADDED = "inspection.employer_added"
CAMPAIGN_CREATED = "inspection.campaign_created"
DRAW_COMMITTED = "inspection.draw_committed"
DRAW_DRAWN = "inspection.draw_drawn"
RESULT_ENTERED = "inspection.result_entered"
CAMPAIGN_PUBLISHED = "inspection.campaign_published"
