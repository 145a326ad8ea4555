"""Display names of the result stages' kinds and states (translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

FILING_LABELS: dict[str, Any] = {
    "objection": _l("异议"),
    "challenge": _l("质疑"),
    "complaint": _l("投诉"),
}
FILING_STATUS_LABELS: dict[str, Any] = {"pending": _l("待答复"), "answered": _l("已答复")}
NOTICE_LABELS: dict[str, Any] = {"award": _l("中标通知书"), "result": _l("中标结果通知书")}
