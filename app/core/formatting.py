"""How times and money read on every page, message and record: one formatter each.

Times are shown in China Standard Time; "—" stands for a missing value. Money is exact
(Decimal yuan); Chinese text writes "1,200,000.00 元", English pages "CNY 1,200,000.00".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.db import to_money

MINUTE = "%Y-%m-%d %H:%M"
SECOND = "%Y-%m-%d %H:%M:%S"
DAY = "%Y-%m-%d"
# Formal notices and signed records write dates the Chinese way.
CHINESE_MINUTE = "%Y年%m月%d日 %H:%M"
CHINESE_DAY = "%Y年%m月%d日"
# The value of an <input type="datetime-local">.
FORM_INPUT = "%Y-%m-%dT%H:%M"
MISSING = "—"


def cst(value: dt.datetime | str | None, fmt: str = MINUTE) -> str:
    """A stored (UTC) time, or its ISO text as kept in signed JSON records, in CST."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return clock.to_cst(value).strftime(fmt)


def cst_until(value: dt.datetime | str | None, fmt: str = MINUTE) -> str:
    """The end of a period: an instant at 00:00 CST reads as 24:00 of the day before, the
    way the law states a period's end (the day it ends is the one that counts)."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = clock.to_cst(value)
    if local.time() == dt.time() and "%H:%M" in fmt:
        before = local - dt.timedelta(days=1)
        return before.strftime(fmt.replace("%H:%M", "24:00").replace(":%S", ""))
    return local.strftime(fmt)


def form_input(value: dt.datetime | None) -> str:
    """A stored time as the value of a datetime-local input; empty when there is none."""
    return "" if value is None else clock.to_cst(value).strftime(FORM_INPUT)


def yuan(amount: Decimal | int | str | None) -> str:
    """Money in Chinese text (notices, messages, records), whatever the reader's language."""
    if amount is None:
        return MISSING
    return f"{to_money(amount):,.2f} 元"


def money(value: Any) -> str:
    """Money for a page in the reader's language (the templates' `money` filter)."""
    if value is None:
        return MISSING
    from flask_babel import format_decimal, get_locale

    text = format_decimal(Decimal(value), format="#,##0.00")
    if str(get_locale()).startswith("en"):
        return f"CNY {text}"
    return f"{text} 元"
