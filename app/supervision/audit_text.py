"""How an audit entry reads in the audit browser: a sentence per action, its data as a
labelled list. Stored action names and data keys never change (they are hashed), so the
words live here, keyed by those names; `tests/admin/test_audit_text.py` keeps every action
constant of every package covered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import formatting
from app.core.i18n import N_
from app.core.nav import ROLE_LABELS
from app.supervision.action_words import ACTION_TEXT
from bidding.labels import (
    KIND_LABELS,
    METHOD_LABELS,
    STATUS_LABELS,
)
from experts.labels import EXPERT_STATUS, LOG_ACTION

AREA_TEXT: dict[str, str] = {
    "auth": N_("账户操作"),
    "admin": N_("系统管理操作"),
    "demo": N_("演示数据"),
    "bid": N_("投标操作"),
    "opening": N_("开标操作"),
    "experts": N_("专家操作"),
    "eval": N_("评标操作"),
    "scoring_scheme": N_("评分办法操作"),
    "warning": N_("监督预警操作"),
    "participation": N_("参与限制"),
    "credit": N_("信用记录操作"),
    "inspection": N_("双随机抽查操作"),
    "plan_line": N_("采购计划操作"),
}

OBJECT_TEXT: dict[str, str] = {
    "supervision_warning": N_("监督预警"),
    "supervision_rule": N_("监察规则"),
    "project": N_("项目"),
    "plan_line": N_("采购计划"),
    "lot": N_("标段"),
    "announcement": N_("公告"),
    "tender_document": N_("招标文件"),
    "document_download": N_("文件下载"),
    "doc_question": N_("疑问"),
    "doc_objection": N_("异议"),
    "bid": N_("投标文件"),
    "bid_bond": N_("保证金"),
    "bid_upload": N_("上传"),
    "lot_opening_key": N_("开标密钥"),
    "opening": N_("开标"),
    "opening_objection": N_("开标异议"),
    "expert": N_("专家"),
    "expert_draw": N_("专家抽取"),
    "expert_invitation": N_("专家邀请"),
    "expert_appraisal": N_("专家评价"),
    "scoring_scheme": N_("评分办法"),
    "eval_session": N_("评标"),
    "eval_report": N_("评标报告"),
    "user_account": N_("用户"),
    "organisation": N_("单位"),
    "centre": N_("交易中心"),
    "holiday": N_("节假日"),
    "api_token": N_("接口令牌"),
    "credit_record": N_("信用记录"),
    "price_negotiation": N_("价格谈判"),
    "inspection_item": N_("抽查事项"),
    "inspection_roster": N_("抽查名录"),
    "inspection_campaign": N_("双随机抽查活动"),
    "service_rating": N_("服务评价"),
    "rating_follow_up": N_("差评整改"),
}

KEY_TEXT: dict[str, str] = {
    "amount": N_("金额"),
    "budget_item_code": N_("预算项目编码"),
    "commitment": N_("种子承诺"),
    "invitees": N_("受邀供应商"),
    "picked": N_("抽中"),
    "pool": N_("供应商库"),
    "public_value": N_("公开随机值"),
    "short_reason": N_("不足邀请数量的理由"),
    "expected_month": N_("预计采购时间"),
    "funding_source": N_("资金来源"),
    "method_change_approved": N_("批准采用非公开招标方式"),
    "method_reason": N_("采购方式理由"),
    "plan_line_id": N_("采购计划"),
    "project_code": N_("项目编号"),
    "remaining": N_("剩余额度"),
    "returned_for": N_("此前的退回理由"),
    "used": N_("已用额度"),
    "announcement_id": N_("公告编号"),
    "answer_due_at": N_("答复期限"),
    "bid_deadline": N_("投标截止时间"),
    "bids": N_("投标文件"),
    "centre": N_("交易中心"),
    "centre_id": N_("交易中心"),
    "code": N_("编号"),
    "count": N_("数量"),
    "counts": N_("人数"),
    "credit_code": N_("统一社会信用代码"),
    "custodians": N_("密钥保管人"),
    "defaulted": N_("按默认处理"),
    "draw_id": N_("抽取编号"),
    "end": N_("结束"),
    "evaluation_at": N_("评标时间"),
    "failed": N_("流标"),
    "filename": N_("文件名"),
    "fingerprint": N_("指纹"),
    "from": N_("原状态"),
    "to": N_("新状态"),
    "groups": N_("抽取组"),
    "ip": N_("IP 地址"),
    "join": N_("是否参加"),
    "k": N_("解密所需分片数"),
    "n": N_("分片数"),
    "kind": N_("类型"),
    "level": N_("评价等级"),
    "list_hash": N_("名单哈希"),
    "lot": N_("标段"),
    "lot_id": N_("标段"),
    "lots": N_("标段"),
    "method": N_("采购方式"),
    "name": N_("名称"),
    "new": N_("新时间"),
    "old": N_("原时间"),
    "objection_id": N_("异议编号"),
    "overdue": N_("已逾期"),
    "pool_hashes": N_("专家池哈希"),
    "pool_sizes": N_("可抽专家数"),
    "previous_status": N_("原状态"),
    "project_id": N_("项目"),
    "purchaser_id": N_("采购人"),
    "rank": N_("序位"),
    "reason": N_("原因"),
    "reference": N_("流水号"),
    "replaces": N_("替换"),
    "request": N_("抽取条件"),
    "result_sha256": N_("结果哈希"),
    "role": N_("角色"),
    "seed": N_("随机种子"),
    "seed_hash": N_("种子哈希"),
    "sha256": N_("文件哈希"),
    "size": N_("大小（字节）"),
    "slot": N_("抽取组"),
    "start": N_("开始"),
    "status": N_("状态"),
    "supersedes_id": N_("更正的公告"),
    "supplier": N_("供应商"),
    "title": N_("标题"),
    "trade_id": N_("交易编号"),
    "username": N_("用户名"),
    "version": N_("版本"),
    "two_factor": N_("双因素认证"),
    "before": N_("修改前"),
    "after": N_("修改后"),
    "was_until": N_("原黑名单期限"),
    "epoch": N_("会话代次"),
    "user": N_("用户"),
    "message": N_("说明"),
    # Supervision's warnings and rules
    "rule": N_("监察规则"),
    "warning_level": N_("预警等级"),
    "run_outcome": N_("运行结果"),
    "what": N_("记录"),
    "responsible": N_("责任人"),
    "due": N_("期限"),
    "times": N_("次数"),
    "step": N_("环节"),
    "note": N_("意见"),
    "command": N_("操作"),
    "escalations": N_("升级次数"),
    "was": N_("原状态"),
    "activity": N_("操作"),
    "bars": N_("限制"),
    "not_invited": N_("未受邀请"),
    "bid_id": N_("投标文件"),
    "quoted_price": N_("响应报价"),
    "price": N_("价格"),
    "minutes": N_("谈判纪要"),
    "ranked_by": N_("排序规则"),
    "authority": N_("认定机关"),
    "organisation_id": N_("单位"),
    "item_ids": N_("抽查事项"),
    "target_count": N_("抽取检查对象数"),
    "inspector_count": N_("抽取检查人员数"),
    "team_size": N_("每组人数"),
    "teams": N_("检查分组"),
    "target_id": N_("检查对象"),
    "item_id": N_("抽查事项"),
    "outcome": N_("结论"),
    "user_id": N_("用户"),
    "source": N_("来源"),
    "report_sha256": N_("评标报告哈希"),
    "candidates": N_("中标候选人"),
    "rejected": N_("被否决的投标"),
    "publish_by": N_("公示发布期限"),
}
_HASHY = re.compile(r"^[0-9a-f]{32,}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Reasons the system writes as codes (a lot resumes when its objection is answered).
REASON_TEXT: dict[str, str] = {
    "objection_answered": N_("异议已答复"),
    "clarification": N_("澄清/更正"),
    "correction": N_("监督人员责令纠错"),
    "correction_done": N_("纠错完成"),
}
WARNING_VALUES: dict[str, dict[str, str]] = {
    "warning_level": {"yellow": N_("黄色预警"), "red": N_("红色预警")},
    "run_outcome": {"error": N_("运行出错"), "timeout": N_("超时被停止")},
    "what": {"bond_list": N_("投标保证金名单")},
    "step": {"pending": N_("待发出"), "sent": N_("待答复")},
    "command": {
        "send": N_("发出"),
        "answer": N_("答复"),
        "read": N_("已阅"),
        "close": N_("办结"),
        "correction": N_("责令纠错"),
        "correction_done": N_("纠错完成"),
    },
}


class _RuleLabels:
    """The registered rules' names for people, read from the registry when shown."""

    def __contains__(self, name: object) -> bool:
        from app.supervision.rules import RULE_FAILED, get_rule

        return isinstance(name, str) and (name == RULE_FAILED or get_rule(name) is not None)

    def __getitem__(self, name: str) -> Any:
        from app.supervision.rules import rule_label

        return rule_label(name)


