"""The English catalogue: complete, compiled, and actually used by pages and the JSON API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
# Every directory whose strings reach users; the Makefile extracts the same code.
SOURCE_DIRS = ("app", "bidding", "experts", "remote_eval", "scripts")


def _read_po() -> Any:
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return read_po(fh, locale="en")


def _as_dict(catalog: Any) -> dict[Any, Any]:
    return {m.id: m.string for m in catalog if m.id}


def test_compiled_mo_matches_the_po_catalogue() -> None:
    buf = io.BytesIO()
    write_mo(buf, _read_po(), use_fuzzy=False)
    buf.seek(0)
    expected = _as_dict(read_mo(buf))
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        shipped = _as_dict(read_mo(fh))
    stale = sorted(str(k) for k in expected.keys() ^ shipped.keys())
    stale += sorted(str(k) for k in expected.keys() & shipped.keys() if expected[k] != shipped[k])
    assert not stale, (
        "messages.mo is out of date with messages.po; run "
        "`pybabel compile -d app/translations -l en`. Differing msgids: " + "; ".join(stale[:20])
    )


def test_po_has_no_fuzzy_or_empty_entries() -> None:
    bad = [
        str(m.id)
        for m in _read_po()
        if m.id
        and ("fuzzy" in m.flags or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert not bad, "Fuzzy or empty English translations: " + "; ".join(bad[:20])


def test_every_extracted_string_has_an_english_translation() -> None:
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    msgids: dict[str, str] = {}
    for name in SOURCE_DIRS:
        directory = ROOT / name
        if not directory.is_dir():
            continue
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(directory), method_map, options_map
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            msgids.setdefault(msgid, f"{name}/{filename}")
    # A broken babel.cfg (e.g. lazy_gettext not extracted, templates skipped) must not pass silently.
    assert len(msgids) > 1000
    assert (
        "首页" in msgids
        and "统一社会信用代码 %(c)s 无效：应为 18 位，且末位校验码须正确（GB 32100）。" in msgids
    )

    translated = {k: v for k, v in _as_dict(_read_po()).items() if not isinstance(k, tuple)}
    missing = sorted(f"{msgids[m]}: {m}" for m in msgids if not translated.get(m))
    assert not missing, (
        f"{len(missing)} strings lack an English translation; run `make translations` and "
        "fill in app/translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(missing[:40])
    )


def test_labels_translated_through_a_variable_are_in_the_catalogue() -> None:
    # _(LABELS[key]) translates through a variable; the tables mark their values with N_().
    from app.core.validation_messages import TEMPLATES
    from bidding.labels import EVAL_LABELS, KIND_LABELS, METHOD_LABELS, STATUS_LABELS

    translated = _as_dict(_read_po())
    tables = {
        "bidding.labels.METHOD_LABELS": METHOD_LABELS,
        "bidding.labels.EVAL_LABELS": EVAL_LABELS,
        "bidding.labels.STATUS_LABELS": STATUS_LABELS,
        "bidding.labels.KIND_LABELS": KIND_LABELS,
        "app.core.validation_messages.TEMPLATES": dict(TEMPLATES),
    }
    missing = [
        f"{name}: {value}"
        for name, table in tables.items()
        for value in table.values()
        if not translated.get(value)
    ]
    assert not missing, "Mark these with N_() and translate them: " + "; ".join(missing)


def test_chinese_is_the_default_language(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "首页" in html and "交易公告" in html and "登录" in html
    assert "Trading notices" not in html


def test_portal_home_and_login_render_in_english_after_switching(client: Any) -> None:
    resp = client.get("/lang/en")
    assert resp.status_code == 302

    home = client.get("/").get_data(as_text=True)
    nav = home[home.index('class="masthead"') : home.index("</header>")]
    for word in ("Home", "Trading notices", "Sign in", "Supplier registration"):
        assert word in nav
    for label in ("首页", "交易公告", "登录", "供应商注册"):
        assert label not in nav
    assert "Search notices" in home and "Lots open for tender" in home

    login = client.get("/login").get_data(as_text=True)
    assert "Username" in login and "Password" in login
    assert "用户名" not in login and "密码" not in login

    # Switching back restores Chinese.
    client.get("/lang/zh_CN")
    assert "交易公告" in client.get("/").get_data(as_text=True)


def test_query_parameter_selects_english_for_one_request(client: Any) -> None:
    assert "Trading notices" in client.get("/?lang=en").get_data(as_text=True)
    assert "交易公告" in client.get("/").get_data(as_text=True)


def test_api_domain_error_message_follows_the_session_language(client: Any) -> None:
    body = {
        "company_name": "Acme Ltd",
        "credit_code": "12345",
        "username": "acme-en",
        "password": "a-long-enough-password",
        "contact_name": "Li Lei",
        "email": "li@example.cn",
    }
    zh = client.post("/api/v1/auth/register", json=body)
    assert zh.status_code == 422
    assert "统一社会信用代码" in zh.get_json()["message"]

    client.get("/lang/en")
    en = client.post("/api/v1/auth/register", json=body)
    assert en.status_code == 422
    message = en.get_json()["message"]
    assert "Unified social credit code 12345 is invalid" in message
    assert "统一社会信用代码" not in message


def test_validation_messages_are_wholly_in_the_users_language(client: Any) -> None:
    from app.core.auth.models import Role
    from tests.factories import make_user, token_headers

    headers = token_headers(make_user(Role.STAFF))
    zh = client.get("/api/v1/projects?page=0&per_page=500", headers=headers)
    assert zh.status_code == 422
    assert zh.get_json()["message"] == (
        "提交的数据有误：page：须大于或等于 1；per_page：须在 1 至 100 之间（含两端）"
    )
    en = client.get("/api/v1/projects?page=0&per_page=500&lang=en", headers=headers)
    message = en.get_json()["message"]
    assert "page: Must be greater than or equal to 1" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert en.get_json()["errors"] == zh.get_json()["errors"]  # the machine-readable part


def test_every_marshmallow_message_has_a_chinese_form() -> None:
    import re

    import marshmallow.fields as mf
    import marshmallow.validate as mv

    from app.core.validation_messages import TEMPLATES, translate
    from app.factory import create_app

    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_request_context("/"):
        # A sample of what marshmallow really produces, formatted by marshmallow itself.
        produced = [
            mf.Integer().error_messages["invalid"],
            mf.String().error_messages["required"],
            mf.DateTime().error_messages["invalid"].format(obj_type="datetime"),
            mv.Range(min=1)._format_error(0, mv.Range(min=1).message_min),
            mv.Range(min=1, max=5)._format_error(9, mv.Range(min=1, max=5).message_all),
            mv.Range(max=5, max_inclusive=False)._format_error(
                9, mv.Range(max=5, max_inclusive=False).message_max
            ),
            mv.Length(min=2)._format_error("a", mv.Length.message_min),
            mv.OneOf(["a", "b"])._format_error("c"),
        ]
        for text in produced:
            out = translate(text)
            assert out != text and not re.search(r"\b(?!ISO|YYYY|MM|DD)[A-Za-z]{3,}\b", out), (
                text,
                out,
            )
        for _template, msgid in TEMPLATES:
            words = re.sub(r"%\(\w+\)s|UUID|JSON|ISO|YYYY|UTF|HH|MM|DD|NaN|IP", "", msgid)
            assert not re.search(r"[A-Za-z]{2,}", words), msgid
