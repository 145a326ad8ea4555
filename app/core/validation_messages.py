"""marshmallow's and webargs' messages in the user's language, in one place.

The API's schemas report problems in marshmallow's English ("Must be greater than or equal
to 1."). Every message template those libraries use is listed here once with its Chinese
msgid; `translate()` matches a message against the templates (placeholders become
groups) and answers in the current locale, so a reply is wholly Chinese or wholly
English. A message no template matches is one of ours (already translated) and is left
as it is. The field names stay as they are: they are the API's own identifiers.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale, gettext

from app.core.i18n import N_

# marshmallow / webargs template → our msgid. `{name}` in a template matches any text and
# is passed to the msgid as %(name)s.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Missing data for required field.", N_("必填字段缺失")),
    ("Field may not be null.", N_("不能为空")),
    ("Invalid value.", N_("取值无效")),
    ("Invalid input.", N_("输入无效")),
    ("Invalid input type.", N_("输入类型无效")),
    ("Invalid type.", N_("类型无效")),
    ("Unknown field.", N_("未知字段")),
    ("Invalid JSON body.", N_("JSON 格式无效")),
    ("Not a valid string.", N_("应为文本")),
    ("Not a valid utf-8 string.", N_("应为 UTF-8 文本")),
    ("Not a valid integer.", N_("应为整数")),
    ("Not a valid number.", N_("应为数字")),
    ("Number too large.", N_("数值过大")),
    ("Not a valid boolean.", N_("应为布尔值")),
    (
        "Not a valid datetime.",
        N_("日期时间格式无效（应为 ISO 8601，如 2026-12-01T09:30:00+08:00）"),
    ),
    (
        "Not a valid aware datetime.",
        N_("日期时间须带时区（应为 ISO 8601，如 2026-12-01T09:30:00+08:00）"),
    ),
    ("Not a valid naive datetime.", N_("日期时间不得带时区")),
    ("Not a valid date.", N_("日期格式无效（应为 YYYY-MM-DD）")),
    ("Not a valid time.", N_("时间格式无效（应为 HH:MM）")),
    ("Not a valid period of time.", N_("时长格式无效")),
    ("Not a valid email address.", N_("电子邮箱格式无效")),
    ("Not a valid URL.", N_("网址格式无效")),
    ("Not a valid UUID.", N_("UUID 格式无效")),
    ("Not a valid list.", N_("应为列表")),
    ("Not a valid tuple.", N_("应为数组")),
    ("Not a valid mapping type.", N_("应为对象")),
    ("Not a valid IP address.", N_("IP 地址格式无效")),
    ("Special numeric values (nan or infinity) are not permitted.", N_("不允许 NaN 或无穷大")),
    ('"{input}" cannot be formatted as a {obj_type}.', N_("“%(input)s”无法按要求格式化")),
    ("Shorter than minimum length {min}.", N_("长度不得少于 %(min)s")),
    ("Longer than maximum length {max}.", N_("长度不得超过 %(max)s")),
    ("Length must be between {min} and {max}.", N_("长度须在 %(min)s 至 %(max)s 之间")),
    ("Length must be {equal}.", N_("长度须为 %(equal)s")),
    ("Must be greater than or equal to {min}.", N_("须大于或等于 %(min)s")),
    ("Must be greater than {min}.", N_("须大于 %(min)s")),
    ("Must be less than or equal to {max}.", N_("须小于或等于 %(max)s")),
    ("Must be less than {max}.", N_("须小于 %(max)s")),
    (
        "Must be greater than or equal to {min} and less than or equal to {max}.",
        N_("须在 %(min)s 至 %(max)s 之间（含两端）"),
    ),
    (
        "Must be greater than {min} and less than {max}.",
        N_("须大于 %(min)s 且小于 %(max)s"),
    ),
    (
        "Must be greater than or equal to {min} and less than {max}.",
        N_("须大于或等于 %(min)s 且小于 %(max)s"),
    ),
    (
        "Must be greater than {min} and less than or equal to {max}.",
        N_("须大于 %(min)s 且小于或等于 %(max)s"),
    ),
    ("Must be equal to {other}.", N_("须等于 %(other)s")),
    ("Must be one of: {choices}.", N_("取值须为以下之一：%(choices)s")),
    (
        "One or more of the choices you made was not in: {choices}.",
        N_("有选项不在允许范围内：%(choices)s"),
    ),
    (
        "One or more of the choices you made was in: {values}.",
        N_("有选项属于不允许的值：%(values)s"),
    ),
    ("String does not match expected pattern.", N_("格式不符合要求")),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    out = []
    for i, part in enumerate(parts):
        out.append(f"(?P<{part}>.+?)" if i % 2 else re.escape(part))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


# Longest first: "Must be greater than {min}." also matches the longer "… and less than …".
_COMPILED = tuple(
    (_pattern(t), msgid) for t, msgid in sorted(TEMPLATES, key=lambda tm: -len(tm[0]))
)


def translate(message: Any) -> str:
    """One validation message in the current locale."""
    text = str(message)
    for pattern, msgid in _COMPILED:
        m = pattern.match(text)
        if m:
            return gettext(msgid, **m.groupdict())
    return text


def _separators() -> tuple[str, str]:
    """(between a field and its message, between messages) in the current language."""
    if str(get_locale()).startswith("zh"):
        return "：", "；"
    return ": ", "; "


_LOCATIONS = ("json", "form", "query", "files", "headers", "path", "cookies")


def flatten(errors: Any, prefix: str = "") -> str:
    """marshmallow's error dict as one line: `field.sub: message; …` in the user's language."""
    colon, semicolon = _separators()
    parts: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key in _LOCATIONS and not prefix:
                parts.append(flatten(value, ""))
            elif key == "_schema":
                parts.append(flatten(value, prefix))
            else:
                parts.append(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list):
        texts = [translate(x) for x in errors if not isinstance(x, (dict, list))]
        if texts:
            joined = semicolon.join(texts)
            parts.append(f"{prefix}{colon}{joined}" if prefix else joined)
        parts.extend(flatten(x, prefix) for x in errors if isinstance(x, (dict, list)))
    else:
        text = translate(errors)
        parts.append(f"{prefix}{colon}{text}" if prefix else text)
    return semicolon.join(p for p in parts if p)