# How a bank arrival reached the bond account (`bidding.bids.bond_models.ArrivalSource`).
SOURCE_TEXT: dict[str, str] = {
    "statement": N_("银行对账单"),
    "notice": N_("银行到账通知"),
}
_REFERENCE = re.compile(r"^([a-z_]+):(\d+)$")
ORG_KIND_TEXT: dict[str, str] = {
    "supplier": N_("供应商"),
    "agency": N_("代理机构"),
    "purchaser": N_("采购人/招标人"),
    "centre": N_("交易中心"),
    "authority": N_("行政监督部门"),
}
_VALUE_TABLES: dict[str, dict[str, Any]] = {
    "reason": REASON_TEXT,
    "kind": KIND_LABELS,
    "method": METHOD_LABELS,
    "status": STATUS_LABELS,
    "previous_status": STATUS_LABELS,
    "role": ROLE_LABELS,
    "was": STATUS_LABELS,
    "rule": _RuleLabels(),  # type: ignore[dict-item]
    **WARNING_VALUES,
}


def action_text(action: str) -> str:
    """The sentence for an action; an unknown one reads as its area, never as its name."""
    text = ACTION_TEXT.get(action)
    if text is None and action in LOG_ACTION:
        # The draws keep the words their draw log already uses.
        return str(LOG_ACTION[action])
    if text is None:
        text = AREA_TEXT.get(action.split(".", 1)[0], N_("其他操作"))
    return _(text)


