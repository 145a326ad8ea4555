"""What a lot's archive holds: every notice, document, record and audit entry, as a list
of (path, source) the builder streams into the package.

A source is bytes (a JSON record made here) or the SHA-256 of a file in the content store
(tender documents, sealed bids, PDFs, attachments, contracts), copied in chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.core import audit
from app.core.audit.chain import leaf_hash, node_hash
from app.core.audit.models import AuditCheckpoint, AuditEntry
from app.core.audit.service import checkpoint_body
from app.core.extensions import db
from app.core.realtime import RoomEvent
from bidding.bids.models import Bid, BidBond, LotFreeze, Opening, OpeningObjection
from bidding.documents.models import Objection, Question, TenderDocument
from bidding.models import Announcement, Lot
from bidding.results import contracts
from bidding.results.handoff import result_of
from bidding.results.models import ResultFiling, ResultNotice
from experts.draw_record import export_record
from experts.models import Draw
from remote_eval import report as eval_report
from remote_eval.models import EvalReport, EvalSession
from remote_eval.negotiation import record as negotiation_record
from remote_eval.room import room_name
from remote_eval.venues import fees
from remote_eval.venues.models import KEPT_RECORDINGS, RemoteLot, VenueRecording


@dataclass(frozen=True)
class Item:
    path: str
    data: bytes | None = None  # a record made here
    stored: str | None = None  # or the SHA-256 of a file in the content store
    chunks: Iterable[bytes] | None = None  # or a long record, made as it is written


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode()


def _rows(model: Any, *where: Any) -> list[Any]:
    return list(db.session.execute(select(model).where(*where).order_by(model.id)).scalars())


def _columns(row: Any, *skip: str) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}


def items(lot: Lot) -> tuple[list[Item], dict[str, list[Any]]]:
    """The package's files, and the objects (table → ids) whose audit entries it carries."""
    out: list[Item] = []
    refs: dict[str, list[Any]] = {"lot": [lot.id], "project": [lot.project_id]}

    def add(table: str, rows: list[Any]) -> None:
        refs.setdefault(table, []).extend(r.id for r in rows)

    out.append(Item("lot.json", _json({**_columns(lot), "project": _columns(lot.project)})))
    anns = _rows(
        Announcement,
        Announcement.project_id == lot.project_id,
        (Announcement.lot_id == lot.id) | (Announcement.lot_id.is_(None)),
    )
    add("announcement", anns)
    for a in anns:
        out.append(Item(f"notices/{a.id:06d}-{a.kind.value}.json", _json(_columns(a))))
    docs = _rows(TenderDocument, TenderDocument.lot_id == lot.id)
    add("tender_document", docs)
    for d in docs:
        out.append(Item(f"documents/v{d.version}-{d.filename}", stored=d.sha256))
    questions = _rows(Question, Question.lot_id == lot.id)
    add("doc_question", questions)
    out.append(Item("qa/questions.json", _json([_columns(q) for q in questions])))
    objections = _rows(Objection, Objection.lot_id == lot.id)
    add("doc_objection", objections)
    out.append(Item("objections/documents.json", _json([_columns(o) for o in objections])))
    filings = _rows(ResultFiling, ResultFiling.lot_id == lot.id)
    add("result_filing", filings)
    out.append(Item("objections/result.json", _json([_columns(f) for f in filings])))
    for f in filings:
        for n, att in enumerate(f.attachments):
            out.append(Item(f"objections/files/{f.id}-{n}-{att['name']}", stored=att["sha256"]))
    bonds = _rows(BidBond, BidBond.lot_id == lot.id)
    add("bid_bond", bonds)
    bids = _rows(Bid, Bid.lot_id == lot.id)
    add("bid", bids)
    for b in bids:
        out.append(Item(f"bids/{b.id}-receipt.json", _json(b.receipt or {})))
        out.append(Item(f"bids/{b.id}-v{b.version}.sealed", stored=b.ciphertext_sha256))
    freeze = db.session.execute(select(LotFreeze).where(LotFreeze.lot_id == lot.id)).scalar()
    if freeze is not None:
        add("lot_freeze", [freeze])
        out.append(Item("opening/frozen-hash-list.json", _json(_columns(freeze))))
    opening = db.session.execute(select(Opening).where(Opening.lot_id == lot.id)).scalar()
    if opening is not None:
        add("opening", [opening])
        hall = _rows(OpeningObjection, OpeningObjection.opening_id == opening.id)
        out.append(
            Item(
                "opening/opening.json",
                _json({**_columns(opening), "objections": [_columns(o) for o in hall]}),
            )
        )
        if opening.record_pdf_sha256:
            out.append(Item("opening/opening-record.pdf", stored=opening.record_pdf_sha256))
    draws = _rows(Draw, Draw.lot_id == lot.id)
    add("expert_draw", draws)
    for d in draws:
        if d.commitment_seq is not None:
            out.append(Item(f"draws/draw-{d.id}.json", _json(export_record(d))))
    sessions = _rows(EvalSession, EvalSession.lot_id == lot.id)
    add("eval_session", sessions)
    for s in sessions:
        events = db.session.execute(
            select(RoomEvent).where(RoomEvent.room == room_name(s)).order_by(RoomEvent.seq)
        ).scalars()
        lines = b"".join(
            json.dumps(
                {
                    "seq": e.seq,
                    "kind": e.kind,
                    "payload": e.payload,
                    "at": e.created_at.isoformat(),
                },
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
            + b"\n"
            for e in events
        )
        out.append(Item(f"evaluation/{s.id}/room-events.jsonl", lines))
        negotiated, nego_refs = negotiation_record.export(s)
        if negotiated["rounds"]:
            out.append(Item(f"evaluation/{s.id}/negotiation.json", _json(negotiated)))
            for table, ids in nego_refs.items():
                refs.setdefault(table, []).extend(ids)
        reports = _rows(EvalReport, EvalReport.session_id == s.id)
        add("eval_report", reports)
        for r in reports:
            out.append(
                Item(f"evaluation/{s.id}/report-v{r.version}.json", _json(eval_report.export(r)))
            )
            out.append(Item(f"evaluation/{s.id}/report-v{r.version}.pdf", stored=r.pdf_sha256))
        out.extend(_recordings(s, add))
    if db.session.get(RemoteLot, lot.id) is not None:
        # Remote evaluation: what each expert is paid, by their home pool's standard.
        out.append(Item("evaluation/expert-fees.csv", fees.sheet_csv(fees.fee_sheet(lot)).encode()))
    result = result_of(lot)
    if result is not None:
        add("lot_result", [result])
        out.append(Item("result/result.json", _json(_columns(result))))
    notices = _rows(ResultNotice, ResultNotice.lot_id == lot.id)
    add("result_notice", notices)
    for n in notices:
        out.append(
            Item(
                f"result/notices/{n.id}-{n.kind.value}.json",
                _json(
                    {"body": n.body, "signature": n.signature, "alg": "Ed25519", "key_id": n.key_id}
                ),
            )
        )
        out.append(Item(f"result/notices/{n.id}-{n.kind.value}.pdf", stored=n.pdf_sha256))
    rows = contracts.contracts_of(lot)
    add("lot_contract", rows)
    for c in rows:
        out.append(Item(f"contract/{c.id}.json", _json(_columns(c))))
        out.append(Item(f"contract/{c.id}-{c.filename}", stored=c.sha256))
    return out, refs


def _recordings(session: EvalSession, add: Any) -> list[Item]:
    """Each venue's saved recording of its camera, with the list naming venue, times,
    size and SHA-256."""
    rows = _rows(
        VenueRecording,
        VenueRecording.session_id == session.id,
        VenueRecording.status.in_(KEPT_RECORDINGS),
        VenueRecording.sha256.is_not(None),
    )
    if not rows:
        return []
    add("venue_recording", rows)
    listed = [_columns(r, "token", "user_id", "received", "chunks") for r in rows]
    out = [Item(f"evaluation/{session.id}/recordings.json", _json(listed))]
    for r in rows:
        ext = "mp4" if r.mime == "video/mp4" else "webm"
        path = f"evaluation/{session.id}/recordings/{r.id}-venue-{r.centre_id}.{ext}"
        out.append(Item(path, stored=r.sha256))
    return out


# ---------------------------------------------------------------- audit entries and proofs


def _entries(refs: dict[str, list[Any]]) -> list[AuditEntry]:
    found: dict[int, AuditEntry] = {}
    for table, ids in refs.items():
        keys = [str(i) for i in ids]
        for start in range(0, len(keys), 500):
            for e in db.session.execute(
                select(AuditEntry).where(
                    AuditEntry.object_type == table,
                    AuditEntry.object_id.in_(keys[start : start + 500]),
                )
            ).scalars():
                found[e.seq] = e
    return [found[k] for k in sorted(found)]


def _checkpoint_covering(seq: int) -> AuditCheckpoint:
    cp = (
        db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()))
        .scalars()
        .first()
    )
    if cp is None or cp.size < seq:
        cp = audit.checkpoint()
    assert cp is not None and cp.size >= seq
    return cp


