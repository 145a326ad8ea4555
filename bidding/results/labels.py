"""Display names of the result stages' kinds and states (translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from bidding.methods import words_for
from bidding.models import Method

FILING_LABELS: dict[str, Any] = {
    "objection": _l("异议"),
    "challenge": _l("质疑"),
    "complaint": _l("投诉"),
}
FILING_STATUS_LABELS: dict[str, Any] = {"pending": _l("待答复"), "answered": _l("已答复")}


def notice_label(kind: str, method: Method | str | None = None) -> str:
    """The letter to a supplier in its lot's method's words: to the winner 中标通知书 or
    成交通知书, to the others 中标结果通知书 or 成交结果通知书."""
    words = words_for(method)
    letter = words.award_letter if kind == "award" else words.result_letter
    return _(letter)