def object_text(object_type: str, object_id: str) -> str:
    if not object_type:
        return ""
    name = _(OBJECT_TEXT[object_type]) if object_type in OBJECT_TEXT else _("记录")
    return f"{name} #{object_id}" if object_id else name


@dataclass(frozen=True)
class DataItem:
    label: str
    value: str


def _status_word(key: str, value: str) -> str | None:
    if key == "source":
        return _source_text(value)
    if key == "kind" and value in ORG_KIND_TEXT:
        return _(ORG_KIND_TEXT[value])
    if key in ("from", "to") and value in EXPERT_STATUS:
        return str(EXPERT_STATUS[value][0])
    table = _VALUE_TABLES.get(key)
    if table is None and key in ("from", "to"):
        table = STATUS_LABELS
    if table is not None and value in table:
        label = table[value]
        # The bidding tables hold msgids (N_), the role table lazy strings.
        return _(label) if isinstance(label, str) else str(label)
    return None


def _source_text(value: str) -> str | None:
    """Where a record came from: a stored reference "<object type>:<id>" (a lot's result
    names the evaluation report it was built from) reads as that object, a bank arrival's
    channel by its name."""
    if value in SOURCE_TEXT:
        return _(SOURCE_TEXT[value])
    m = _REFERENCE.match(value)
    if m is None:
        return None
    return object_text(m.group(1), m.group(2)) if m.group(1) in OBJECT_TEXT else _("记录")


def _value_text(key: str, value: Any) -> str:
    if value is None or value == "":
        return formatting.MISSING
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        word = _status_word(key, value)
        if word is not None:
            return word
        if _HASHY.match(value):
            return value[:16] + "…"
        if _ISO.match(value):
            try:
                return formatting.cst(dt.datetime.fromisoformat(value), formatting.SECOND)
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        if all(isinstance(v, (int, float, str)) for v in value):
            return "、".join(_value_text(key, v) for v in value)
        return _("%(n)s 项", n=len(value))
    if isinstance(value, dict):
        english = str(get_locale()).startswith("en")
        colon, sep = (": ", "; ") if english else ("：", "；")
        return sep.join(f"{_key_text(k)}{colon}{_value_text(k, v)}" for k, v in value.items())
    return str(value)


def _key_text(key: str) -> str:
    return _(KEY_TEXT[key]) if key in KEY_TEXT else _("附加信息")


def data_items(data: str) -> list[DataItem]:
    """The entry's data as (label, value) pairs in the reader's language."""
    try:
        parsed = json.loads(data or "{}")
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return [DataItem(_("附加信息"), _value_text("", parsed))]
    return [DataItem(_key_text(k), _value_text(k, v)) for k, v in parsed.items()]


def known_actions() -> dict[str, str]:
    """Every action with words, for the filter's choices (sorted by the words)."""
    merged = {
        **{k: str(v) for k, v in LOG_ACTION.items()},
        **{k: _(v) for k, v in ACTION_TEXT.items()},
    }
    return dict(sorted(merged.items(), key=lambda kv: kv[1]))
