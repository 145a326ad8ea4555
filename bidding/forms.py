"""Form cleaning: what a page (strings) or the API (typed values) hands in, checked and typed.

Every rule has its own message, prefixed with the lot's number when a project brings
several lots, and names the offending field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.core import clock, formatting
from app.core.db import to_money
from app.core.errors import ValidationError
from app.core.formatting import yuan
from bidding import categories
from bidding.labels import EVAL_LABELS, eval_label, method_label
from bidding.models import EvalMethod, Method
from bidding.settings import bond_max_ratio, committee_rule

MAX_COMMITTEE = 49

LOT_FIELDS = (
    "name",
    "category_code",
    "budget",
    "ceiling_price",
    "floor_price",
    "bid_bond",
    "evaluation_method",
    "committee_size",
    "validity_days",
    "price_form_fields",
    "doc_start_at",
    "doc_end_at",
    "bid_deadline",
    "opening_place",
)


def _label(prefix: str, text: str) -> str:
    return f"{prefix}{text}"


def _money(value: Any, what: str, prefix: str, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(
            _label(
                prefix,
                _("%(what)s应为金额（单位：元，最多两位小数），例如 1250000.00。", what=what),
            ),
            field=field,
        ) from None
    if not amount.is_finite():
        raise ValidationError(_label(prefix, _("%(what)s不是有效的金额。", what=what)), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _label(prefix, _("%(what)s最多保留两位小数（精确到分）。", what=what)), field=field
        )
    if abs(amount) >= Decimal("1e14"):
        raise ValidationError(_label(prefix, _("%(what)s超出允许范围。", what=what)), field=field)
    return to_money(amount)


def _int(value: Any, what: str, prefix: str, field: str, default: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise ValidationError(_label(prefix, _("%(what)s应为整数。", what=what)), field=field)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(
            _label(prefix, _("%(what)s应为整数。", what=what)), field=field
        ) from None


def _when(value: Any, what: str, prefix: str, field: str) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=clock.CST)).astimezone(dt.UTC)
    try:
        return clock.parse_cst(str(value))
    except ValueError:
        raise ValidationError(
            _label(
                prefix,
                _("%(what)s格式无效，应为“YYYY-MM-DD HH:MM”（北京时间）。", what=what),
            ),
            field=field,
        ) from None


def enum_field(enum_cls: Any, value: Any, what: str, prefix: str, field: str, labels: dict) -> Any:
    try:
        return enum_cls(str(value))
    except ValueError:
        allowed = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise ValidationError(
            _label(prefix, _("%(what)s无效，可选：%(allowed)s。", what=what, allowed=allowed)),
            field=field,
        ) from None


def category_field(code: Any, prefix: str, field: str) -> str:
    code = str(code or "").strip().upper()
    if not code:
        raise ValidationError(_label(prefix, _("请填写品目分类代码。")), field=field)
    if not categories.is_known(code):
        raise ValidationError(
            _label(
                prefix,
                _(
                    "品目分类代码“%(code)s”不存在，请从品目目录中选择"
                    "（如 A08 施工、B02 信息技术设备、C16 物业管理服务）。",
                    code=code,
                ),
            ),
            field=field,
        )
    return code


def text_field(
    value: Any, what: str, prefix: str, field: str, *, required: bool, max_len: int
) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_label(prefix, _("请填写%(what)s。", what=what)), field=field)
    if len(text) > max_len:
        raise ValidationError(
            _label(prefix, _("%(what)s不得超过 %(n)s 个字。", what=what, n=max_len)), field=field
        )
    return text


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _price_fields(value: Any, prefix: str, field: str) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(
            _label(prefix, _("开标一览表附加字段应为列表，每项包含 key 和 label。")), field=field
        )
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, Mapping):
            raise ValidationError(
                _label(prefix, _("开标一览表附加字段的每一项须包含 key 和 label。")), field=field
            )
        key = str(item.get("key", "")).strip()
        text = str(item.get("label", "")).strip()
        if not _KEY.match(key) or not text or len(text) > 60:
            raise ValidationError(
                _label(
                    prefix,
                    _(
                        "开标一览表附加字段“%(key)s”无效：key 须为小写字母开头的字母、数字或下划线"
                        "（最多 40 个），label 为 1–60 个字。",
                        key=key,
                    ),
                ),
                field=field,
            )
        if key in seen or key in ("total_price", "duration", "quality"):
            raise ValidationError(
                _label(prefix, _("开标一览表附加字段“%(key)s”重复。", key=key)), field=field
            )
        seen.add(key)
        out.append({"key": key, "label": text, "unit": str(item.get("unit", "")).strip()[:20]})
    return out


# A fault of one lot: its message (already carrying the lot prefix) and the field path.
Fault = Callable[[str, str], ValidationError]


def clean_lot(
    data: Mapping[str, Any],
    *,
    project_category: str,
    centre_settings: Mapping[str, Any] | None,
    index: int | None = None,
    check_deadline_future: bool = True,
) -> dict[str, Any]:
    """Validate one lot's data and return it typed; raises ValidationError on the first fault."""
    prefix = _("标段 %(n)s：", n=index + 1) if index is not None else ""
    base = f"lots[{index}]." if index is not None else ""

    def f(name: str) -> str:
        return base + name

    def fault(message: str, name: str) -> ValidationError:
        return ValidationError(_label(prefix, message), field=f(name))

    name = text_field(
        data.get("name"), _("标段名称"), prefix, f("name"), required=True, max_len=200
    )
    category = category_field(
        data.get("category_code") or project_category, prefix, f("category_code")
    )
    budget, ceiling, bond = _clean_amounts(data, centre_settings, prefix, f, fault)
    floor = _clean_floor(data, budget, ceiling, prefix, f, fault)
    evaluation = enum_field(
        EvalMethod,
        data.get("evaluation_method") or EvalMethod.COMPREHENSIVE.value,
        _("评标方法"),
        prefix,
        f("evaluation_method"),
        EVAL_LABELS,
    )
    size = _int(data.get("committee_size"), _("评标委员会人数"), prefix, f("committee_size"), 5)
    _check_committee(size, budget, centre_settings, fault)
    validity = _int(data.get("validity_days"), _("投标有效期"), prefix, f("validity_days"), 90)
    if not 1 <= validity <= 365:
        raise fault(_("投标有效期须为 1–365 天，当前为 %(n)s 天。", n=validity), "validity_days")
    price_fields = _price_fields(data.get("price_form_fields"), prefix, f("price_form_fields"))
    doc_start, doc_end, deadline = _clean_timetable(
        data, prefix, f, fault, check_deadline_future=check_deadline_future
    )
    place = text_field(
        data.get("opening_place"),
        _("开标地点"),
        prefix,
        f("opening_place"),
        required=False,
        max_len=200,
    )
    return {
        "name": name,
        "category_code": category,
        "budget": budget,
        "ceiling_price": ceiling,
        "floor_price": floor,
        "bid_bond": bond,
        "evaluation_method": evaluation,
        "committee_size": size,
        "validity_days": validity,
        "price_form_fields": price_fields,
        "doc_start_at": doc_start,
        "doc_end_at": doc_end,
        "bid_deadline": deadline,
        "opening_place": place,
    }


