"""The light scoring scheme of sealed quotes (综合评审): a price weight and a few technical
items, written as the evaluation room's scheme so that remote_eval's comprehensive method
(综合评分法: lowest valid price = full price points, base / price × weight) does the sums,
the tie rules and the range checks of each member's points."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError
from remote_eval.methods.comprehensive import Comprehensive
from remote_eval.scheme import PriceItem, Scheme, ScoredItem

METHOD = Comprehensive()
MAX_ITEMS = 8
STEP = Decimal("0.5")
DEFAULT: dict[str, Any] = {
    "price_weight": "30",
    "items": [
        {"name": "技术方案", "maximum": "40"},
        {"name": "项目团队与类似业绩", "maximum": "20"},
        {"name": "服务承诺与工期", "maximum": "10"},
    ],
}


def _points(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_l("分值应为数字。"), field=field) from exc
    if not number.is_finite() or number <= 0 or number % STEP != 0:
        raise ValidationError(_l("分值应大于 0，且为 0.5 的整数倍。"), field=field)
    return number


def clean(data: Any) -> dict[str, Any]:
    """The stored form of a scheme typed by the buyer; every item named, weights add to 100."""
    if data in (None, "", {}):
        data = DEFAULT
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValidationError(_l("请填写评分办法：价格分和技术评分项。"), field="scoring")
    weight = _points(data.get("price_weight", ""), "price_weight")
    items: list[dict[str, str]] = []
    for n, row in enumerate(data["items"], start=1):
        if not isinstance(row, dict):
            raise ValidationError(_l("评分项格式有误。"), field="scoring")
        name = str(row.get("name", "") or "").strip()[:60]
        if not name:
            raise ValidationError(_l("第 %(n)s 个评分项缺少名称。", n=n), field="scoring")
        maximum = _points(row.get("maximum", ""), "scoring")
        items.append({"id": f"t{n}", "name": name, "maximum": str(maximum)})
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValidationError(_l("技术评分项应为 1 到 %(n)s 项。", n=MAX_ITEMS), field="scoring")
    total = weight + sum(Decimal(i["maximum"]) for i in items)
    if total != 100:
        raise ValidationError(
            _l("价格分与各评分项满分之和应为 100 分，现为 %(t)s 分。", t=total.normalize()),
            field="scoring",
        )
    return {"price_weight": str(weight), "items": items}


def scheme_of(stored: dict[str, Any]) -> Scheme:
    """The evaluation room's scheme for a stored market scheme (technical items only)."""
    return Scheme(
        method=METHOD.code,
        price=PriceItem(weight=Decimal(stored["price_weight"])),
        technical=tuple(
            ScoredItem(id=i["id"], name=i["name"], maximum=Decimal(i["maximum"]), step=STEP)
            for i in stored["items"]
        ),
    )
