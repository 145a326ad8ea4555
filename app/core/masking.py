"""How personal numbers read to someone who may not see them whole (least exposure).

One rule for every page, API answer and export: a mobile number keeps its first three
and last four digits (138****1234), an identity card number its first four and last four
(1101**********1234; a record that keeps only the last four shows the rest as stars).
Who may see a number whole is decided by the package that owns it (for experts, the
pool's own staff: `experts.policies.can_see_contact`).
"""

from __future__ import annotations

PHONE_HEAD, PHONE_TAIL = 3, 4
ID_HEAD, ID_TAIL, ID_LENGTH = 4, 4, 18


def mask_phone(phone: str | None) -> str:
    """138****1234; a short or empty value shows as stars only (nothing to recognise)."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) <= PHONE_HEAD + PHONE_TAIL:
        return "*" * len(digits)
    middle = len(digits) - PHONE_HEAD - PHONE_TAIL
    return digits[:PHONE_HEAD] + "*" * middle + digits[-PHONE_TAIL:]


def mask_id_card(number: str | None = None, *, tail: str = "") -> str:
    """1101**********1234 from a whole number; from a kept tail only, stars and the tail."""
    value = (number or "").strip()
    if len(value) > ID_HEAD + ID_TAIL:
        return value[:ID_HEAD] + "*" * (len(value) - ID_HEAD - ID_TAIL) + value[-ID_TAIL:]
    kept = (tail or value)[-ID_TAIL:]
    return "*" * (ID_LENGTH - len(kept)) + kept if kept else ""