def _clean_amounts(
    data: Mapping[str, Any],
    centre_settings: Mapping[str, Any] | None,
    prefix: str,
    f: Callable[[str], str],
    fault: Fault,
) -> tuple[Decimal, Decimal | None, Decimal]:
    """Budget, ceiling price and bid bond, each within the bounds the others set."""
    budget = _money(data.get("budget"), _("预算金额"), prefix, f("budget"))
    if budget is None:
        raise fault(_("请填写预算金额（元）。"), "budget")
    if budget <= 0:
        raise fault(_("预算金额必须大于 0 元，当前为 %(v)s。", v=yuan(budget)), "budget")
    ceiling = _money(data.get("ceiling_price"), _("最高限价"), prefix, f("ceiling_price"))
    if ceiling is not None and ceiling < 0:
        raise fault(_("最高限价不能为负数，当前为 %(v)s。", v=yuan(ceiling)), "ceiling_price")
    if ceiling is not None and ceiling > budget:
        raise fault(
            _("最高限价（%(c)s）不得超过预算金额（%(b)s）。", c=yuan(ceiling), b=yuan(budget)),
            "ceiling_price",
        )
    bond = _money(data.get("bid_bond"), _("投标保证金"), prefix, f("bid_bond")) or Decimal("0.00")
    if bond < 0:
        raise fault(_("投标保证金不能为负数。"), "bid_bond")
    ratio = bond_max_ratio(centre_settings)
    bond_cap = to_money(budget * ratio)
    if bond > bond_cap:
        raise fault(
            _(
                "投标保证金（%(v)s）不得超过预算金额的 %(p)s%%，本标段最多 %(cap)s。",
                v=yuan(bond),
                p=format(ratio * 100, "f").rstrip("0").rstrip("."),
                cap=yuan(bond_cap),
            ),
            "bid_bond",
        )
    return budget, ceiling, bond


