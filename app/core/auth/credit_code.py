"""Unified social credit code (统一社会信用代码, GB 32100-2015) with its check character."""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    code = (code or "").strip().upper()
    if len(code) != 18 or not _SHAPE.match(code):
        return False
    return check_char(code[:17]) == code[17]


def complete(first17: str) -> str:
    """Append the check character (used by demo data and test factories)."""
    first17 = first17.upper()
    return first17 + check_char(first17)


def require_valid(code: str | None, field: str = "credit_code") -> str:
    """The code trimmed and upper-cased; a ValidationError that names it when it is invalid."""
    from flask_babel import lazy_gettext as _l

    from app.core.errors import ValidationError

    code = (code or "").strip().upper()
    if not is_valid(code):
        raise ValidationError(
            _l(
                "统一社会信用代码 %(c)s 无效：应为 18 位，且末位校验码须正确（GB 32100）。",
                c=code or "—",
            ),
            field=field,
        )
    return code
