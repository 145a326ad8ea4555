"""Standard scheme texts and plain-language change lists.

`default_data` is the standard template (范本) a lot's editor starts from, valid for every
category under the national price-weight ranges (30 points of price suits goods 30–60,
services 10–30 and works 10–60). `describe_changes` lists, in words, what an amendment
changes; the clarification notice carries that list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from remote_eval import methods
from remote_eval.scheme import (
    AVERAGE_BASE,
    FIXED,
    LOW_BASE,
    RANGE,
    SECTION_LABELS,
    CheckItem,
    PriceItem,
    Scheme,
    ScoredItem,
    num,
)

# Item id prefixes per section: ids stay stable across edits because scores refer to them.
ID_PREFIXES = {"qualification": "Q", "compliance": "C", "technical": "T", "commercial": "B"}


def _d(value: str) -> Decimal:
    return Decimal(value)


def default_scheme(method_code: str) -> Scheme:
    """The template for a method; the texts are stored in Chinese, as the tender documents are."""
    qualification = (
        CheckItem("Q1", "主体资格", "具有独立承担民事责任的能力，提供有效的营业执照或法人证书。"),
        CheckItem("Q2", "特定资格要求", "满足招标公告规定的投标人特定资格要求。"),
        CheckItem(
            "Q3",
            "信用记录",
            "未被列入失信被执行人、重大税收违法失信主体或政府采购严重违法失信名单。",
        ),
    )
    compliance = (
        CheckItem("C1", "签署盖章", "投标文件按招标文件要求签署、盖章。"),
        CheckItem("C2", "投标有效期", "投标有效期满足招标文件要求。"),
        CheckItem("C3", "投标报价", "只有一个有效报价，且不超过最高限价。"),
        CheckItem("C4", "实质性要求", "满足招标文件中标注“★”的实质性要求。"),
    )
    method = methods.find(method_code)
    if method is None or not method.uses_scores:
        return Scheme(
            method=method_code,
            qualification=qualification,
            compliance=compliance,
            price=PriceItem(weight=_d("0"), formula=LOW_BASE),
        )
    technical = (
        ScoredItem(
            "T1", "技术方案", _d("30"), RANGE, step=_d("0.5"), description="方案完整、合理、可行。"
        ),
        ScoredItem(
            "T2",
            "技术参数响应",
            _d("20"),
            FIXED,
            choices=(_d("0"), _d("10"), _d("20")),
            objective=True,
            description="全部满足得 20 分；一般参数偏离不超过 3 项得 10 分；其余得 0 分。",
        ),
    )
    commercial = (
        ScoredItem(
            "B1",
            "类似业绩",
            _d("10"),
            FIXED,
            choices=(_d("0"), _d("5"), _d("10")),
            objective=True,
            description="近三年每个类似项目合同得 5 分，最多 10 分。",
        ),
        ScoredItem(
            "B2",
            "售后服务",
            _d("10"),
            RANGE,
            step=_d("0.5"),
            description="响应时间、服务网点与保障措施。",
        ),
    )
    formula = AVERAGE_BASE if method_code == "average_base" else LOW_BASE
    return Scheme(
        method=method_code,
        qualification=qualification,
        compliance=compliance,
        technical=technical,
        commercial=commercial,
        price=PriceItem(weight=_d("30"), formula=formula),
    )


def default_data(method_code: str) -> dict[str, Any]:
    return default_scheme(method_code).to_dict()


def with_ids(data: dict[str, Any]) -> dict[str, Any]:
    """Give every row without an id the next free one of its section (T3, T4, …)."""
    out = dict(data)
    taken = {
        str(row.get("id") or "").strip()
        for section in ID_PREFIXES
        for row in (data.get(section) or [])
        if isinstance(row, dict)
    }
    for section, prefix in ID_PREFIXES.items():
        rows = data.get(section)
        if not isinstance(rows, list):
            continue
        fixed = []
        n = 0
        for row in rows:
            if isinstance(row, dict) and not str(row.get("id") or "").strip():
                n += 1
                while f"{prefix}{n}" in taken:
                    n += 1
                taken.add(f"{prefix}{n}")
                row = {**row, "id": f"{prefix}{n}"}
            fixed.append(row)
        out[section] = fixed
    return out


def _item_summary(item: CheckItem | ScoredItem) -> str:
    if isinstance(item, ScoredItem):
        return _("“%(name)s”（满分 %(max)s 分）", name=item.name, max=num(item.maximum))
    return _("“%(name)s”", name=item.name)


def _changed_fields(old: CheckItem | ScoredItem, new: CheckItem | ScoredItem) -> list[str]:
    labels = {
        "name": _("名称"),
        "description": _("说明"),
        "maximum": _("满分"),
        "type": _("打分方式"),
        "choices": _("可选分值"),
        "step": _("打分步长"),
        "objective": _("客观/主观"),
    }
    return [
        label for key, label in labels.items() if getattr(old, key, None) != getattr(new, key, None)
    ]


def describe_changes(old: Scheme, new: Scheme) -> list[str]:
    """One line per change, in the current locale; empty when nothing changed."""
    lines: list[str] = []
    for section in ID_PREFIXES:
        before = {i.id: i for i in getattr(old, section)}
        after = {i.id: i for i in getattr(new, section)}
        label = SECTION_LABELS[section]
        for item_id, item in after.items():
            if item_id not in before:
                lines.append(_("%(s)s新增%(item)s。", s=label, item=_item_summary(item)))
            elif before[item_id] != item:
                changed = "、".join(_changed_fields(before[item_id], item))
                lines.append(
                    _(
                        "%(s)s%(item)s修改：%(what)s。",
                        s=label,
                        item=_item_summary(item),
                        what=changed,
                    )
                )
        for item_id, item in before.items():
            if item_id not in after:
                lines.append(_("%(s)s删除%(item)s。", s=label, item=_item_summary(item)))
    if old.price.weight != new.price.weight:
        lines.append(
            _(
                "价格分权重由 %(a)s 分改为 %(b)s 分。",
                a=num(old.price.weight),
                b=num(new.price.weight),
            )
        )
    if old.price.abnormal_share != new.price.abnormal_share:
        lines.append(
            _(
                "异常低价比例由 %(a)s%% 改为 %(b)s%%。",
                a=num(old.price.abnormal_share * 100),
                b=num(new.price.abnormal_share * 100),
            )
        )
    for key, label in (("deviation_above", _("高于基准价")), ("deviation_below", _("低于基准价"))):
        a, b = getattr(old.price, key), getattr(new.price, key)
        if a != b:
            lines.append(
                _("%(what)s每 1%% 扣分由 %(a)s 改为 %(b)s。", what=label, a=num(a), b=num(b))
            )
    return lines
