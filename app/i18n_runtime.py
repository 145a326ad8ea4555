"""Messages that reach gettext only through a variable, listed so that extraction sees them.

Label tables (bidding.services *_LABELS) and the marshmallow message table
(app.factory._FIELD_MESSAGES) are translated at render time with ``_(table[key])``;
babel cannot follow a variable, so without this list those entries would drop out of
the catalogue at the next ``make translations``. tests/core/test_i18n.py fails when a
table gains a value that is missing here. Nothing imports this module.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark for extraction only (a babel default keyword); the caller translates later."""
    return message


RUNTIME_MSGIDS = (
    # bidding.services.METHOD_LABELS
    N_("公开招标"),
    N_("邀请招标"),
    N_("竞争性谈判"),
    N_("竞争性磋商"),
    N_("询价"),
    N_("单一来源"),
    # bidding.services.EVAL_LABELS
    N_("最低评标价法"),
    N_("综合评分法"),
    # bidding.services.STATUS_LABELS
    N_("登记中"),
    N_("公告中"),
    N_("已暂停"),
    N_("投标已截止"),
    N_("已开标"),
    N_("流标"),
    N_("评标中"),
    N_("已定标"),
    N_("已终止"),
    # bidding.services.KIND_LABELS
    N_("采购意向"),
    N_("招标公告"),
    N_("澄清/更正公告"),
    N_("中标候选人公示"),
    N_("中标结果公告"),
    N_("合同公告"),
    N_("终止公告"),
    # app.factory._FIELD_MESSAGES and _field_message()
    N_("必填字段缺失"),
    N_("不能为空"),
    N_("应为文本"),
    N_("应为整数"),
    N_("应为数字"),
    N_("应为布尔值"),
    N_("日期时间格式无效（应为 ISO 8601，如 2026-12-01T09:30:00+08:00）"),
    N_("日期格式无效（应为 YYYY-MM-DD）"),
    N_("电子邮箱格式无效"),
    N_("未知字段"),
    N_("输入类型无效"),
    N_("应为列表"),
    N_("应为对象"),
    N_("不允许 NaN 或无穷大"),
    N_("长度不得少于 %(n)s"),
    N_("长度不得超过 %(n)s"),
)
