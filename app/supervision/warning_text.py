"""How a warning reads for people: its rule's name, one sentence of what was found,
and the labels of its level, step and correction."""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import CorrectionStatus, Level, SupervisionWarning, WarningStatus
from app.supervision.rules import POINTS, RULE_FAILED, get_rule, rule_label, rule_point

log = logging.getLogger(__name__)

STATUS_TEXT = {
    WarningStatus.PENDING: _l("待发出"),
    WarningStatus.SENT: _l("待答复"),
    WarningStatus.ANSWERED: _l("已答复待阅"),
    WarningStatus.READ: _l("已阅待办结"),
    WarningStatus.CLOSED: _l("已办结"),
}
LEVEL_TEXT = {Level.YELLOW: _l("黄色预警"), Level.RED: _l("红色预警")}
CORRECTION_TEXT = {
    CorrectionStatus.NONE: "",
    CorrectionStatus.ORDERED: _l("纠错中（标段已暂停）"),
    CorrectionStatus.DONE: _l("纠错已完成"),
}


def title(w: SupervisionWarning) -> str:
    return str(rule_label(w.rule))


def point(w: SupervisionWarning) -> str:
    return str(POINTS.get(rule_point(w.rule), ""))


def sentence(w: SupervisionWarning) -> str:
    facts = w.facts or {}
    if w.rule == RULE_FAILED:
        name = str(rule_label(facts.get("rule", "")))
        if facts.get("outcome") == "timeout":
            return _("监察规则“%(r)s”运行超过其通常用时的 10 倍，已被停止。", r=name)
        return _("监察规则“%(r)s”运行出错，已跳过，其他规则照常运行。", r=name)
    rule = get_rule(w.rule)
    if rule is not None and rule.describe is not None:
        try:
            return rule.describe(facts)
        except Exception:  # odd stored facts must not break the page
            log.exception("describing warning %s", w.id)
    return str(title(w))


def status_text(w: SupervisionWarning) -> str:
    return str(STATUS_TEXT[w.status])


def level_text(w: SupervisionWarning) -> str:
    return str(LEVEL_TEXT[w.level])


def helpers() -> dict[str, Any]:
    """For templates."""
    return {
        "w_title": title,
        "w_point": point,
        "w_sentence": sentence,
        "w_status": status_text,
        "w_level": level_text,
        "w_correction": lambda w: str(CORRECTION_TEXT[w.correction]),
    }
