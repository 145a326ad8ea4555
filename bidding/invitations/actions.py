"""Names of the audit actions of invitations (邀请招标)."""

from __future__ import annotations

INVITEES_RECOMMENDED = "invitation.recommended"
INVITEES_DRAWN = "invitation.drawn"
