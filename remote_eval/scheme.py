"""A lot's scoring scheme (评分办法): the items the committee reviews and scores, and its JSON form.

The scheme is fixed in the tender documents and may not change during evaluation, so it
is an immutable value: parsed once from JSON with `Scheme.from_dict`, checked with
`validate` (every problem at once, for the form) or `ensure_valid` (one ValidationError),
and written back with `to_dict` in a stable key order so that stored copies can be
compared and hashed.

Amounts and points are Decimal throughout and are written to JSON as strings, so that
no value ever passes through a binary float.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.core.errors import ValidationError

SCHEME_VERSION = 1
FIXED = "fixed"  # 固定分值: the member picks one of the listed choices
RANGE = "range"  # 酌情打分: any multiple of the step between 0 and the maximum
LOW_BASE = "low_base"  # base price = lowest valid price; score = base / price × weight
AVERAGE_BASE = "average_base"  # base price = (trimmed) average; deviation scoring

SECTIONS = ("qualification", "compliance", "technical", "commercial")
SECTION_LABELS = {
    "qualification": _l("资格审查"),
    "compliance": _l("符合性审查"),
    "technical": _l("技术分"),
    "commercial": _l("商务分"),
}


@dataclass(frozen=True)
class CheckItem:
    """A pass/fail item of the qualification (资格审查) or compliance (符合性审查) review."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ScoredItem:
    """A scored factor (评分因素) of the technical or commercial group."""

    id: str
    name: str
    maximum: Decimal
    type: str = RANGE
    choices: tuple[Decimal, ...] = ()  # fixed items only
    step: Decimal = Decimal("0.5")  # range items only
    objective: bool = False  # 客观分: members must agree; 主观分: members judge
    description: str = ""


@dataclass(frozen=True)
class PriceItem:
    weight: Decimal = Decimal("0")  # points; 0 for methods that do not score
    formula: str = LOW_BASE
    abnormal_share: Decimal = Decimal("0.5")  # flag prices below this share of the average
    dispersion_share: Decimal = Decimal("0.2")  # flag member spread above this share of max
    deviation_above: Decimal = Decimal("1")  # average_base: points per 1 % above the base
    deviation_below: Decimal = Decimal("0.5")  # average_base: points per 1 % below the base


