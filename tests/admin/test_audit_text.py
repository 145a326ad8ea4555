"""Every audit action of every package reads as words in the audit browser."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from app.credit import actions as credit_actions
from app.inspections import actions as inspection_actions
from app.market import actions as market_actions
from app.supervision import actions as supervision_actions
from app.supervision import audit_text
from app.supervision.ratings import actions as rating_actions
from bidding import actions as lot_actions
from bidding.bids import actions as bid_actions
from bidding.invitations import actions as invitation_actions
from bidding.plans import actions as plan_actions
from experts import actions as expert_actions
from remote_eval import actions as eval_actions
from remote_eval.venues import actions as venue_actions


def _names(module: ModuleType) -> list[str]:
    return [
        v
        for k, v in vars(module).items()
        if k.isupper() and isinstance(v, str) and "." in v and not v.endswith(".")
    ]


@pytest.mark.parametrize(
    "module",
    [
        lot_actions,
        bid_actions,
        expert_actions,
        eval_actions,
        credit_actions,
        inspection_actions,
        rating_actions,
        market_actions,
        venue_actions,
        plan_actions,
        invitation_actions,
        supervision_actions,
    ],
)
def test_every_action_constant_has_a_sentence(app: Any, module: ModuleType) -> None:
    with app.test_request_context():
        for name in _names(module):
            words = audit_text.action_text(name)
            assert name in audit_text.ACTION_TEXT or name in audit_text.LOG_ACTION, name
            assert "." not in words and "_" not in words, (name, words)


def test_data_reads_as_a_labelled_list(app: Any) -> None:
    with app.test_request_context():
        items = audit_text.data_items(
            '{"kind": "clarification", "old": "2026-12-07T01:30:00+00:00", '
            '"reason": "objection_answered", "deadline_moved": true, "sha256": "' + "ab" * 32 + '"}'
        )
    text = {i.label: i.value for i in items}
    assert text["类型"] == "澄清/更正公告"
    assert text["原时间"] == "2026-12-07 09:30:00"
    assert text["原因"] == "异议已答复"
    assert text["附加信息"] == "是"
    assert text["文件哈希"].endswith("…") and len(text["文件哈希"]) == 17


def test_a_stored_reference_reads_as_the_object_it_names(app: Any) -> None:
    """A lot's result names the report it was built from ("eval_report:12"); a bank arrival
    its channel: neither reaches the reader as a code."""
    with app.test_request_context():
        report = {i.label: i.value for i in audit_text.data_items('{"source": "eval_report:12"}')}
        bank = {i.label: i.value for i in audit_text.data_items('{"source": "statement"}')}
        other = {i.label: i.value for i in audit_text.data_items('{"source": "lot_plan:3"}')}
    assert report == {"来源": "评标报告 #12"}
    assert bank == {"来源": "银行对账单"}
    assert other == {"来源": "记录"}
