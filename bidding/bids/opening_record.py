"""The opening record (开标记录): its content, signing (HTML and PDF stored), publishing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from app.core import clock, formatting, pdf
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
    html = render_template(
        "bidding/bids_record_doc.html", doc=doc, lot=lot, present=signins(opening), host=user
    ).encode("utf-8")
    html_sha, _s = store.put_bytes(html)
    pdf_sha, _p = store.put_bytes(record_pdf(doc, opening, user))
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


def record_pdf(doc: dict[str, Any], opening: Opening, host: User) -> bytes:
    """The opening record as an A4 PDF signed by the platform (PAdES): the opening time and
    place, who took part, the price lines, the objections and a signature line per party."""
    present = signins(opening)
    blocks: list[Any] = [
        pdf.Fields(
            [
                ("项目", f"{doc['project']['code']} {doc['project']['name']}"),
                ("标段", f"{doc['lot']['code']} {doc['lot']['name']}"),
                ("开标时间", f"{formatting.cst(doc['deadline'])}（北京时间）"),
                ("开标地点", doc["place"] or "—"),
                (
                    "开标主持人",
                    f"{host.display_name}（{host.organisation.name if host.organisation else ''}）",
                ),
                (
                    "截止时冻结的投标文件",
                    f"{doc['freeze']['count']} 份，哈希清单摘要 {doc['freeze']['list_hash']}",
                ),
                ("唱标顺序种子", doc["order_seed"]),
            ]
        ),
        pdf.Heading("参加人员"),
        pdf.Table(
            ["单位", "人员", "身份", "签到时间"],
            [
                [
                    host.organisation.name if host.organisation else "",
                    host.display_name,
                    "开标主持人",
                    "—",
                ]
            ]
            + [
                [s.supplier.name, s.user.display_name, "投标人代表", formatting.cst(s.signed_in_at)]
                for s in present
            ],
            widths=[0.4, 0.2, 0.18, 0.22],
        ),
        pdf.Heading("唱标"),
        pdf.Table(
            ["序号", "投标人", "解密结果", "投标总价（元）", "工期（天）", "质量", "说明"],
            [
                [
                    str(line["no"]),
                    line["supplier"],
                    _STATUS_ZH.get(line["status"], line["status"]),
                    str(line["total_price"]),
                    str(line["duration_days"]),
                    str(line["quality"]),
                    line["reason"],
                ]
                for line in doc["lines"]
            ],
            widths=[0.06, 0.26, 0.1, 0.14, 0.09, 0.1, 0.25],
        ),
    ]
    if doc["objections"]:
        blocks.append(pdf.Heading("现场异议及答复"))
        blocks.append(
            pdf.Table(
                ["提出人", "异议", "答复"],
                [[o["supplier"], o["text"], o["answer"]] for o in doc["objections"]],
                widths=[0.24, 0.38, 0.38],
            )
        )
    blocks.append(pdf.Heading("签字"))
    blocks.append(
        pdf.Signatures(
            ["开标主持人（代理机构）", "记录人", "监督人员"]
            + [f"投标人代表（{s.supplier.name}）" for s in present]
        )
    )
    record = pdf.Record(
        title="开标记录",
        subtitle=f"{doc['lot']['code']} {doc['lot']['name']}",
        blocks=blocks,
        footer=f"Tender Hall 公共资源交易平台 · 开标记录 {doc['lot']['code']}",
    )
    return pdf.record_pdf(record, reason="开标记录", location=doc["place"] or "Tender Hall")


_STATUS_ZH = {
    "decrypted": "解密成功",
    "revoked": "视为撤销",
    "retracted": "视为撤回",
    "submitted": "未解密",
}
