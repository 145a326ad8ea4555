"""The signed receipt (回执) of a bid: what was received, when, and its place in the audit log."""

from __future__ import annotations

from typing import Any

from app.core import audit, formatting, pdf
from app.core.audit.chain import canonical_json
from app.core.audit.models import AuditEntry
from app.core.auth.models import Organisation
from bidding.bids import sealing
from bidding.bids.models import Bid
from bidding.models import Lot


def build_receipt(bid: Bid, lot: Lot, org: Organisation, entry: AuditEntry) -> dict[str, Any]:
    """The receipt body with an inclusion proof of the bid's audit entry, signed by the platform."""
    inclusion = audit.proof(entry)
    body = {
        "type": "tenderhall.bid-receipt",
        "version": 1,
        "lot": {"id": lot.id, "code": lot.code, "name": lot.name},
        "company": {"id": org.id, "name": org.name, "credit_code": org.credit_code or ""},
        "bid": {"id": bid.id, "version": bid.version},
        "ciphertext_sha256": bid.ciphertext_sha256,
        "size": bid.size,
        "server_time": bid.received_at.isoformat(),
        "audit": {
            "seq": entry.seq,
            "entry_hash": entry.entry_hash,
            "tree_size": inclusion.tree_size,
            "leaf_index": inclusion.leaf_index,
            "root": inclusion.root.hex(),
            "inclusion_proof": [p.hex() for p in inclusion.proof],
        },
    }
    return sealing.sign_receipt(body)


def receipt_pdf(bid: Bid) -> bytes:
    """The receipt as an A4 PDF signed by the platform (PAdES). The signed JSON stays the
    record a verifier checks with `tenderhall-seal verify-receipt`; the PDF carries it whole."""
    doc = bid.receipt or {}
    r = doc.get("receipt", {})
    lot, company, trail = r.get("lot", {}), r.get("company", {}), r.get("audit", {})
    record = pdf.Record(
        title="投标文件接收回执",
        subtitle=f"{lot.get('code', '')} {lot.get('name', '')}",
        blocks=[
            pdf.Fields(
                [
                    ("标段", f"{lot.get('code', '')} {lot.get('name', '')}"),
                    ("投标人", f"{company.get('name', '')}（{company.get('credit_code', '')}）"),
                    ("投标文件版本", str(r.get("bid", {}).get("version", ""))),
                    (
                        "接收时间",
                        formatting.cst(bid.received_at, formatting.SECOND) + "（北京时间）",
                    ),
                    ("密文 SHA-256", r.get("ciphertext_sha256", "")),
                    ("大小（字节）", str(r.get("size", ""))),
                    ("审计日志序号", str(trail.get("seq", ""))),
                    ("审计日志 Merkle 根", trail.get("root", "")),
                    ("平台签名（Ed25519）", doc.get("signature", "")),
                    ("签名密钥编号", doc.get("key_id", "")),
                ]
            ),
            pdf.Heading("核验方法"),
            pdf.Para(
                "本回执由平台以 Ed25519 密钥签名。下载回执 JSON，并从平台“平台公钥与证书”页面"
                "（/keys）下载公钥 platform-ed25519.pem、核对指纹后，运行："
                "tenderhall-seal verify-receipt receipt.json --public-key platform-ed25519.pem。"
                "本 PDF 另带平台 PAdES 电子签名，任何 PDF 阅读器均可查看。",
                small=True,
            ),
            pdf.Heading("回执原文（JSON）"),
            pdf.Para(canonical_json(doc), small=True),
        ],
        footer=f"Tender Hall 公共资源交易平台 · 投标回执 {lot.get('code', '')}",
    )
    return pdf.record_pdf(record, reason="投标文件接收回执")
