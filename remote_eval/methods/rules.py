"""Rules of a scheme that depend on whether its method scores: weights and their ranges.

`EvaluationMethod.validate` applies them, so that a centre's own method inherits them and
may add or relax rules in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from bidding import categories
from remote_eval.scheme import SECTION_LABELS, Scheme, SchemeError, num

# Price weight ranges in points per category kind (A 工程, B 货物, C 服务). Goods and
# services are the government procurement ranges (财政部令第87号 第五十五条); works have
# no national range, so each centre sets its own. A centre's settings row overrides any
# of them under the key shown.
DEFAULT_PRICE_WEIGHT_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "A": (Decimal("10"), Decimal("60")),
    "B": (Decimal("30"), Decimal("60")),
    "C": (Decimal("10"), Decimal("30")),
}
PRICE_WEIGHT_SETTING_KEYS = {
    "A": "price_weight_works",
    "B": "price_weight_goods",
    "C": "price_weight_services",
}
_KIND_LABELS = {"A": _l("工程"), "B": _l("货物"), "C": _l("服务")}


def price_weight_range(
    category_code: str, centre_settings: Mapping[str, Any] | None = None
) -> tuple[Decimal, Decimal] | None:
    """The allowed price weight for a category; None when the category is unknown."""
    kind = categories.kind_of(category_code or "")
    if kind not in DEFAULT_PRICE_WEIGHT_RANGES:
        return None
    configured = (centre_settings or {}).get(PRICE_WEIGHT_SETTING_KEYS[kind])
    if configured is None:
        return DEFAULT_PRICE_WEIGHT_RANGES[kind]
    low, high = configured  # checked by validate() before use
    return Decimal(str(low)), Decimal(str(high))


def scored_rules(
    scheme: Scheme, category_code: str, centre_settings: Mapping[str, Any] | None
) -> list[SchemeError]:
    errors: list[SchemeError] = []
    for section in ("technical", "commercial"):
        if not getattr(scheme, section):
            errors.append(
                SchemeError(
                    section,
                    _l("%(section)s至少应有一项评分因素。", section=SECTION_LABELS[section]),
                )
            )
    technical = sum((i.maximum for i in scheme.technical), Decimal("0"))
    commercial = sum((i.maximum for i in scheme.commercial), Decimal("0"))
    weight = scheme.price.weight
    if technical + commercial + weight != 100:
        errors.append(
            SchemeError(
                "price.weight",
                _l(
                    "技术分、商务分满分与价格分权重合计应为 100 分，现为 %(total)s 分"
                    "（技术 %(t)s + 商务 %(c)s + 价格 %(p)s）。",
                    total=num(technical + commercial + weight),
                    t=num(technical),
                    c=num(commercial),
                    p=num(weight),
                ),
            )
        )
    kind = categories.kind_of(category_code or "")
    key = PRICE_WEIGHT_SETTING_KEYS.get(kind)
    configured = (centre_settings or {}).get(key) if key else None
    if configured is not None and not _is_range(configured):
        errors.append(
            SchemeError(
                f"centre_settings.{key}",
                _l(
                    "交易中心设置 %(key)s 应为 [下限, 上限]（0–100 分），现为 %(v)s。",
                    key=key,
                    v=repr(configured),
                ),
            )
        )
        return errors
    allowed = price_weight_range(category_code, centre_settings)
    if allowed is None:
        errors.append(
            SchemeError(
                "category_code",
                _l(
                    "品目分类代码“%(code)s”无法识别，不能确定价格分权重范围。",
                    code=category_code or "",
                ),
            )
        )
    elif not allowed[0] <= weight <= allowed[1]:
        errors.append(
            SchemeError(
                "price.weight",
                _l(
                    "%(kind)s类项目的价格分权重应在 %(low)s–%(high)s 分之间，现为 %(w)s 分。",
                    kind=_KIND_LABELS[kind],
                    low=num(allowed[0]),
                    high=num(allowed[1]),
                    w=num(weight),
                ),
            )
        )
    return errors


def _is_range(value: Any) -> bool:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return False
    try:
        low, high = (Decimal(str(v)) for v in value)
    except InvalidOperation:
        return False
    return Decimal("0") <= low <= high <= Decimal("100")


def unscored_rules(scheme: Scheme, method_label: Any) -> list[SchemeError]:
    errors: list[SchemeError] = []
    for section in ("technical", "commercial"):
        count = len(getattr(scheme, section))
        if count:
            errors.append(
                SchemeError(
                    section,
                    _l(
                        "%(method)s只审查是否合格、不打分，请删除%(section)s的 %(n)s 项评分因素。",
                        method=method_label,
                        section=SECTION_LABELS[section],
                        n=count,
                    ),
                )
            )
    if scheme.price.weight != 0:
        errors.append(
            SchemeError(
                "price.weight",
                _l(
                    "%(method)s不计价格分，价格分权重应为 0，现为 %(w)s。",
                    method=method_label,
                    w=num(scheme.price.weight),
                ),
            )
        )
    return errors
