"""The opening record (开标记录): its content, signing (HTML and PDF stored), publishing."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from app.core import clock, formatting
from app.core.audit import record
from app.core.audit.chain import canonical_json
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import actions, sealing
from bidding.bids.models import Opening, OpeningStatus, get_freeze
from bidding.bids.opening import hall_event, objections, opening_or_404, reading_lines, signins
from bidding.models import Lot
from bidding.policies import ensure_can_manage_lot


def record_document(lot: Lot, opening: Opening) -> dict[str, Any]:
    """The content of the opening record (开标记录): stable for a given opening."""
    freeze = get_freeze(lot)
    assert freeze is not None
    return {
        "lot": {"id": lot.id, "code": lot.code, "name": lot.name},
        "project": {"code": lot.project.code, "name": lot.project.name},
        "deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "place": lot.opening_place,
        "freeze": {"list_hash": freeze.list_hash, "count": freeze.bid_count},
        "order_seed": opening.order_seed,
        "lines": [
            {k: v for k, v in line.items() if k != "confirmed"} for line in reading_lines(opening)
        ],
        "signins": [s.supplier.name for s in signins(opening)],
        "objections": [
            {"supplier": o.supplier.name, "text": o.text, "answer": o.answer or ""}
            for o in objections(opening)
        ],
    }


def sign_record(lot: Lot, user: User) -> Opening:
    """Staff sign the opening record: HTML and PDF stored, the record signed by the platform."""
    ensure_can_manage_lot(user, lot)
    opening = opening_or_404(lot)
    if opening.status != OpeningStatus.READING:
        raise Conflict(_("唱标完成后才能签署开标记录。"))
    pending = [o for o in objections(opening) if o.answer is None]
    if pending:
        raise Conflict(_("尚有 %(n)s 条现场异议未答复，答复后方可签署开标记录。", n=len(pending)))
    doc = record_document(lot, opening)
    store = get_store()
    html = render_template("bidding/bids_record_doc.html", doc=doc, lot=lot).encode("utf-8")
    html_sha, _s = store.put_bytes(html)
    pdf_sha, _p = store.put_bytes(record_pdf(doc))
    opening.record_sha256, opening.record_pdf_sha256 = html_sha, pdf_sha
    opening.record_signature = sealing.sign_json(doc)
    opening.status, opening.signed_by_id, opening.signed_at = (
        OpeningStatus.SIGNED,
        user.id,
        clock.now(),
    )
    db.session.flush()
    record(
        actions.RECORD_SIGNED,
        opening,
        {"record_sha256": hashlib.sha256(canonical_json(doc).encode()).hexdigest(), "pdf": pdf_sha},
        actor=user,
    )
    hall_event(lot, "signed", {"by": user.display_name})
    return opening


def publish_record(lot: Lot, user: User) -> Opening:
    ensure_can_manage_lot(user, lot)
    opening = opening_or_404(lot)
    if opening.status != OpeningStatus.SIGNED:
        raise Conflict(_("开标记录签署后才能发布。"))
    opening.status, opening.published_at = OpeningStatus.PUBLISHED, clock.now()
    db.session.flush()
    record(actions.RECORD_PUBLISHED, opening, {"sha256": opening.record_sha256}, actor=user)
    hall_event(lot, "published", {})
    return opening


def record_pdf(doc: dict[str, Any]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=9, leading=13)
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=16, leading=22)
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=landscape(A4), title="开标记录")
    flow: list[Any] = [
        Paragraph(f"开标记录 · {_esc(doc['lot']['code'])} {_esc(doc['lot']['name'])}", title),
        Paragraph(f"项目：{_esc(doc['project']['code'])} {_esc(doc['project']['name'])}", body),
        Paragraph(
            f"开标时间：{_esc(formatting.cst(doc['deadline']))}　地点：{_esc(doc['place'])}", body
        ),
        Paragraph(
            f"截止时冻结投标文件 {doc['freeze']['count']} 份，哈希清单摘要 {doc['freeze']['list_hash']}",
            body,
        ),
        Paragraph(f"唱标顺序种子：{doc['order_seed']}", body),
        Spacer(1, 8),
    ]
    rows: list[list[Any]] = [
        [
            Paragraph(h, body)
            for h in ("序号", "投标人", "解密结果", "投标总价（元）", "工期（天）", "质量", "说明")
        ]
    ]
    for line in doc["lines"]:
        rows.append(
            [
                Paragraph(str(x), body)
                for x in (
                    line["no"],
                    _esc(line["supplier"]),
                    _STATUS_ZH.get(line["status"], line["status"]),
                    _esc(str(line["total_price"])),
                    _esc(str(line["duration_days"])),
                    _esc(str(line["quality"])),
                    _esc(line["reason"]),
                )
            ]
        )
    flow.append(Table(rows, repeatRows=1, colWidths=[30, 170, 60, 90, 60, 90, 260]))
    flow.append(Spacer(1, 8))
    flow.append(Paragraph("签到投标人：" + _esc("、".join(doc["signins"]) or "—"), body))
    for o in doc["objections"]:
        flow.append(
            Paragraph(
                f"异议（{_esc(o['supplier'])}）：{_esc(o['text'])}；答复：{_esc(o['answer'])}", body
            )
        )
    pdf.build(flow)
    return buf.getvalue()


_STATUS_ZH = {
    "decrypted": "解密成功",
    "revoked": "视为撤销",
    "retracted": "视为撤回",
    "submitted": "未解密",
}


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
