"""The opened bids as the committee reads them in the room.

Per bidder: the price form (开标一览表) exactly as the opening record holds it (the same
`Bid.price_form` that `clarifications.price_of` scores, never retyped) and the files with
the hashes fixed at the opening. A member of this committee reads a file while the
evaluation is open (`policies.ensure_can_read_bid_files`); the file is streamed from the
store (Range and conditional requests answered by werkzeug, never read whole into memory).

Each opening of a file leaves one audit entry (member, bidder, file name, hash). A PDF
viewer fetches a large file in several Range requests: a request for the start of a file
(no Range, or one from byte 0) is an opening; a request for a later part counts as the
same opening when the member opened that file within `CONTINUATION`, and as a new one
otherwise (so reading a file piecewise never goes unrecorded).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Request, Response, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from app.core.i18n import N_
from bidding.bids import plaintext
from bidding.bids.models import Bid
from remote_eval import actions, committee, policies, refusals, review
from remote_eval.clarifications import price_of
from remote_eval.models import EvalMember, EvalSession

CONTINUATION = dt.timedelta(minutes=10)

# The price form's known fields, in the order the opening record prints them.
PRICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("total_price", N_("投标总价")),
    ("duration_days", N_("工期（天）")),
    ("quality", N_("质量")),
)

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]')


@dataclass(frozen=True)
class OpenedFile:
    """A file a member may now be sent: where it lies and how to send it."""

    bid: Bid
    index: int
    name: str
    sha256: str
    size: int
    path: Path
    pdf: bool


def safe_name(name: str) -> str:
    """The file name for Content-Disposition: no control characters, separators or quotes."""
    clean = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", name or "")).strip(" .")
    return clean[:150] or "file"


def is_pdf_name(name: str) -> bool:
    return name.lower().endswith(".pdf")


def _is_pdf(path: Path, name: str) -> bool:
    """Shown inline only when both its name and its first bytes say PDF: the content type
    in the bid's manifest is the bidder's word and never trusted for the browser."""
    if not is_pdf_name(name):
        return False
    with open(path, "rb") as f:
        return f.read(5) == b"%PDF-"


def price_rows(bid: Bid) -> list[dict[str, str]]:
    """The price form's lines, labelled; fields a bidder's form adds keep their own names."""
    form = bid.price_form or {}
    known = {k for k, _label in PRICE_FIELDS}
    rows = [
        {"key": k, "label": _(label), "value": str(form[k])}
        for k, label in PRICE_FIELDS
        if form.get(k) not in (None, "")
    ]
    rows += [
        {"key": k, "label": str(k), "value": str(v)} for k, v in form.items() if k not in known
    ]
    return rows


def size_label(size: Any) -> str:
    """A file size as people read it (B, KB, MB, GB: the same in both languages)."""
    if not isinstance(size, int) or size < 0:
        return ""
    value, unit = float(size), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


def files_of(bid: Bid) -> list[dict[str, Any]]:
    return [
        {
            "index": n,
            "name": f.get("name", ""),
            "size": f.get("size"),
            "size_label": size_label(f.get("size")),
            "sha256": f.get("sha256", ""),
            "pdf": is_pdf_name(f.get("name", "")),
            "available": plaintext.stored_path(plaintext.address(f)) is not None,
        }
        for n, f in enumerate(bid.plaintext_files or [])
    ]


def bidders(session: EvalSession) -> list[dict[str, Any]]:
    """Every opened bid of the lot: supplier, price form and files."""
    return [
        {
            "bid_id": bid.id,
            "supplier": bid.supplier.name,
            "total_price": price_of(bid),
            "price_form": price_rows(bid),
            "files": files_of(bid),
        }
        for bid in review.session_bids(session)
    ]


def listing(session: EvalSession, user: Any, url: Any) -> dict[str, Any]:
    """What the room shows a watcher of the bids: links to the files only for those who may
    read them now (`url(bid_id, index)` builds a link)."""
    may_read = policies.can_read_bid_files(user, session)
    out = bidders(session)
    for b in out:
        for f in b["files"]:
            f["url"] = url(b["bid_id"], f["index"]) if may_read and f["available"] else None
    return {"session_id": session.id, "may_read": may_read, "bidders": out}


def send(opened: OpenedFile) -> Response:
    """Stream the file: a PDF inline for the browser's own viewer, anything else as a
    download. Range and If-None-Match / If-Range are answered from the hash-named ETag."""
    resp = send_file(
        opened.path,
        mimetype="application/pdf" if opened.pdf else "application/octet-stream",
        as_attachment=not opened.pdf,
        download_name=safe_name(opened.name),
        conditional=True,
        etag=opened.sha256,
        last_modified=None,
        max_age=None,
    )
    # Decrypted bids on a shared venue terminal: never kept in the browser's cache.
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def range_start(req: Request) -> int:
    """The first byte a request asks for (0 without a Range; a suffix range reads the end)."""
    rng = req.range
    if rng is None or not rng.ranges:
        return 0
    begin = rng.ranges[0][0]
    return begin if begin >= 0 else 1


def open_file(
    session: EvalSession, user: Any, bid_id: int, index: int, *, start: int = 0
) -> OpenedFile:
    """Check the caller may read the file now, record the opening, and say where it lies.

    `start` is the first byte asked for (a Range request for a later part of the file).
    The caller sends the file and commits.
    """
    member = policies.ensure_can_read_bid_files(user, session)
    bid = review.load_bid(session, bid_id)
    entry = plaintext.file_entry(bid, index)
    if entry is None:
        raise NotFound(_l("该投标文件不存在。"))
    sha, name = plaintext.address(entry), str(entry.get("name", ""))
    path = plaintext.stored_path(sha) if sha else None
    if path is None:
        raise Conflict(_l("开标时未留存该文件的解密内容，只能核对其哈希值。"))
    if start == 0 or not _opened_lately(member, bid, sha):
        record(
            actions.BID_FILE_OPENED,
            bid,
            {
                "member_id": member.id,
                "seat": member.seat,
                "session_id": session.id,
                "supplier_id": bid.supplier_id,
                "supplier": bid.supplier.name,
                "file": name,
                "sha256": sha,
            },
            actor=user,
        )
    return OpenedFile(
        bid=bid,
        index=index,
        name=name,
        sha256=sha,
        size=int(entry.get("size") or 0),
        path=path,
        pdf=_is_pdf(path, name),
    )


def _opened_lately(member: EvalMember, bid: Bid, sha256: str) -> bool:
    """Whether the member opened this file of the bid within CONTINUATION."""
    seq = db.session.execute(
        select(AuditEntry.seq)
        .where(
            AuditEntry.action == actions.BID_FILE_OPENED,
            AuditEntry.object_type == "bid",
            AuditEntry.object_id == str(bid.id),
            AuditEntry.actor_id == member.user_id,
            AuditEntry.ts >= clock.now() - CONTINUATION,
            AuditEntry.data.contains(sha256),
        )
        .limit(1)
    ).scalar()
    return seq is not None


def serve(session_id: int, bid_id: int, index: int, user: Any, req: Request) -> Response:
    """One request for a file (page or API): refused and audited through `refusals`, or
    sent, with the opening's audit entry committed when the file's bytes go out."""
    opened = refusals.run(
        "bid_file",
        session_id,
        lambda: open_file(
            committee.get_session(session_id), user, bid_id, index, start=range_start(req)
        ),
        commit=False,
    )
    resp = send(opened)
    if req.method == "GET" and resp.status_code in (200, 206):
        db.session.commit()
    else:
        db.session.rollback()  # HEAD, 304 Not Modified, 416: nothing of the file was read
    return resp