HASH = 32  # bytes of a SHA-256 node


class _Tree:
    """The RFC 9162 tree of the log's first n leaves, level by level, each level one bytes
    object of 32-byte hashes (an odd last node moves up unchanged, which gives RFC 9162's
    left-heavy tree): every node is hashed once, and a proof is a slice per level, with no
    Python object per node."""

    def __init__(self, leaves: Iterable[bytes]) -> None:
        level = b"".join(leaves)
        self.levels = [level]
        while len(level) > HASH:
            n = len(level) // HASH
            pairs = (
                node_hash(level[i : i + HASH], level[i + HASH : i + 2 * HASH])
                for i in range(0, (n - 1) * HASH, 2 * HASH)
            )
            level = b"".join(pairs) + (level[-HASH:] if n % 2 else b"")
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    def proof(self, index: int) -> list[bytes]:
        out = []
        for level in self.levels[:-1]:
            sibling = (index ^ 1) * HASH
            if sibling < len(level):
                out.append(level[sibling : sibling + HASH])
            index >>= 1
        return out


def audit_items(refs: dict[str, list[Any]]) -> Iterator[Item]:
    """The lot's audit entries with inclusion proofs against one signed checkpoint."""
    entries = _entries(refs)
    if not entries:
        return
    cp = _checkpoint_covering(entries[-1].seq)
    hashes = db.session.execute(
        select(AuditEntry.entry_hash).where(AuditEntry.seq <= cp.size).order_by(AuditEntry.seq)
    ).scalars()
    tree = _Tree(leaf_hash(h) for h in hashes)
    assert tree.root.hex() == cp.root
    yield Item(
        "audit/checkpoint.json",
        _json(
            {
                "body": checkpoint_body(cp.size, cp.root, cp.signed_at),
                "signature": cp.signature,
                "key_id": cp.key_id,
                "alg": "Ed25519",
            }
        ),
    )
    yield Item("audit/entries.jsonl", chunks=_entry_lines(entries, tree, cp.size))


def _entry_lines(entries: list[AuditEntry], tree: _Tree, size: int) -> Iterator[bytes]:
    """entries.jsonl, written as it is made (about 1 MB at a time)."""
    batch: list[bytes] = []
    held = 0
    for e in entries:
        row = _columns(e)
        row["ts"] = e.ts.isoformat()
        row["leaf_index"] = e.seq - 1
        row["tree_size"] = size
        row["proof"] = [p.hex() for p in tree.proof(e.seq - 1)]
        line = json.dumps(row, ensure_ascii=False, sort_keys=True).encode() + b"\n"
        batch.append(line)
        held += len(line)
        if held >= 1 << 20:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)
