"""Words for rating levels, targets and follow-up states (never the stored codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVEL_LABELS = {
    5: _l("非常满意"),
    4: _l("满意"),
    3: _l("基本满意"),
    2: _l("不满意"),
    1: _l("非常不满意"),
}
TARGET_LABELS = {"centre": _l("交易中心服务"), "agency": _l("代理机构服务")}
FOLLOW_UP_LABELS = {
    "open": (_l("待答复"), "badge-amber"),
    "answered": (_l("已答复，待办结"), "badge-blue"),
    "closed": (_l("已办结"), "badge-green"),
}
