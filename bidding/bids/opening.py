"""The opening (开标): sign-in, custodians' shares, decryption, reading, confirmations,
objections and the signed opening record. Every command emits a hall event after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.audit.chain import canonical_json
from app.core.auth.models import Role, User
from app.core.errors import Conflict, Forbidden, NotFound, TooEarly, ValidationError
from app.core.extensions import db
from app.core.http import client_info
from app.core.realtime import emit
from app.core.storage import get_store
from bidding.bids import sealing
from bidding.bids.models import (
    Bid,
    BidStatus,
    LotCustodian,
    LotFreeze,
    LotOpeningKey,
    Opening,
    OpeningObjection,
    OpeningSignin,
    OpeningStatus,
)
from bidding.bids.policies import HALL
from bidding.bids.services import (
    cfg,
    close_lot,
    ensure_manages_lot,
    get_freeze,
    manages_lot,
    opening_key,
    oversees_lot,
)
from bidding.models import Lot, LotStatus


def room(lot: Lot) -> str:
    return HALL.name(lot.id)


def _emit(lot: Lot, kind: str, payload: dict[str, Any]) -> None:
    emit(room(lot), kind, payload)


def is_bidder(user: Any, lot: Lot, freeze: LotFreeze | None = None) -> bool:
    freeze = freeze or get_freeze(lot)
    if freeze is None or user is None or user.role != Role.SUPPLIER:
        return False
    return any(e["supplier_id"] == user.organisation_id for e in freeze.entries)


def is_custodian(user: Any, lot: Lot) -> bool:
    return _custodian_row(user, lot) is not None


def _custodian_row(user: Any, lot: Lot) -> LotCustodian | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(LotCustodian).where(LotCustodian.lot_id == lot.id, LotCustodian.user_id == user.id)
    ).scalar_one_or_none()


def can_enter_hall(user: Any, lot: Lot) -> bool:
    return bool(
        manages_lot(user, lot)
        or oversees_lot(user, lot)
        or is_custodian(user, lot)
        or is_bidder(user, lot)
    )


def ensure_can_enter_hall(user: Any, lot: Lot) -> None:
    if not can_enter_hall(user, lot):
        raise Forbidden(
            _("只有本标段的投标人、代理机构工作人员、密钥保管人和监督人员可以进入开标大厅。")
        )


def get_opening(lot: Lot) -> Opening | None:
    return db.session.execute(select(Opening).where(Opening.lot_id == lot.id)).scalar_one_or_none()


def _ensure_opening(lot: Lot) -> Opening:
    """The opening exists from the deadline on; the freeze is caught up if the sweep lagged."""
    if lot.bid_deadline is None or clock.now() < lot.bid_deadline:
        raise TooEarly(
            _(
                "开标时间（投标截止时间 %(t)s 北京时间）未到。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    freeze = close_lot(lot) if lot.status == LotStatus.PUBLISHED else get_freeze(lot)
    if freeze is None:
        raise Conflict(_("该标段未进入开标阶段。"))
    if freeze.failed:
        raise Conflict(_("本标段投标人不足，已流标，不予开标。"))
    opening = get_opening(lot)
    if opening is None:
        opening = Opening(lot_id=lot.id, status=OpeningStatus.SIGNIN, started_at=clock.now())
        db.session.add(opening)
        db.session.flush()
        record("opening.started", opening, {"lot": lot.id}, actor=None)
    return opening


def _signin_window(lot: Lot) -> tuple[dt.datetime, dt.datetime]:
    assert lot.bid_deadline is not None
    return (
        lot.bid_deadline - dt.timedelta(minutes=int(cfg("OPENING_SIGNIN_BEFORE_MINUTES"))),
        lot.bid_deadline + dt.timedelta(minutes=int(cfg("OPENING_SIGNIN_AFTER_MINUTES"))),
    )


def sign_in(lot: Lot, user: User) -> OpeningSignin:
    """A bidder signs in (签到) during the window around the deadline."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        raise Forbidden(_("只有投标人可以签到。"))
    if lot.bid_deadline is None:
        raise Conflict(_("该标段没有开标时间。"))
    start, end = _signin_window(lot)
    now = clock.now()
    if now < start or now > end:
        raise Conflict(
            _(
                "签到时间为 %(a)s 至 %(b)s（北京时间）。",
                a=formatting.cst(start, formatting.SECOND),
                b=formatting.cst(end, formatting.SECOND),
            )
        )
    if now < lot.bid_deadline:
        # Before the deadline the bidder list is secret: sign-in checks the caller's own bid.
        has_bid = db.session.execute(
            select(Bid.id).where(
                Bid.lot_id == lot.id,
                Bid.supplier_id == user.organisation_id,
                Bid.status == BidStatus.SUBMITTED,
            )
        ).first()
        if has_bid is None:
            raise Forbidden(_("贵单位在本标段没有有效的投标文件，无需签到。"))
        raise TooEarly(_("签到将在投标截止后开放；届时请进入开标大厅签到。"))
    opening = _ensure_opening(lot)
    if not is_bidder(user, lot):
        raise Forbidden(_("贵单位不在本标段截止时的投标文件清单中，不能签到。"))
    existing = db.session.execute(
        select(OpeningSignin).where(
            OpeningSignin.opening_id == opening.id,
            OpeningSignin.supplier_id == user.organisation_id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    signin = OpeningSignin(
        opening_id=opening.id,
        supplier_id=user.organisation_id,
        user_id=user.id,
        signed_in_at=now,
        ip=client_info().ip,
    )
    db.session.add(signin)
    db.session.flush()
    record("opening.signed_in", opening, {"supplier": user.organisation_id}, actor=user)
    _emit(lot, "signed_in", {"supplier": signin.supplier.name, "at": now.isoformat()})
    return signin


def present_share(lot: Lot, user: User, passphrase: str) -> LotCustodian:
    """A custodian unseals their share with their passphrase — refused before the deadline."""
    custodian = _custodian_row(user, lot)
    if custodian is None:
        raise Forbidden(_("您不是本标段的密钥保管人。"))
    if lot.bid_deadline is None or clock.now() < lot.bid_deadline:
        raise TooEarly(
            _(
                "投标截止时间（%(t)s 北京时间）之前，服务器拒绝接收或合成任何密钥分片。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    opening = _ensure_opening(lot)
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        raise Conflict(_("本标段已完成解密，无需再出示分片。"))
    if custodian.presented_share is not None:
        raise Conflict(_("您已出示过分片。"))
    try:
        share = sealing.unseal_share(custodian.sealed_share, passphrase or "")
    except sealing.CustodyError as exc:
        raise ValidationError(
            _("口令不正确，分片无法解封（认证校验未通过），请重新输入。"), field="passphrase"
        ) from exc
    custodian.presented_share = sealing.wrap_presented(share, _share_context(custodian))
    custodian.presented_at = clock.now()
    db.session.flush()
    key = opening_key(lot)
    count = _presented_count(lot)
    record(
        "opening.share_presented",
        opening,
        {"custodian": user.id, "index": custodian.share_index, "present": count, "k": key.k},
        actor=user,
    )
    _emit(lot, "share_presented", {"who": user.display_name, "present": count, "k": key.k})
    return custodian


def _share_context(c: LotCustodian) -> str:
    return f"lot:{c.lot_id}:share:{c.share_index}"


def _presented(lot: Lot) -> list[LotCustodian]:
    return list(
        db.session.execute(
            select(LotCustodian)
            .where(LotCustodian.lot_id == lot.id, LotCustodian.presented_share.is_not(None))
            .order_by(LotCustodian.share_index)
        ).scalars()
    )


def _presented_count(lot: Lot) -> int:
    return len(_presented(lot))


def decrypt_bids(lot: Lot, actor: User, max_bids: int | None = None) -> Opening:
    """Combine k shares in memory and open the frozen bids, `max_bids` at a time.

    Each bid is committed with its outcome by the caller, so a crash resumes with the bids
    still unopened; the reading order is derived from the frozen list and the shares'
    presentation, so a resumed opening ends with the same record.
    """
    ensure_manages_lot(actor, lot)
    opening = _ensure_opening(lot)
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        return opening
    key = opening_key(lot)
    presented = _presented(lot)
    if len(presented) < key.k:
        raise TooEarly(
            _("已出示 %(p)s 个密钥分片，至少需要 %(k)s 个才能解密。", p=len(presented), k=key.k)
        )
    freeze = get_freeze(lot)
    assert freeze is not None
    if opening.status == OpeningStatus.SIGNIN:
        opening.status = OpeningStatus.DECRYPTING
        record("opening.decryption_started", opening, {"shares": len(presented)}, actor=actor)
        _emit(lot, "decrypting", {"count": freeze.bid_count})
    try:
        shares = [
            sealing.unwrap_presented(c.presented_share or "", _share_context(c)) for c in presented
        ]
    except sealing.CustodyError as exc:
        raise Conflict(_("已出示的分片已损坏，请保管人重新出示。")) from exc
    pending = [
        db.session.get(Bid, e["bid_id"])
        for e in freeze.entries
        if db.session.get(Bid, e["bid_id"]).opened_at is None  # type: ignore[union-attr]
    ]
    todo = pending if max_bids is None else pending[:max_bids]
    try:
        with sealing.private_key(key.wrapped_private, shares[: key.k]) as private:
            _open_all(lot, [b for b in todo if b is not None], private)
    except sealing.CustodyError as exc:
        raise ValidationError(
            _("密钥分片合成失败（分片错误或被篡改），未使用任何分片：%(m)s", m=str(exc))
        ) from exc
    if len(todo) == len(pending):
        _finish_decryption(lot, opening, freeze, presented)
    db.session.flush()
    return opening


def _open_all(lot: Lot, bids: list[Bid], private: Any) -> None:
    """Decrypt bids on worker threads (the crypto and hashing release the GIL), recording
    each outcome on this thread in frozen-list order. A small window bounds memory."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    store = get_store()
    # OPENING_DECRYPT_THREADS (optional setting) overrides one thread per core.
    setting = current_app.config.get("OPENING_DECRYPT_THREADS")
    workers = max(1, int(setting or (os.cpu_count() or 1)))
    # A sliding window rather than fixed batches: a worker never waits for the slowest bid
    # of its batch, and at most `workers` bids are in flight.
    in_flight: deque[tuple[Bid, Future[Any]]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for b in bids:
            job = pool.submit(
                _decrypt_one, store, private, lot.id, b.supplier_id, b.ciphertext_sha256
            )
            in_flight.append((b, job))
            if len(in_flight) >= workers:
                bid, done = in_flight.popleft()
                _record_outcome(lot, bid, *done.result())
        while in_flight:
            bid, done = in_flight.popleft()
            _record_outcome(lot, bid, *done.result())


def _decrypt_one(
    store: Any, private: Any, lot_id: int, supplier_id: int, sha256: str
) -> tuple[Any, dict[str, _MetaSink], sealing.ContainerError | None]:
    """The crypto of one bid, free of the database: safe on a worker thread."""
    sinks: dict[str, _MetaSink] = {}

    def sink(opened_file: Any) -> _MetaSink:
        sinks[opened_file.name] = _MetaSink()
        return sinks[opened_file.name]

    try:
        if not store.exists(sha256):
            raise sealing.ContainerError("storage")
        with store.open(sha256) as raw:
            opened = sealing.open_bid(
                private, raw, sink, lot_id=lot_id, bidder_org_id=supplier_id, sha256=sha256
            )
    except sealing.ContainerError as exc:
        return None, sinks, exc
    return opened, sinks, None


def _record_outcome(
    lot: Lot,
    bid: Bid,
    opened: Any,
    sinks: dict[str, _MetaSink],
    error: sealing.ContainerError | None,
) -> None:
    """Record one frozen bid's outcome, checked against its receipt hash."""
    outcome, reason = BidStatus.DECRYPTED, ""
    price_form: dict[str, Any] | None = None
    files: list[dict[str, Any]] = []
    if error is None:
        price_form = {k: str(v) for k, v in opened.price_form.items()}
        files = [
            {
                "name": f.name,
                "size": f.size,
                "sha256": f.sha256,
                "content_type": f.content_type,
                "author": sinks[f.name].author() if f.name in sinks else "",
            }
            for f in opened.files
        ]
    else:
        outcome = BidStatus.REVOKED if error.bidder_fault else BidStatus.RETRACTED
        detail = str(error.message)
        reason = (
            _("解密失败（投标人原因：%(m)s），视为撤销。", m=detail)
            if error.bidder_fault
            else _("解密失败（非投标人原因：%(m)s），视为撤回。", m=detail)
        )
    bid.status, bid.failure_reason, bid.opened_at = outcome, reason, clock.now()
    bid.price_form = price_form
    bid.plaintext_files = files or None
    db.session.flush()
    record(
        "opening.bid_" + outcome.value,
        bid,
        {"sha256": bid.ciphertext_sha256, "reason": reason, "files": files},
        actor=None,
    )
    _emit(
        lot,
        "bid_opened",
        {"supplier": bid.supplier.name, "status": outcome.value, "reason": reason},
    )


_PDF_AUTHOR = re.compile(rb"/Author\s*\(([^)]{0,200})\)")
_OOXML_CREATOR = re.compile(rb"<dc:creator>([^<]{0,200})</dc:creator>")


class _MetaSink:
    """Keeps only the first MiB of a plaintext file: enough for its author metadata."""

    LIMIT = 1 << 20

    def __init__(self) -> None:
        self.head = bytearray()

    def write(self, data: bytes) -> int:
        if len(self.head) < self.LIMIT:
            self.head += data[: self.LIMIT - len(self.head)]
        return len(data)

    def author(self) -> str:
        return _author_of(bytes(self.head))


def _author_of(head: bytes) -> str:
    m = _PDF_AUTHOR.search(head)
    if m:
        return m.group(1).decode("latin-1", "replace")[:100]
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(head)) as z:
                core = z.read("docProps/core.xml")
            m = _OOXML_CREATOR.search(core)
            if m:
                return m.group(1).decode("utf-8", "replace")[:100]
        except (zipfile.BadZipFile, KeyError, OSError):
            return ""
    return ""


def _finish_decryption(
    lot: Lot, opening: Opening, freeze: LotFreeze, presented: list[LotCustodian]
) -> None:
    # The order seed is fixed by the frozen list and the shares' presentation times: nobody
    # could know it before the last share was presented, and a resume recomputes the same.
    material = canonical_json(
        [freeze.list_hash, [(c.share_index, c.presented_at) for c in presented]]
    )
    seed = hashlib.sha256(material.encode()).hexdigest()
    ids = [e["bid_id"] for e in freeze.entries]
    order = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    opening.order_seed, opening.reading_order = seed, order
    opening.status, opening.decrypted_at = OpeningStatus.READING, clock.now()
    lot.status = LotStatus.OPENED
    for c in presented:
        c.presented_share = None  # the shares are not needed any more: wipe them
    db.session.flush()
    lines = reading_lines(opening)
    record("opening.decrypted", opening, {"seed": seed, "order": order}, actor=None)
    _emit(lot, "reading", {"seed": seed, "lines": lines})


def reading_lines(opening: Opening) -> list[dict[str, Any]]:
    """The price lines (唱标) in the reading order, as everyone in the hall sees them."""
    out = []
    for n, bid_id in enumerate(opening.reading_order or [], start=1):
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        form = bid.price_form or {}
        out.append(
            {
                "no": n,
                "bid_id": bid.id,
                "supplier": bid.supplier.name,
                "status": bid.status.value,
                "total_price": form.get("total_price", ""),
                "duration_days": form.get("duration_days", ""),
                "quality": form.get("quality", ""),
                "extra": {
                    k: v
                    for k, v in form.items()
                    if k not in ("total_price", "duration_days", "quality")
                },
                "reason": bid.failure_reason,
                "confirmed": bid.confirmed_at is not None,
            }
        )
    return out


def confirm_line(lot: Lot, user: User) -> Bid:
    opening = _opening_or_404(lot)
    if opening.status != OpeningStatus.READING:
        raise Conflict(_("唱标完成后、开标记录签署前才能确认报价。"))
    bid = _bidders_bid(lot, user, opening)
    if bid.confirmed_at is None:
        bid.confirmed_at, bid.confirmed_by_id = clock.now(), user.id
        db.session.flush()
        record("opening.line_confirmed", bid, {"supplier": bid.supplier_id}, actor=user)
        _emit(lot, "confirmed", {"supplier": bid.supplier.name})
    return bid


def _bidders_bid(lot: Lot, user: User, opening: Opening) -> Bid:
    if user.role != Role.SUPPLIER or not is_bidder(user, lot):
        raise Forbidden(_("只有本标段的投标人可以执行此操作。"))
    for bid_id in opening.reading_order:
        bid = db.session.get(Bid, bid_id)
        if bid is not None and bid.supplier_id == user.organisation_id:
            return bid
    raise NotFound(_("未找到贵单位的投标文件。"))


def _opening_or_404(lot: Lot) -> Opening:
    opening = get_opening(lot)
    if opening is None:
        raise NotFound(_("本标段尚未开标。"))
    return opening


def raise_objection(lot: Lot, user: User, text: str) -> OpeningObjection:
    opening = _opening_or_404(lot)
    if opening.status in (OpeningStatus.SIGNED, OpeningStatus.PUBLISHED):
        raise Conflict(_("开标记录已签署，现场异议已结束。"))
    if user.role != Role.SUPPLIER or not is_bidder(user, lot):
        raise Forbidden(_("只有本标段的投标人可以提出现场异议。"))
    text = (text or "").strip()
    if not 2 <= len(text) <= 2000:
        raise ValidationError(_("异议内容须为 2 到 2000 个字符。"), field="text")
    objection = OpeningObjection(
        opening_id=opening.id,
        supplier_id=user.organisation_id,
        user_id=user.id,
        text=text,
        raised_at=clock.now(),
    )
    db.session.add(objection)
    db.session.flush()
    record("opening.objection_raised", objection, {"text": text}, actor=user)
    _emit(lot, "objection", {"id": objection.id, "supplier": objection.supplier.name, "text": text})
    return objection


def answer_objection(objection: OpeningObjection, user: User, answer: str) -> OpeningObjection:
    opening = db.session.get(Opening, objection.opening_id)
    assert opening is not None
    ensure_manages_lot(user, opening.lot)
    if objection.answer is not None:
        raise Conflict(_("该异议已答复。"))
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 2000:
        raise ValidationError(_("答复内容须为 2 到 2000 个字符。"), field="answer")
    objection.answer, objection.answered_by_id, objection.answered_at = answer, user.id, clock.now()
    db.session.flush()
    record("opening.objection_answered", objection, {"answer": answer}, actor=user)
    _emit(opening.lot, "answer", {"id": objection.id, "answer": answer})
    return objection


def objections(opening: Opening) -> list[OpeningObjection]:
    return list(
        db.session.execute(
            select(OpeningObjection)
            .where(OpeningObjection.opening_id == opening.id)
            .order_by(OpeningObjection.id)
        ).scalars()
    )


def signins(opening: Opening) -> list[OpeningSignin]:
    return list(
        db.session.execute(
            select(OpeningSignin)
            .where(OpeningSignin.opening_id == opening.id)
            .order_by(OpeningSignin.signed_in_at)
        ).scalars()
    )


def hall_state(lot: Lot) -> dict[str, Any]:
    """What everyone in the hall sees: no price before every bid has been decrypted."""
    opening = get_opening(lot)
    key = db.session.execute(
        select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
    ).scalar_one_or_none()
    state: dict[str, Any] = {
        "lot_id": lot.id,
        "status": opening.status.value if opening else None,
        "deadline": lot.bid_deadline,
        "shares_present": _presented_count(lot) if opening else 0,
        "k": key.k if key else None,
        "signins": [],
        "lines": [],
        "objections": [],
        "order_seed": None,
        "record_sha256": None,
    }
    if opening is None:
        return state
    state["signins"] = [s.supplier.name for s in signins(opening)]
    state["objections"] = [
        {"id": o.id, "supplier": o.supplier.name, "text": o.text, "answer": o.answer}
        for o in objections(opening)
    ]
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        state["lines"] = reading_lines(opening)
        state["order_seed"] = opening.order_seed
        state["record_sha256"] = opening.record_sha256
    return state


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
    ensure_manages_lot(user, lot)
    opening = _opening_or_404(lot)
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
        "opening.record_signed",
        opening,
        {"record_sha256": hashlib.sha256(canonical_json(doc).encode()).hexdigest(), "pdf": pdf_sha},
        actor=user,
    )
    _emit(lot, "signed", {"by": user.display_name})
    return opening


def publish_record(lot: Lot, user: User) -> Opening:
    ensure_manages_lot(user, lot)
    opening = _opening_or_404(lot)
    if opening.status != OpeningStatus.SIGNED:
        raise Conflict(_("开标记录签署后才能发布。"))
    opening.status, opening.published_at = OpeningStatus.PUBLISHED, clock.now()
    db.session.flush()
    record("opening.record_published", opening, {"sha256": opening.record_sha256}, actor=user)
    _emit(lot, "published", {})
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