def _clean_floor(
    data: Mapping[str, Any],
    budget: Decimal,
    ceiling: Decimal | None,
    prefix: str,
    f: Callable[[str], str],
    fault: Fault,
) -> Decimal | None:
    """The optional price floor (最低限价): not negative, below the ceiling (or within the
    budget when there is no ceiling). Bids under it are warned about, never refused here."""
    floor = _money(data.get("floor_price"), _("最低限价"), prefix, f("floor_price"))
    if floor is None:
        return None
    if floor < 0:
        raise fault(_("最低限价不能为负数，当前为 %(v)s。", v=yuan(floor)), "floor_price")
    if ceiling is not None and floor >= ceiling:
        raise fault(
            _("最低限价（%(f)s）须低于最高限价（%(c)s）。", f=yuan(floor), c=yuan(ceiling)),
            "floor_price",
        )
    if floor > budget:
        raise fault(
            _("最低限价（%(f)s）不得超过预算金额（%(b)s）。", f=yuan(floor), b=yuan(budget)),
            "floor_price",
        )
    return floor


def _check_committee(
    size: int, budget: Decimal, centre_settings: Mapping[str, Any] | None, fault: Fault
) -> None:
    small, large, threshold = committee_rule(centre_settings)
    if size < small or size % 2 == 0 or size > MAX_COMMITTEE:
        raise fault(
            _(
                "评标委员会人数须为 %(n)s 至 %(max)s 之间的奇数（如 5、7、9），当前为 %(s)s。",
                n=small,
                max=MAX_COMMITTEE,
                s=size,
            ),
            "committee_size",
        )
    if budget >= threshold and size < large:
        raise fault(
            _(
                "预算金额达到 %(t)s 及以上的，评标委员会须不少于 %(n)s 人（奇数），当前为 %(s)s。",
                t=yuan(threshold),
                n=large,
                s=size,
            ),
            "committee_size",
        )


def _clean_timetable(
    data: Mapping[str, Any],
    prefix: str,
    f: Callable[[str], str],
    fault: Fault,
    *,
    check_deadline_future: bool,
) -> tuple[dt.datetime | None, dt.datetime | None, dt.datetime | None]:
    """The document window and the deadline: all three or none, in order."""
    doc_start = _when(data.get("doc_start_at"), _("文件发售开始时间"), prefix, f("doc_start_at"))
    doc_end = _when(data.get("doc_end_at"), _("文件发售截止时间"), prefix, f("doc_end_at"))
    deadline = _when(data.get("bid_deadline"), _("投标截止（开标）时间"), prefix, f("bid_deadline"))
    given = [x is not None for x in (doc_start, doc_end, deadline)]
    if any(given) and not all(given):
        raise fault(
            _("请完整填写文件发售开始时间、文件发售截止时间和投标截止（开标）时间，或三项都不填。"),
            "bid_deadline" if deadline is None else "doc_start_at",
        )
    if doc_start is None or doc_end is None or deadline is None:
        return doc_start, doc_end, deadline
    if doc_end <= doc_start:
        raise fault(
            _(
                "文件发售截止时间（%(e)s）须晚于开始时间（%(s)s）。",
                e=_minute(doc_end),
                s=_minute(doc_start),
            ),
            "doc_end_at",
        )
    if deadline < doc_end:
        raise fault(
            _(
                "投标截止时间（%(d)s）不得早于文件发售截止时间（%(e)s）。",
                d=_minute(deadline),
                e=_minute(doc_end),
            ),
            "bid_deadline",
        )
    if check_deadline_future and deadline <= clock.now():
        raise fault(
            _(
                "投标截止时间（%(d)s）已过，请选择晚于当前时间（%(n)s）的时间。",
                d=_minute(deadline),
                n=_minute(clock.now()),
            ),
            "bid_deadline",
        )
    return doc_start, doc_end, deadline


def _minute(value: dt.datetime) -> str:
    return formatting.cst(value, formatting.CHINESE_MINUTE)


def project_choices() -> dict[str, list[tuple[str, str]]]:
    """What the project form's lists offer, as (value, label) in the reader's language: the
    pages render them, the API serves them (GET /api/v1/project-choices)."""
    from flask_babel import get_locale

    return {
        "methods": [(m.value, method_label(m)) for m in Method],
        "evaluation_methods": [(m.value, eval_label(m)) for m in EvalMethod],
        "categories": categories.choices(str(get_locale() or "zh_CN")),
    }
