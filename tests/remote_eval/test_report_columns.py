"""The report's ranking tables follow the evaluation method, in the HTML and in the PDF."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from typing import Any

from lxml import html as lxml_html

from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import clarifications, report, report_columns, summary
from remote_eval.models import Phase
from remote_eval.report_pdf import render_report_pdf
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld
from tests.remote_eval.test_report import give_keys, locked_comprehensive
from tests.remote_eval.test_summary import lowest_review

lowest = rw.lowest
comprehensive = rw.comprehensive


def locked_lowest(w: ReviewWorld) -> ReviewWorld:
    """test_summary's 最低评标价法 example with F's low price explained and accepted:
    F 1, C 2 (ties B at 430 000 and was handed in earlier), B 3, A 4; D and E rejected."""
    lowest_review(w)
    f = w.bids[5]
    asked = clarifications.ask(
        w.session,
        w.members[1],
        f,
        "请说明报价明显低于其他报价的合理性。",
        rw.T0 + dt.timedelta(hours=2),
        kind=clarifications.ABNORMAL_PRICE,
    )
    clarifications.answer(asked, w.bidders[5], "我公司为生产厂家，成本构成见附件。")
    clarifications.judge(asked, w.leader, True)
    summary.lock_summary(w.session, w.leader)
    db.session.commit()
    rw.move(w, Phase.SIGNING)
    return w


def table(doc: Any, testid: str) -> tuple[list[str], list[list[str]]]:
    node = doc.xpath(f'//table[@data-testid="{testid}"]')[0]
    heads = [th.text_content().strip() for th in node.xpath(".//thead//th")]
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        for tr in node.xpath(".//tbody/tr")
    ]
    return heads, rows


def stored_html(w: ReviewWorld) -> tuple[Any, dict[str, Any], bytes]:
    give_keys(w)
    rep = report.generate_report(w.session, w.host)
    db.session.commit()
    store = get_store()
    page = lxml_html.fromstring(store.open(rep.html_sha256).read().decode())
    return page, json.loads(rep.body), store.open(rep.pdf_sha256).read()


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (octal and single-character escapes)."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(m: re.Match[bytes]) -> bytes:
        esc = m.group(1)
        if esc[:1].isdigit():
            return bytes([int(esc, 8)])
        return simple.get(esc, esc)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def pdf_text(pdf: bytes) -> str:
    """The text a reportlab PDF shows in STSong-Light: its content streams are ASCII85 and
    Flate encoded, the strings UCS-2 big-endian (UniGB-UCS2-H)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            data = zlib.decompress(base64.a85decode(raw.strip().removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            text = _unescape(literal)
            if len(text) % 2 == 0:
                out.append(text.decode("utf-16-be", "replace"))
    return "".join(out)


def test_lowest_price_report_shows_evaluated_prices_times_and_the_tie_rule(
    lowest: ReviewWorld,
) -> None:
    w = locked_lowest(lowest)
    a, b, c, d, e, f = w.bids
    page, body, pdf = stored_html(w)
    assert body["method"]["uses_scores"] is False
    assert "递交在先者排名在前" in body["method"]["tie_rule"]
    results = {r["bid_id"]: r for r in body["results"]}
    assert results[c.id]["submitted_at"] == c.received_at.isoformat()

    assert "五、评标价汇总与排序" in page.text_content()
    heads, rows = table(page, "summary-table")
    assert heads == ["投标人", "评标价（元）", "投标文件递交时间", "排名"]
    by_name = {r[0][3]: r for r in rows}  # 投标人C有限公司 → C
    assert by_name["C"][1] == "430,000.00 元" and by_name["C"][3] == "2"
    assert by_name["B"][3] == "3" and by_name["F"][3] == "1"
    # the tie between B and C is decided by the times the table shows, to the second
    assert by_name["C"][2] < by_name["B"][2]
    assert (by_name["C"][2], by_name["B"][2]) == ("2026-03-30 09:50:00", "2026-03-30 10:05:00")
    assert by_name["D"][3] == "否决" and by_name["E"][3] == "否决"
    assert all("—" not in r[1] and "—" not in r[2] for r in rows)
    tie = page.xpath('//*[@data-testid="tie-rule"]')[0].text_content()
    assert "评标价相同的，投标文件递交在先者排名在前" in tie

    heads, rows = table(page, "candidates-table")
    assert heads == ["顺序", "投标人", "评标价（元）", "投标文件递交时间"]
    assert [(r[0], r[1][3], r[2]) for r in rows] == [
        ("1", "F", "180,000.00 元"),
        ("2", "C", "430,000.00 元"),
        ("3", "B", "430,000.00 元"),
    ]
    assert all(r[3] != "—" for r in rows)
    assert not page.xpath('//table[@data-testid="member-scores"]')
    assert "六、评委个人评分表本评标办法不设评分项" in "".join(page.text_content().split())

    text = pdf_text(pdf)
    assert "评标价（元）" in text and "投标文件递交时间" in text and "评标价汇总与排序" in text
    assert "总分" not in text and "价格分" not in text
    assert "递交在先者排名在前" in text


def test_comprehensive_report_keeps_the_score_columns(comprehensive: ReviewWorld) -> None:
    w = locked_comprehensive(comprehensive)
    page, body, pdf = stored_html(w)
    assert body["method"]["uses_scores"] is True
    heads, rows = table(page, "summary-table")
    assert heads == ["投标人", "报价（元）", "技术分", "商务分", "价格分", "总分", "排名"]
    by_name = {r[0][3]: r for r in rows}  # 投标人C有限公司 → C
    assert by_name["B"][5] == "93.00" and by_name["B"][6] == "1"
    assert by_name["A"][5] == "68.83" and by_name["A"][6] == "2"
    assert by_name["D"][6] == "否决"
    heads, rows = table(page, "candidates-table")
    assert heads == ["顺序", "投标人", "报价（元）", "总分"]
    assert [(r[1][3], r[3]) for r in rows] == [("B", "93.00"), ("A", "68.83")]
    tie = page.xpath('//*[@data-testid="tie-rule"]')[0].text_content()
    assert str(report_columns.methods.get("comprehensive").tie_rule) in tie
    text = pdf_text(pdf)
    assert "价格分" in text and "总分" in text and "投标文件递交时间" not in text


def test_a_body_signed_before_the_method_fields_renders_from_the_registry(
    lowest: ReviewWorld,
) -> None:
    """Reports signed before the body carried `uses_scores`, `tie_rule` and the results'
    `submitted_at` still get the method's columns (their bytes are never re-written)."""
    w = locked_lowest(lowest)
    _page, body, _pdf = stored_html(w)
    body["method"] = {k: body["method"][k] for k in ("code", "label")}
    for r in body["results"] + body["candidates"]:
        r.pop("submitted_at")
    tables = report_columns.ranking_tables(body)
    assert [h.key for h in tables.summary.headings] == ["name", "price", "submitted_at", "rank"]
    c = w.bids[2]
    row = next(cells for _v, cells in tables.summary.rows if cells[0].value == c.supplier.name)
    assert row[2].value == c.received_at.isoformat()
    assert "递交在先者" in tables.tie_rule
    assert render_report_pdf(body).startswith(b"%PDF-")
