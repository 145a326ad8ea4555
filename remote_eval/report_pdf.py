"""The evaluation report as a PDF (reportlab, the built-in CJK font STSong-Light).

A rendering of the report's body and nothing else, so that the PDF says exactly what the
members sign; the signatures themselves are listed on the report page and in the export.
Like every record the platform keeps, the PDF carries the platform's PAdES signature
(`app.core.crypto.pades`), so any PDF reader shows whether it is the file the platform
stored. The members' signatures cover the canonical body, not these bytes: adding the
platform's signature changes nothing they signed, and `verify-report` checks the body.
"""

from __future__ import annotations

import io
from typing import Any

from app.core import formatting
from app.core.crypto.pades import sign_pdf
from remote_eval import report_columns

FONT = "STSong-Light"


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _t(value: Any) -> str:
    return formatting.cst(value) if value else "—"


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("通过" if value else "不通过")


def report_pdf(doc: dict[str, Any]) -> bytes:
    """The report's PDF, signed by the platform (PAdES)."""
    lot = doc.get("lot") or {}
    return sign_pdf(
        render_report_pdf(doc),
        reason=f"评标报告 {lot.get('code', '')}".strip(),
        location="Tender Hall",
    )


def render_report_pdf(doc: dict[str, Any]) -> bytes:
    """The unsigned rendering of the report's body."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table
    from reportlab.platypus import TableStyle as Style

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    small = ParagraphStyle("s", fontName=FONT, fontSize=7, leading=9)
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=20, leading=28, alignment=1)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=18, spaceBefore=10)
    grid = Style(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    members = {m["id"]: m for m in doc["members"]}
    names = {b["bid_id"]: b["name"] for b in doc["bidders"]}

    def who(member_id: Any) -> str:
        m = members.get(int(member_id)) if member_id is not None else None
        return f"{m['seat']} {m['name'] or ''}".strip() if m else str(member_id)

    def table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Any:
        cells = [[Paragraph(_esc(h), body) for h in header]]
        cells += [[Paragraph(_esc(c), body) for c in row] for row in rows]
        t = Table(cells, repeatRows=1, colWidths=widths)
        t.setStyle(grid)
        return t

    lot, project, ev = doc["lot"], doc["project"], doc["evaluation"]
    story: list[Any] = [
        Spacer(1, 120),
        Paragraph("评标报告", h1),
        Spacer(1, 30),
        Paragraph(f"项目：{_esc(project['code'])} {_esc(project['name'])}", body),
        Paragraph(f"标段：{_esc(lot['code'])} {_esc(lot['name'])}", body),
        Paragraph(f"评标办法：{_esc(doc['method']['label'])}", body),
        Paragraph(
            f"预算金额：{_esc(lot['budget'])} 元　最高限价：{_esc(lot['ceiling_price'] or '—')} 元",
            body,
        ),
        Paragraph(
            f"开标时间：{_t(lot['bid_deadline'])}　开标地点：{_esc(lot['opening_place'])}", body
        ),
        Paragraph(
            f"评标开始：{_t(ev['started_at'])}　汇总锁定：{_t(ev['summary_locked_at'])}", body
        ),
        Paragraph(
            "评标场地："
            + "、".join(
                _esc(v["name"]) + ("（主场）" if v["main"] else "（副场）") for v in ev["venues"]
            ),
            body,
        ),
        Paragraph(f"主持人：{_esc(ev['host'])}　交易中心：{_esc(project['centre'])}", body),
        Paragraph(
            f"报告版本：第 {doc['report']['version']} 版　生成时间：{_t(doc['report']['generated_at'])}",
            body,
        ),
        PageBreak(),
        Paragraph("一、评标委员会签到表", h2),
        table(
            ["席位", "姓名", "类别", "场地", "身份核验", "签到", "状态"],
            [
                [
                    m["seat"],
                    (m["name"] or "—") + ("（组长）" if m["leader"] else ""),
                    m["kind_label"],
                    m["venue"] + ("（主场）" if m["main_venue"] else "（副场）"),
                    _t(m["identity_confirmed_at"]),
                    _t(m["signed_in_at"]),
                    "在席" if m["active"] else f"退出：{m['removed_reason']}",
                ]
                for m in doc["members"]
            ],
        ),
        Paragraph("二、承诺书与回避声明", h2),
        table(
            ["席位", "姓名", "签署承诺书", "回避声明"],
            [
                [m["seat"], m["name"] or "—", _t(m["committed_at"]), _t(m["avoidance_declared_at"])]
                for m in doc["members"]
            ],
        ),
        Paragraph("三、推选组长", h2),
    ]
    for r in doc["election"]:
        tally = "、".join(f"{who(k)} {v} 票" for k, v in sorted(r["tally"].items()))
        result = f"当选：{who(r['winner_id'])}" if r["winner_id"] else "未产生多数，重新投票"
        story.append(Paragraph(f"第 {r['number']} 轮：{_esc(tally) or '—'}；{_esc(result)}", body))
    story.append(Paragraph("四、资格审查与符合性审查", h2))
    for b in doc["review"]:
        rows = []
        for item in b["items"]:
            opinions = "；".join(
                f"{who(v['member_id'])}：{_yes(v['passed'])}"
                + (f"（{v['reason']}）" if v["reason"] else "")
                for v in item["verdicts"]
            )
            vote = item["majority_vote"]
            result = _yes(item["passed"]) + (
                f"（表决 {vote['for']}:{vote['against']}）" if vote else ""
            )
            rows.append([item["section_label"], item["name"], opinions, result])
        story.append(Paragraph(_esc(b["name"]), body))
        story.append(table(["类别", "审查项", "评委意见", "结论"], rows, [60, 90, 250, 90]))
    tables = report_columns.ranking_tables(doc)

    def ranking(t: report_columns.RankingTable) -> Any:
        rows = [[report_columns.plain(c) for c in cells] for _valid, cells in t.rows]
        return table([str(h.label) for h in t.headings], rows or [["—"] * len(t.headings)])

    story.append(Paragraph(_esc(f"五、{tables.summary_title}"), h2))
    story.append(ranking(tables.summary))
    story.append(Paragraph(_esc(f"排序规则：{tables.tie_rule}"), small))
    scored = doc["scheme"]["technical"] + doc["scheme"]["commercial"]
    story.append(Paragraph("六、评委个人评分表", h2))
    if not scored:
        story.append(Paragraph("本评标办法不设评分项，无评委个人评分表。", body))
    else:
        for r in doc["results"]:
            if not r["members"]:
                continue
            header = ["评委"] + [i["name"] for i in scored] + ["合计"]
            rows = [
                [who(mid)] + [s["items"].get(i["id"], "—") for i in scored] + [s["total"]]
                for mid, s in sorted(r["members"].items(), key=lambda kv: int(kv[0]))
            ]
            story.append(Paragraph(_esc(r["name"]), body))
            story.append(table(header, rows))
    story.append(Paragraph("七、被否决的投标", h2))
    story.append(
        table(
            ["投标人", "否决理由"],
            [[r["name"], r["reason"]] for r in doc["rejected"]] or [["—", "—"]],
        )
    )
    story.append(Paragraph("八、澄清", h2))
    for c in doc["clarifications"]:
        story.append(
            Paragraph(
                _esc(
                    f"{names.get(c['bid_id'], c['bid_id'])}（{_t(c['asked_at'])}）问：{c['question']}"
                    f"　答：{c['answer'] or '未答复'}"
                ),
                body,
            )
        )
    story.append(Paragraph("九、不同意见与评分说明", h2))
    for d in doc["dissents"]:
        story.append(
            Paragraph(
                _esc(
                    f"{who(d['member_id'])}（{names.get(d['bid_id'], '')} {d['item_id']}）：{d['text']}"
                ),
                body,
            )
        )
    for j in doc["justifications"]:
        story.append(
            Paragraph(
                _esc(
                    f"{who(j['member_id'])}（{names.get(j['bid_id'], '')} {j['item_id']} 评分说明）：{j['text']}"
                ),
                body,
            )
        )
    if not doc["dissents"] and not doc["justifications"]:
        story.append(Paragraph("无", body))
    story.append(Paragraph("十、推荐的中标候选人", h2))
    story.append(ranking(tables.candidates))
    story.append(Paragraph("十一、评委签名公钥（ECDSA P-256）", h2))
    for m in doc["members"]:
        if m["active"]:
            key = f"{m['key_id']}  {m['public_key']}" if m["public_key"] else "未创建"
            story.append(Paragraph(_esc(f"{m['seat']} {m['name'] or ''}：{key}"), small))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="评标报告").build(story)
    return buf.getvalue()
