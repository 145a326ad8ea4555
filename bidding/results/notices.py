"""中标通知书 and 中标结果通知书 (成交通知书 and 成交结果通知书 for the methods other than
tendering, `bidding.methods.ResultWords`): a PDF per bidder and the platform's signature over its
description (which includes the PDF's SHA-256), so either can be checked offline with
the platform's public key (docs/result-notices.md)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from app.core import formatting
from app.core.crypto import platform_public_key, sign_json, verify_json
from app.core.storage import get_store
from bidding.methods import rule_for
from bidding.models import Method
from bidding.results.models import NoticeKind, ResultNotice

FORMAT = "tenderhall.result-notice/1"


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def notice_pdf(doc: dict[str, Any]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=11, leading=18)
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=18, leading=26, alignment=1)
    award = doc["kind"] == NoticeKind.AWARD.value
    # 中标 or 成交, as the lot's method says (notices issued before the method was part of
    # the document were all tendering's words).
    rule = rule_for(doc["method"]) if doc.get("method") else rule_for(Method.OPEN)
    words = rule.result_words
    name = words.award_letter if award else words.result_letter
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, title=name)
    lines = [
        Paragraph(name, title),
        Spacer(1, 12),
        Paragraph(f"{_esc(doc['supplier'])}：", body),
        Paragraph(
            f"　　{_esc(doc['project_name'])}（项目编号 {_esc(doc['project_code'])}，"
            f"标段 {_esc(doc['lot_code'])} {_esc(doc['lot_name'])}）{rule.result_basis}，"
            "现确定：",
            body,
        ),
    ]
    if award:
        lines.append(
            Paragraph(
                f"　　贵单位为{words.winner}，{words.amount} {_esc(formatting.yuan(doc['amount']))}。"
                f"请于 {_esc(formatting.cst(doc['contract_due'], formatting.CHINESE_DAY))}"
                "前与采购人签订书面合同。",
                body,
            )
        )
    else:
        lines.append(
            Paragraph(
                f"　　{words.winner}为 {_esc(doc['winner'])}，{words.amount} "
                f"{_esc(formatting.yuan(doc['amount']))}。感谢贵单位参与本次采购活动。",
                body,
            )
        )
    lines += [
        Spacer(1, 18),
        Paragraph(f"采购人：{_esc(doc['purchaser'])}", body),
        Paragraph(f"采购代理机构：{_esc(doc['agency'])}", body),
        Paragraph(
            f"发出日期：{_esc(formatting.cst(doc['issued_at'], formatting.CHINESE_DAY))}", body
        ),
    ]
    pdf.build(lines)
    return buf.getvalue()


def make_notice(doc: dict[str, Any], supplier_id: int, lot_id: int, at: Any) -> ResultNotice:
    """Render, store and sign one notice (the caller adds and flushes it)."""
    pdf = notice_pdf(doc)
    sha, _size = get_store().put_bytes(pdf)
    body = {"format": FORMAT, **doc, "pdf_sha256": sha}
    return ResultNotice(
        lot_id=lot_id,
        supplier_id=supplier_id,
        kind=NoticeKind(doc["kind"]),
        body=body,
        signature=sign_json(body),
        key_id=platform_public_key().key_id,
        pdf_sha256=sha,
        issued_at=at,
    )


def export(notice: ResultNotice) -> dict[str, Any]:
    """What a bidder keeps to prove the notice offline: body, signature and the key."""
    return {
        "body": notice.body,
        "signature": notice.signature,
        "alg": "Ed25519",
        "public_key": platform_public_key().to_dict(),
        "signed_bytes": "canonical JSON of body (keys sorted, no spaces, UTF-8)",
    }


def check(notice: ResultNotice, pdf: bytes | None = None) -> bool:
    """The signature holds and (when given) the PDF is the one it names."""
    if not verify_json(notice.body, notice.signature, platform_public_key().pem):
        return False
    return pdf is None or hashlib.sha256(pdf).hexdigest() == notice.body.get("pdf_sha256")
