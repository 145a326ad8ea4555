"""The scheme editor's form: posted fields ⇄ the scheme's JSON form, and back for display.

Rows are posted as "<section>-<n>-<field>" (the editor's script renumbers them); a row
left entirely blank is dropped. Numbers are checked here with the labels the user sees,
so that the scheme's own validation never meets a field it cannot name in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.core.errors import ValidationError
from remote_eval import methods
from remote_eval.scheme import FIXED, LOW_BASE, RANGE, SECTION_LABELS, num

CHECK_SECTIONS = ("qualification", "compliance")
SCORED_SECTIONS = ("technical", "commercial")
MAX_ROWS = 100  # per section: far more than any real scheme has
_ROW_KEY = re.compile(r"^(qualification|compliance|technical|commercial)-(\d{1,3})-([a-z_]+)$")
_SPLIT = re.compile(r"[\s/,，、;；]+")


def display_model(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the editor's inputs show for a stored scheme (all strings)."""
    price = data.get("price") or {}
    sections: dict[str, list[dict[str, str]]] = {}
    for section in CHECK_SECTIONS + SCORED_SECTIONS:
        rows = []
        for item in data.get(section) or []:
            row = {k: str(item.get(k, "")) for k in ("id", "name", "description")}
            if section in SCORED_SECTIONS:
                row.update(
                    maximum=num(Decimal(str(item.get("maximum", "0")))),
                    type=str(item.get("type") or RANGE),
                    choices="/".join(num(Decimal(str(c))) for c in item.get("choices") or []),
                    step=num(Decimal(str(item.get("step", "0.5")))),
                    objective="1" if item.get("objective") else "0",
                )
            rows.append(row)
        sections[section] = rows
    return {
        "sections": sections,
        "price_weight": num(Decimal(str(price.get("weight", "0")))),
        "abnormal_percent": num(Decimal(str(price.get("abnormal_share", "0.5"))) * 100),
        "deviation_above": num(Decimal(str(price.get("deviation_above", "1")))),
        "deviation_below": num(Decimal(str(price.get("deviation_below", "0.5")))),
        "formula": str(price.get("formula") or ""),
        "dispersion_share": num(Decimal(str(price.get("dispersion_share", "0.2")))),
    }


def _rows(form: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, dict[int, dict[str, str]]] = {s: {} for s in SECTION_LABELS}
    for key in form:
        match = _ROW_KEY.match(key)
        if match is None or int(match.group(2)) >= MAX_ROWS:
            continue
        section, index, name = match.group(1), int(match.group(2)), match.group(3)
        found[section].setdefault(index, {})[name] = str(form.get(key, "")).strip()
    out: dict[str, list[dict[str, str]]] = {}
    for section, by_index in found.items():
        rows = [by_index[i] for i in sorted(by_index)]
        # A row the user added and left blank is no row at all.
        out[section] = [
            r for r in rows if any(r.get(k) for k in ("name", "description", "maximum", "choices"))
        ]
    return out


def _number(text: str, label: str, problems: list[tuple[str, str]], path: str) -> str:
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        problems.append((path, _("%(label)s应为数字，现为“%(v)s”。", label=label, v=text)))
        return "0"
    return str(value)


def parse(form: Mapping[str, str], method_code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the scheme's JSON form, the display model to re-render) from a posted editor.

    Raises ValidationError (with the display model in `details["display"]` left to the
    caller) only through `problems`; see `parse_or_raise`.
    """
    rows = _rows(form)
    problems: list[tuple[str, str]] = []
    data: dict[str, Any] = {"method": method_code}
    for section in CHECK_SECTIONS:
        data[section] = [
            {
                "id": r.get("id", ""),
                "name": r.get("name", ""),
                "description": r.get("description", ""),
            }
            for r in rows[section]
        ]
    for section in SCORED_SECTIONS:
        items = []
        for i, r in enumerate(rows[section]):
            where = _("%(s)s第 %(n)s 项", s=SECTION_LABELS[section], n=i + 1)
            path = f"{section}[{i}]"
            kind = r.get("type") if r.get("type") in (FIXED, RANGE) else RANGE
            choices = [c for c in _SPLIT.split(r.get("choices", "")) if c] if kind == FIXED else []
            items.append(
                {
                    "id": r.get("id", ""),
                    "name": r.get("name", ""),
                    "description": r.get("description", ""),
                    "type": kind,
                    "maximum": _number(r.get("maximum", ""), where + _("满分"), problems, path),
                    "choices": [_number(c, where + _("可选分值"), problems, path) for c in choices],
                    "step": _number(r.get("step") or "0.5", where + _("打分步长"), problems, path),
                    "objective": r.get("objective") == "1",
                }
            )
        data[section] = items
    method = methods.find(method_code)
    formulas = method.price_formulas if method is not None else (LOW_BASE,)
    formula = form.get("formula", "")
    percent = _number(form.get("abnormal_percent", "50"), _("异常低价比例"), problems, "price")
    data["price"] = {
        "weight": _number(form.get("price_weight", "0"), _("价格分权重"), problems, "price"),
        # The formula belongs to the method; the form only carries it through.
        "formula": formula if formula in formulas else formulas[0],
        "abnormal_share": str(Decimal(percent) / 100),
        "dispersion_share": _number(
            form.get("dispersion_share") or "0.2", _("评分偏离提示比例"), problems, "price"
        ),
        "deviation_above": _number(
            form.get("deviation_above", "1"), _("高于基准价每 1% 扣分"), problems, "price"
        ),
        "deviation_below": _number(
            form.get("deviation_below", "0.5"), _("低于基准价每 1% 扣分"), problems, "price"
        ),
    }
    display = {
        "sections": rows,
        "price_weight": form.get("price_weight", ""),
        "abnormal_percent": form.get("abnormal_percent", ""),
        "deviation_above": form.get("deviation_above", ""),
        "deviation_below": form.get("deviation_below", ""),
        "formula": form.get("formula", ""),
        "dispersion_share": form.get("dispersion_share", ""),
    }
    if problems:
        raise FormProblems(display, problems)
    return data, display


class FormProblems(ValidationError):
    """Unreadable numbers: every one of them, with the display model to re-render."""

    def __init__(self, display: dict[str, Any], problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "\n".join(m for _p, m in problems),
            field=problems[0][0],
            **{p: m for p, m in problems},
        )
        self.display = display
