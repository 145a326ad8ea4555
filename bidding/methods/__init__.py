"""The procurement methods (采购方式): each method's differences from the others, in one place.

One module per method declares its `MethodRule`: the unit of its minimum response period
(calendar or working days, counted from the first issue of the documents, as
`bidding.clocks` counts every period; the number of days is `BID_PERIOD_MIN_DAYS_BY_METHOD`,
which a centre may raise), whether the documents are on offer for a minimum window, who may obtain the
documents and respond, whether a response may be replaced, how the result is decided, how
its notice is called and which fields it carries, whether the result goes through a
candidate publicity, the words its result is told in (中标 or 成交), and how OCDS names it. Services, pages,
the portal and the OCDS feed ask `rule_for(method)` instead of testing the method by name.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.clock import WorkCalendar
from app.core.i18n import N_
from bidding import clocks
from bidding.models import Method


class Audience(enum.StrEnum):
    """Who may obtain the documents and respond."""

    REGISTERED = "registered"  # any registered supplier
    INVITEES = "invitees"  # only the suppliers invited (邀请招标, 竞争性谈判/磋商 by invitation)
    NAMED = "named"  # the one supplier the publicity named (单一来源)


class ResultRule(enum.StrEnum):
    LOWEST_PRICE = "lowest_price"  # the lowest price that meets the requirements wins
    COMPREHENSIVE = "comprehensive"  # comprehensive scoring
    NEGOTIATED = "negotiated"  # a recorded price negotiation with the one supplier


@dataclass(frozen=True)
class ResultWords:
    """What a method's result is called (N_ msgids, translated where shown). Tendering
    (招标投标法, and 政府采购法 for open and invited tendering) awards a bid: 中标. The other
    procurement methods close a deal with a supplier (政府采购非招标采购方式管理办法,
    竞争性磋商采购方式管理暂行办法): 成交."""

    word: str  # 中标 / 成交
    winner: str  # 中标人 / 成交供应商
    candidates: str  # 中标候选人 / 成交候选人
    amount: str  # 中标金额 / 成交金额
    result_notice: str  # 中标结果公告 / 成交结果公告
    award_letter: str  # 中标通知书 / 成交通知书: to the winner
    result_letter: str  # 中标结果通知书 / 成交结果通知书: to every other supplier
    publicity: str  # 中标候选人公示 / 成交候选人公示
    confirm: str  # the staff's button: 定标并发出通知书 / 确定成交供应商并发出通知书
    confirmed: str  # what the page says once it is done
    # The results pages' words for who took part and what they offered: tendering has
    # 投标人 and their 投标报价 judged by a 评标委员会; the other methods have 供应商 whose 报价
    # a 谈判/磋商/询价小组 reviews (评审).
    party: str  # 投标人 / 供应商: the candidates table's heading
    offer: str  # 投标报价 / 报价
    review_result: str  # 评标结果 / 评审结果: the results page's title
    report_done: str  # 评标报告完成 / 评审报告完成
    report_pending: str  # 评标报告尚未签署完成。 / 评审报告尚未签署完成。
    valid_offers: str  # 评审后的有效投标 / 评审后的有效响应
    rejected: str  # 被否决的投标 / 被否决的响应
    objection: str  # the supplier's filing choice: 对评标结果提出异议 / 对评审结果提出异议


TENDER_WORDS = ResultWords(
    word=N_("中标"),
    winner=N_("中标人"),
    candidates=N_("中标候选人"),
    amount=N_("中标金额"),
    result_notice=N_("中标结果公告"),
    award_letter=N_("中标通知书"),
    result_letter=N_("中标结果通知书"),
    publicity=N_("中标候选人公示"),
    confirm=N_("定标并发出通知书"),
    confirmed=N_("已定标：中标结果公告已发布，通知书已发出。"),
    party=N_("投标人"),
    offer=N_("投标报价"),
    review_result=N_("评标结果"),
    report_done=N_("评标报告完成"),
    report_pending=N_("评标报告尚未签署完成。"),
    valid_offers=N_("评审后的有效投标"),
    rejected=N_("被否决的投标"),
    objection=N_("对评标结果提出异议（公示期内）"),
)
DEAL_WORDS = ResultWords(
    word=N_("成交"),
    winner=N_("成交供应商"),
    candidates=N_("成交候选人"),
    amount=N_("成交金额"),
    result_notice=N_("成交结果公告"),
    award_letter=N_("成交通知书"),
    result_letter=N_("成交结果通知书"),
    publicity=N_("成交候选人公示"),
    confirm=N_("确定成交供应商并发出通知书"),
    confirmed=N_("已确定成交供应商：成交结果公告已发布，通知书已发出。"),
    party=N_("供应商"),
    offer=N_("报价"),
    review_result=N_("评审结果"),
    report_done=N_("评审报告完成"),
    report_pending=N_("评审报告尚未签署完成。"),
    valid_offers=N_("评审后的有效响应"),
    rejected=N_("被否决的响应"),
    objection=N_("对评审结果提出异议（公示期内）"),
)


@dataclass(frozen=True)
class MethodRule:
    method: Method
    # 招标 (tendering law: open and invited) rather than other procurement methods.
    is_tendering: bool
    # The minimum from the first issue of documents to the response deadline is counted in
    # working days (the number of days is the config's and a centre's: `bid_period_min_days`).
    response_in_working_days: bool
    # The documents must be on offer for a minimum window (招标: ≥5 working days).
    has_document_window: bool
    audience: Audience
    min_suppliers: int
    responses_replaceable: bool
    result_rule: ResultRule
    notice_word: str  # N_: what its notice is called (招标公告, 询价公告, …)
    # 中标 or 成交: every result page, notice, letter and announcement of the method.
    result_words: ResultWords
    # The candidates are published for objections before the award (招标: 中标候选人公示).
    # The other methods publish the 成交结果公告 straight after the review (采购人 confirms
    # the supplier the group recommends; no candidate publicity).
    candidate_publicity: bool
    # How the notices to the suppliers say the result was reached (N_, Chinese).
    result_basis: str
    ocds_method: str  # OCDS procurementMethod codelist: open / selective / limited / direct
    # Working days a publicity must run before responses (单一来源: reason and supplier).
    publicity_working_days: int = 0
    # Stored notice fields this method's notice carries beyond the tender notice's own.
    notice_fields: tuple[str, ...] = ()
    # After the opening the group negotiates with each supplier separately, in rounds of
    # sealed quotes ending with a sealed final quote (竞争性谈判, 竞争性磋商).
    negotiates_in_rounds: bool = False
    # The announcement kinds whose portal fields this method reads from another entry of
    # `bidding.notice_fields` (单一来源: its publicity is not a tender notice).
    # (kind, entry) pairs.
    notice_field_kinds: tuple[tuple[str, str], ...] = ()


# What the notice fields of a method are called (each method's notice requires its own).
NOTICE_FIELD_LABELS: dict[str, str] = {
    "single_source_reason": N_("采用单一来源方式的理由"),
    "supplier_name": N_("拟定的唯一供应商名称"),
    "supplier_address": N_("拟定的唯一供应商地址"),
    "expert_opinion": N_("专业人员论证意见"),
}
# Of those, the ones a notice may leave empty (the expert opinion: "if any").
OPTIONAL_NOTICE_FIELDS = frozenset({"expert_opinion"})

_RULES: dict[Method, MethodRule] = {}


def register(rule: MethodRule) -> MethodRule:
    _RULES[rule.method] = rule
    return rule


def rule_for(method: Method | str) -> MethodRule:
    return _RULES[Method(str(method))]


def words_for(method: Method | str | None) -> ResultWords:
    """The words of a method's result; without a method, tendering's."""
    return TENDER_WORDS if method is None else rule_for(method).result_words


def kind_word(method: Method | str | None, kind: str) -> str | None:
    """What an announcement of `kind` is called under a method (N_): its notice (询价公告,
    单一来源采购公示…) and its result (中标 or 成交); None for the kinds every method
    calls alike."""
    if method is None:
        return None
    rule = rule_for(method)
    words = rule.result_words
    return {
        "tender": rule.notice_word,
        "candidates": words.publicity,
        "result": words.result_notice,
    }.get(str(kind))


def notice_field_kind(method: Method | str | None, kind: str) -> str:
    """The `bidding.notice_fields` entry a method's announcement of `kind` is read with."""
    if method is None:
        return kind
    return dict(rule_for(method).notice_field_kinds).get(kind, kind)


def rules() -> list[MethodRule]:
    return [_RULES[m] for m in Method if m in _RULES]


def codes() -> list[str]:
    """The methods a lot may run under, in the registry's order (filters list these)."""
    return [r.method.value for r in rules()]


@dataclass(frozen=True)
class ResponsePeriod:
    """A method's minimum response period as it stands for one centre."""

    days: int
    working: bool

    def last_day(self, start: dt.datetime, calendar: WorkCalendar) -> dt.date:
        """The earliest date the deadline may fall on (the period's last day)."""
        return clocks.earliest_response_date(start, self.days, calendar, working=self.working)


def response_period(
    method: Method | str, config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None
) -> ResponsePeriod:
    rule = rule_for(method)
    days = clocks.bid_period_min_days(rule.method.value, config, centre_settings)
    return ResponsePeriod(days, rule.response_in_working_days)


# One module per method; importing them fills the registry.
from bidding.methods import (  # noqa: E402, F401
    consultation,
    inquiry,
    invited,
    negotiation,
    open_tender,
    single_source,
)