@dataclass(frozen=True)
class Scheme:
    method: str
    price: PriceItem = field(default_factory=PriceItem)
    qualification: tuple[CheckItem, ...] = ()
    compliance: tuple[CheckItem, ...] = ()
    technical: tuple[ScoredItem, ...] = ()
    commercial: tuple[ScoredItem, ...] = ()

    @property
    def scored_items(self) -> tuple[ScoredItem, ...]:
        return self.technical + self.commercial

    def item(self, item_id: str) -> ScoredItem | None:
        return next((i for i in self.scored_items if i.id == item_id), None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        """Parse the JSON form; malformed values raise ValidationError naming the field."""
        if not isinstance(data, Mapping):
            raise ValidationError(_l("评分办法应为 JSON 对象。"), field="scheme")
        price = data.get("price") or {}
        if not isinstance(price, Mapping):
            raise ValidationError(_l("价格分设置应为 JSON 对象。"), field="price")
        return cls(
            method=str(data.get("method") or ""),
            price=PriceItem(
                weight=_decimal(price.get("weight", "0"), "price.weight"),
                formula=str(price.get("formula") or LOW_BASE),
                abnormal_share=_decimal(price.get("abnormal_share", "0.5"), "price.abnormal_share"),
                dispersion_share=_decimal(
                    price.get("dispersion_share", "0.2"), "price.dispersion_share"
                ),
                deviation_above=_decimal(
                    price.get("deviation_above", "1"), "price.deviation_above"
                ),
                deviation_below=_decimal(
                    price.get("deviation_below", "0.5"), "price.deviation_below"
                ),
            ),
            qualification=tuple(
                _check(row, f"qualification[{i}]")
                for i, row in enumerate(_rows(data, "qualification"))
            ),
            compliance=tuple(
                _check(row, f"compliance[{i}]") for i, row in enumerate(_rows(data, "compliance"))
            ),
            technical=tuple(
                _scored(row, f"technical[{i}]") for i, row in enumerate(_rows(data, "technical"))
            ),
            commercial=tuple(
                _scored(row, f"commercial[{i}]") for i, row in enumerate(_rows(data, "commercial"))
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEME_VERSION,
            "method": self.method,
            "qualification": [_check_dict(i) for i in self.qualification],
            "compliance": [_check_dict(i) for i in self.compliance],
            "technical": [_scored_dict(i) for i in self.technical],
            "commercial": [_scored_dict(i) for i in self.commercial],
            "price": {
                "weight": str(self.price.weight),
                "formula": self.price.formula,
                "abnormal_share": str(self.price.abnormal_share),
                "dispersion_share": str(self.price.dispersion_share),
                "deviation_above": str(self.price.deviation_above),
                "deviation_below": str(self.price.deviation_below),
            },
        }


# JSON parsing
# ---------------------------------------------------------------------------------------


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(_l("%(path)s 应为数字。", path=path), field=path)
    if isinstance(value, float):
        # A JSON number arrives as float; its shortest repr is the number that was written.
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_l("%(path)s 应为数字。", path=path), field=path) from None
    if not number.is_finite():
        raise ValidationError(_l("%(path)s 应为数字。", path=path), field=path)
    return number


def _rows(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = data.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise ValidationError(_l("%(path)s 应为对象列表。", path=key), field=key)
    return rows


def _check(row: Mapping[str, Any], path: str) -> CheckItem:
    return CheckItem(
        id=str(row.get("id") or "").strip(),
        name=str(row.get("name") or "").strip(),
        description=str(row.get("description") or ""),
    )


def _scored(row: Mapping[str, Any], path: str) -> ScoredItem:
    choices = row.get("choices") or []
    if not isinstance(choices, list):
        raise ValidationError(_l("%(path)s 应为数字列表。", path=f"{path}.choices"), field=path)
    return ScoredItem(
        id=str(row.get("id") or "").strip(),
        name=str(row.get("name") or "").strip(),
        maximum=_decimal(row.get("maximum", "0"), f"{path}.maximum"),
        type=str(row.get("type") or RANGE),
        choices=tuple(_decimal(c, f"{path}.choices[{k}]") for k, c in enumerate(choices)),
        step=_decimal(row.get("step", "0.5"), f"{path}.step"),
        objective=bool(row.get("objective", False)),
        description=str(row.get("description") or ""),
    )


def _check_dict(item: CheckItem) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "description": item.description}


def _scored_dict(item: ScoredItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "type": item.type,
        "maximum": str(item.maximum),
        "choices": [str(c) for c in item.choices],
        "step": str(item.step),
        "objective": item.objective,
    }


# Validation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeError:
    """One problem: `path` points into the JSON form (e.g. "technical[1].choices")."""

    path: str
    message: Any  # a lazy string, rendered in the reader's language

    def __str__(self) -> str:
        return str(self.message)


def num(value: Decimal) -> str:
    """A number as people write it: 5 rather than 5.00, 0.5 rather than 5E-1."""
    return format(value.normalize(), "f")


def located(section: str, index: int, name: str, message: Any) -> LazyString:
    """Prefix a message with where it applies: 技术分第 2 项“实施方案”：…"""
    where = _l(
        "%(section)s第 %(n)s 项“%(name)s”：",
        section=SECTION_LABELS[section],
        n=index + 1,
        name=name,
    )
    return LazyString(lambda: f"{where}{message}")


def validate(
    scheme: Scheme, category_code: str, centre_settings: Mapping[str, Any] | None = None
) -> list[SchemeError]:
    """Every problem of the scheme for a lot of this category, in form order."""
    # Imported here: the methods import this module for the Scheme type.
    from remote_eval import methods

    errors: list[SchemeError] = []
    method = methods.find(scheme.method)
    if method is None:
        allowed = "、".join(f"{m.code}（{m.label}）" for m in methods.all_methods())
        errors.append(
            SchemeError(
                "method",
                _l(
                    "评标办法“%(code)s”不存在，可选：%(allowed)s。",
                    code=scheme.method,
                    allowed=allowed,
                ),
            )
        )
    errors += _item_errors(scheme)
    errors += _price_errors(scheme.price)
    if method is not None:
        # Weights, the price weight range and "no scored items" depend on the method.
        errors += method.validate(scheme, category_code, centre_settings)
    return errors


def ensure_valid(
    scheme: Scheme, category_code: str, centre_settings: Mapping[str, Any] | None = None
) -> Scheme:
    """Return the scheme, or raise one ValidationError carrying every message by path."""
    errors = validate(scheme, category_code, centre_settings)
    if not errors:
        return scheme
    by_path: dict[str, list[str]] = {}
    for error in errors:
        by_path.setdefault(error.path, []).append(str(error))
    raise ValidationError(
        "\n".join(str(e) for e in errors),
        field=errors[0].path,
        **{path: "".join(messages) for path, messages in by_path.items()},
    )


def _item_errors(scheme: Scheme) -> list[SchemeError]:
    errors: list[SchemeError] = []
    seen: dict[str, tuple[str, int]] = {}
    for section in SECTIONS:
        items: Sequence[CheckItem | ScoredItem] = getattr(scheme, section)
        for index, item in enumerate(items):
            problems: list[tuple[str, Any]] = []
            if not item.id:
                problems.append((".id", _l("编号不能为空。")))
            elif item.id in seen:
                first_section, first_index = seen[item.id]
                problems.append(
                    (
                        ".id",
                        _l(
                            "编号“%(id)s”与%(section)s第 %(n)s 项重复。",
                            id=item.id,
                            section=SECTION_LABELS[first_section],
                            n=first_index + 1,
                        ),
                    )
                )
            else:
                seen[item.id] = (section, index)
            if not item.name:
                problems.append((".name", _l("名称不能为空。")))
            if isinstance(item, ScoredItem):
                problems += _scored_item_errors(item)
            errors += [
                SchemeError(f"{section}[{index}]{suffix}", located(section, index, item.name, m))
                for suffix, m in problems
            ]
    return errors


def _scored_item_errors(item: ScoredItem) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if item.maximum <= 0:
        out.append((".maximum", _l("满分应大于 0 分。")))
    if item.type == FIXED:
        if not item.choices:
            out.append((".choices", _l("固定分值至少应列出一个可选分值。")))
        seen: set[Decimal] = set()
        for choice in item.choices:
            if choice < 0:
                out.append((".choices", _l("固定分值 %(v)s 不能为负数。", v=num(choice))))
            elif choice > item.maximum:
                out.append(
                    (
                        ".choices",
                        _l(
                            "固定分值 %(v)s 超过该项满分 %(max)s 分。",
                            v=num(choice),
                            max=num(item.maximum),
                        ),
                    )
                )
            if choice in seen:
                out.append((".choices", _l("固定分值 %(v)s 重复。", v=num(choice))))
            seen.add(choice)
    elif item.type == RANGE:
        if item.step <= 0:
            out.append((".step", _l("打分步长应大于 0。")))
        elif item.maximum > 0 and item.maximum % item.step != 0:
            out.append(
                (
                    ".step",
                    _l(
                        "满分 %(max)s 分不是打分步长 %(step)s 的整数倍。",
                        max=num(item.maximum),
                        step=num(item.step),
                    ),
                )
            )
    else:
        out.append(
            (
                ".type",
                _l("类型“%(t)s”无效，应为 fixed（固定分值）或 range（酌情打分）。", t=item.type),
            )
        )
    return out


def _price_errors(price: PriceItem) -> list[SchemeError]:
    errors: list[SchemeError] = []
    if not Decimal("0") < price.abnormal_share < Decimal("1"):
        errors.append(
            SchemeError(
                "price.abnormal_share",
                _l(
                    "异常低价比例应大于 0 且小于 1，现为 %(v)s。",
                    v=num(price.abnormal_share),
                ),
            )
        )
    if not Decimal("0") < price.dispersion_share <= Decimal("1"):
        errors.append(
            SchemeError(
                "price.dispersion_share",
                _l(
                    "评分偏离提示比例应大于 0 且不超过 1，现为 %(v)s。",
                    v=num(price.dispersion_share),
                ),
            )
        )
    return errors
