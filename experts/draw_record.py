"""The self-contained record of a draw, and its verification against the live log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import audit
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict
from app.core.extensions import db
from experts import draw
from experts.draws import public_request
from experts.models import Draw, DrawStatus, Invitation, Specialty

RECORD_FORMAT = "tenderhall-expert-draw/1"


def commitment_proof(seq: int) -> dict[str, Any]:
    """The committed audit entry and its inclusion proof, as every draw record carries them
    (expert draws, the market's random selections, inspection campaigns), so that
    `scripts/verify_draw.py` checks any of them the same way."""
    entry = db.session.get(AuditEntry, seq)
    assert entry is not None
    inclusion = audit.proof(entry)
    return {
        "commitment": {
            "seq": entry.seq,
            "ts": entry.ts.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "role": entry.role,
            "ip": entry.ip,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "data": entry.data,
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
        },
        "inclusion": {
            "index": inclusion.leaf_index,
            "tree_size": inclusion.tree_size,
            "proof": [p.hex() for p in inclusion.proof],
        },
    }


def export_record(item: Draw) -> dict[str, Any]:
    """A self-contained record: with it alone, anyone can re-run and check the draw."""
    if item.commitment_seq is None:
        raise Conflict(_l("该抽取尚未承诺，没有可导出的记录。"))
    revealed = item.status == DrawStatus.REVEALED
    return {
        "format": RECORD_FORMAT,
        "draw_id": item.id,
        "status": item.status.value,
        "request": public_request(item),
        "groups": list(item.groups),
        "eligible": item.eligible,
        "result": item.result,
        "public_value": item.public_value,
        "seed": item.seed_revealed if revealed else None,
        **commitment_proof(item.commitment_seq),
    }


def verify_in_app(item: Draw) -> list[tuple[str, bool]]:
    """Checks against the live database and log, then the same checks as the standalone tool."""
    checks: list[tuple[str, bool]] = []
    if item.commitment_seq is None:
        return [("draw has a commitment", False)]
    checks.append(
        (
            "public value = audit Merkle root at commitment",
            audit.root_at(item.commitment_seq).hex() == item.public_value,
        )
    )
    rows = db.session.execute(
        select(Invitation.slot, Invitation.rank, Invitation.expert_id)
        .where(Invitation.draw_id == item.id)
        .order_by(Invitation.slot, Invitation.rank)
    ).all()
    stored: list[int] = [r[2] for r in rows]
    expected = [i for r in (item.result or []) for i in r["invited"] + r["reserves"]]
    checks.append(("invitations match the recorded result", stored == expected))
    checks += draw.verify_record(json.loads(json.dumps(export_record(item), default=str)))
    return checks


def record_pdf(item: Draw) -> bytes:
    """The draw record as an A4 PDF signed by the platform (PAdES). Experts appear by their
    pool number only: names stay sealed until they sign in at the evaluation."""
    from app.core import formatting, pdf
    from bidding.models import Lot
    from experts.labels import draw_status

    record = export_record(item)
    lot = db.session.get(Lot, item.lot_id)
    assert lot is not None
    revealed = record["seed"] or "评标结束后公开"

    def specialty(code: str) -> str:
        node = db.session.get(Specialty, code)
        return f"{code} {node.name}" if node is not None else code

    groups = [
        [
            str(n + 1),
            specialty(str(g.get("specialty", ""))),
            str(g.get("count", "")),
            str(g.get("reserves", "")),
            str(len((record["eligible"] or [])[n]) if record["eligible"] else "—"),
        ]
        for n, g in enumerate(record["groups"])
    ]
    results = [
        [
            str(n + 1),
            "、".join(str(i) for i in r.get("invited", [])) or "—",
            "、".join(str(i) for i in r.get("reserves", [])) or "—",
        ]
        for n, r in enumerate(record["result"] or [])
    ]
    commitment = record["commitment"]
    doc = pdf.Record(
        title="专家抽取记录",
        subtitle=f"{lot.code} {lot.name}",
        blocks=[
            pdf.Fields(
                [
                    ("标段", f"{lot.code} {lot.name}"),
                    ("抽取编号", str(item.id)),
                    ("状态", draw_status(item.status)),
                    ("评标时间", formatting.cst(item.evaluation_at) + "（北京时间）"),
                    ("评标地点", item.venue),
                    ("采购人代表人数", str(item.purchaser_reps)),
                    ("回避单位数", str(len(item.avoided or []))),
                    (
                        "承诺（审计日志）",
                        f"第 {commitment['seq']} 条，{formatting.cst(item.committed_at)}，"
                        f"哈希 {commitment['entry_hash']}",
                    ),
                    ("公开随机值（承诺时的日志 Merkle 根）", record["public_value"] or "—"),
                    ("种子", revealed),
                    ("抽取时间", formatting.cst(item.drawn_at)),
                ]
            ),
            pdf.Heading("抽取条件"),
            pdf.Table(
                ["组", "专业", "人数", "候补", "符合条件的专家数"],
                groups,
                widths=[0.08, 0.32, 0.15, 0.15, 0.3],
            ),
            pdf.Heading("抽取结果（专家库编号）"),
            pdf.Table(["组", "入选", "候补（依次）"], results, widths=[0.08, 0.46, 0.46]),
            pdf.Para(
                "凭 JSON 记录（record.json）可用 flask experts verify-draw 或 "
                "scripts/verify_draw.py 独立复核本次抽取。",
                small=True,
            ),
            pdf.Heading("签字"),
            pdf.Signatures(["抽取经办人", "监督人员"]),
        ],
        footer=f"Tender Hall 公共资源交易平台 · 专家抽取记录 {item.id}",
    )
    return pdf.record_pdf(doc, reason="专家抽取记录")
