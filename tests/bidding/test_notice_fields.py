"""Notices read as words: each kind's fields through one registry, sections numbered
without gaps, category codes as names."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from bidding import categories, notice_fields
from bidding.models import Method
from bidding.notice_text import render_tender_body

CANDIDATES = {
    "project_code": "P-1",
    "candidates": [
        {"rank": 1, "supplier": "甲公司", "price": "1707552.00", "score": "92.36"},
        {"rank": 2, "supplier": "乙公司", "price": "1756062.00", "score": ""},
    ],
    "publicity_start": "2026-10-01",
    "publicity_end": "2026-10-04",
}


def _texts(rows: list[notice_fields.FieldRow]) -> str:
    return " ".join(
        [r.label + " " + r.text for r in rows]
        + [" ".join(h) for r in rows for h in [r.headers, *r.rows]]
    )


def test_candidates_read_as_a_table_with_labels_in_both_languages(app: Any) -> None:
    with app.test_request_context():
        rows = notice_fields.field_rows("candidates", CANDIDATES, omit={"project_code"})
        table = next(r for r in rows if r.key == "candidates")
        assert table.headers == ["排名", "供应商", "投标报价", "综合得分"]
        assert table.rows[0] == ["第 1 名", "甲公司", "1,707,552.00 元", "92.36"]
        assert table.rows[1][3] == "—"
        text = _texts(rows)
        assert "公示开始 2026年10月01日" in text and "P-1" not in text
        for raw in ("rank", "supplier", "price", "publicity_start", "publicity_end"):
            assert raw not in text
        with force_locale("en"):
            english = _texts(notice_fields.field_rows("candidates", CANDIDATES))
        assert "Bid price" in english and "CNY 1,707,552.00" in english
        assert "publicity" not in english.replace("Publicity", "")


def test_a_clarification_says_whether_the_deadline_moved(app: Any) -> None:
    moved = {
        "old_deadline": "2026-12-07T01:30:00+00:00",
        "new_deadline": "2026-12-15T01:30:00+00:00",
        "deadline_moved": True,
        "document_version": 2,
        "document_sha256": "ab" * 32,
    }
    with app.test_request_context():
        rows = {r.label: r.text for r in notice_fields.field_rows("clarification", moved)}
        assert rows == {
            "投标截止时间是否顺延": "是",
            "原投标截止时间": "2026-12-07 09:30",
            "投标截止时间": "2026-12-15 09:30",
            "招标文件版本": "2",
        }
        still = {**moved, "deadline_moved": False, "new_deadline": moved["old_deadline"]}
        rows = {r.label: r.text for r in notice_fields.field_rows("clarification", still)}
        assert "原投标截止时间" not in rows and rows["投标截止时间是否顺延"] == "否"


def test_a_new_kind_plugs_in_and_undeclared_keys_are_never_shown(app: Any) -> None:
    notice_fields.register_kind_fields(
        "test_kind", [notice_fields.FieldSpec("amount", "金额", "money")]
    )
    try:
        with app.test_request_context():
            rows = notice_fields.field_rows("test_kind", {"amount": "5", "secret_key": "x"})
        assert [(r.label, r.text) for r in rows] == [("金额", "5.00 元")]
        assert notice_fields.undeclared_keys("test_kind", {"amount": 1, "x_y": 2}) == {"x_y"}
    finally:
        notice_fields._REGISTRY.pop("test_kind")


def test_tender_notice_sections_run_without_gaps(app: Any) -> None:
    lot = {
        "lot_code": "L-01",
        "lot_name": "施工",
        "category_code": "A08",
        "budget": "100.00",
        "ceiling_price": None,
        "bid_bond": "1.00",
        "evaluation_method": "comprehensive",
        "validity_days": 90,
        "bid_deadline": "2026-12-21T01:30:00+00:00",
        "opening_place": "",
    }
    fields = {
        "agency_name": "代理",
        "purchaser_name": "采购人",
        "project_name": "项目",
        "project_code": "P",
        "trade_id": "T",
        "budget": "100.00",
        "requirements": "需求",
        "qualifications": "资格",
        "doc_start_at": "2026-12-01T01:00:00+00:00",
        "doc_end_at": "2026-12-08T09:00:00+00:00",
        "doc_obtain_method": "在线",
        "bid_submission": "在线",
        "purchaser_address": "",
        "purchaser_contact": "",
        "purchaser_phone": "",
        "agency_address": "",
        "agency_contact": "",
        "agency_phone": "",
    }
    numerals = "一二三四五六七八九十"
    with app.test_request_context(), force_locale("zh_CN"):
        for remarks, count in (("", 6), ("另行通知", 7)):
            body = render_tender_body({**fields, "remarks": remarks}, [lot], Method.OPEN)
            heads = [line[0] for line in body.splitlines() if line[1:2] == "、"]
            assert heads == list(numerals[:count]), body
        assert "标段分类 工程 · 施工" in body


def test_category_codes_read_as_names_and_the_gp_catalogue_kind_is_named() -> None:
    assert categories.name("B0201") == "货物 · 信息技术设备 · 计算机设备"
    assert categories.name("A", "en") == "Works"
    # 标段分类 B (goods) is 政府采购品目 A (货物类): named, never shown as a bare letter.
    assert categories.gp_kind_name("B02") == "货物类"
    assert categories.gp_kind_name("A08") == "工程类"
    assert categories.is_government_procurement("inquiry")
    assert categories.is_government_procurement("open", "财政资金")
    assert not categories.is_government_procurement("open", "企业自筹")
