"""Printable records as PDF: one A4 layout for every record, signed by the platform.

A package describes its record as blocks (fields, tables, paragraphs, signature lines);
``record_pdf`` lays them out with an embedded-metrics CJK font (STSong-Light, which every
PDF reader has), page numbers and the platform's PAdES signature (``crypto.pades``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from app.core import clock, formatting

FONT = "STSong-Light"


@dataclass(frozen=True)
class Fields:
    """Label / value rows (a record's facts)."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # fractions of the text width


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Signatures:
    """Signature lines: one per party, with room for a hand signature and the date."""

    parties: list[str]
    date_label: str = "日期"


@dataclass
class Record:
    title: str
    subtitle: str = ""
    blocks: list[Any] = field(default_factory=list)
    landscape: bool = False
    footer: str = ""  # e.g. "Tender Hall 公共资源交易平台 · 开标记录"


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=1),
        "subtitle": ParagraphStyle(
            "subtitle", fontName=FONT, fontSize=10, leading=14, alignment=1, spaceAfter=8
        ),
        "h": ParagraphStyle("h", fontName=FONT, fontSize=12, leading=18, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=12, wordWrap="CJK"),
    }


def _p(text: Any, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _flow(record: Record, width: float, st: dict[str, Any]) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Spacer
    from reportlab.platypus import Table as RLTable

    grid = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    out: list[Any] = [_p(record.title, st["title"])]
    if record.subtitle:
        out.append(_p(record.subtitle, st["subtitle"]))
    for block in record.blocks:
        if isinstance(block, Heading):
            out.append(_p(block.text, st["h"]))
        elif isinstance(block, Para):
            out.append(_p(block.text, st["small" if block.small else "body"]))
        elif isinstance(block, Fields):
            rows = [[_p(k, st["cell"]), _p(v, st["cell"])] for k, v in block.rows]
            table = RLTable(rows, colWidths=[width * 0.24, width * 0.76])
            table.setStyle(grid + [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f3f8"))])
            out.append(table)
        elif isinstance(block, Table):
            cols = len(block.headers)
            fractions = block.widths or [1 / cols] * cols
            rows = [[_p(h, st["cell"]) for h in block.headers]]
            rows += [[_p(c, st["cell"]) for c in row] for row in block.rows]
            table = RLTable(rows, colWidths=[width * f for f in fractions], repeatRows=1)
            table.setStyle(grid + [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f8"))])
            out.append(table)
        elif isinstance(block, Signatures):
            rows = [
                [_p(party, st["cell"]), "", _p(block.date_label, st["cell"]), ""]
                for party in block.parties
            ]
            table = RLTable(
                rows,
                colWidths=[width * 0.34, width * 0.36, width * 0.1, width * 0.2],
                rowHeights=[30] * len(rows),
            )
            table.setStyle(
                [
                    ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                    ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
            out.append(KeepTogether([table]))
        out.append(Spacer(1, 6))
    return out


def render(record: Record) -> bytes:
    """The record as an unsigned A4 PDF (``record_pdf`` signs it)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    st = _styles()
    size = landscape(A4) if record.landscape else A4
    buf = io.BytesIO()
    margin = 16 * mm
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=record.title,
        author="Tender Hall",
        creator="Tender Hall",
    )
    printed = formatting.cst(clock.now())
    footer = record.footer or record.title

    def page_footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(margin, 10 * mm, f"{footer} · 生成于 {printed}（北京时间）")
        canvas.drawRightString(size[0] - margin, 10 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(
        _flow(record, size[0] - 2 * margin, st), onFirstPage=page_footer, onLaterPages=page_footer
    )
    return buf.getvalue()


def record_pdf(record: Record, *, reason: str, location: str = "Tender Hall") -> bytes:
    """The record rendered and signed by the platform (PAdES): any PDF reader shows it."""
    from app.core.crypto.pades import sign_pdf

    return sign_pdf(render(record), reason=reason, location=location)
