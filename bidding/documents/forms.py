"""Cleaning the free text suppliers and staff type: questions, answers, objections, notices."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError

TEXT_MAX = 5000


def clean_text(value: str | None, field: str, label: Any, *, max_len: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(_l("%(f)s不能为空。", f=label), field=field)
    if len(text) > max_len:
        raise ValidationError(_l("%(f)s不得超过 %(n)s 个字符。", f=label, n=max_len), field=field)
    return text
