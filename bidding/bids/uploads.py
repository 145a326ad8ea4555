"""Resumable uploads of sealed bids, their finish into a recorded bid, withdrawal.

A bid's bytes accumulate in the store's staging file of its upload session, checked and
hashed as they arrive (`upload_checks`); the finish takes that check's verdict, or verifies
the whole file when the check is not at hand, and adopts it into the content-addressed store.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import io
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import bindparam, func, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Organisation, Role, User
from app.core.errors import Conflict, NotFound, TooLate, ValidationError
from app.core.extensions import db
from app.core.http import BodyReader, client_info
from app.core.notify import notify
from app.core.realtime import after_commit
from app.core.storage import CHUNK, get_store
from bidding import hooks, retention
from bidding.bids import actions, sealing, upload_checks
from bidding.bids.custody import opening_key
from bidding.bids.eligibility import QuoteFinal, ensure_can_bid
from bidding.bids.models import Bid, BidStatus, BidUpload, UploadStatus
from bidding.bids.receipts import build_receipt
from bidding.labels import method_label
from bidding.methods import rule_for
from bidding.models import Lot, LotStatus

# What a request for an upload session that is over is told; translated when it is said.
_ENDED_RESTART = _l("该上传会话已结束，请重新开始上传。")
_FINISHED_ALREADY = _l("该上传会话已结束。")


def start_upload(lot: Lot, user: User, *, size: int, fingerprint: str = "") -> BidUpload:
    org = ensure_can_bid(lot, user)
    if size <= 0:
        raise ValidationError(_("投标文件大小必须大于 0 字节。"), field="size")
    if size > lot.max_bid_bytes:
        raise ValidationError(
            _(
                "投标文件 %(s)s 字节，超过本标段上限 %(m)s 字节。",
                s=size,
                m=lot.max_bid_bytes,
            ),
            field="size",
        )
    client = client_info()
    ip, agent = client.ip, client.user_agent
    now = clock.now()
    upload = BidUpload(
        token=secrets.token_urlsafe(24),
        lot_id=lot.id,
        supplier_id=org.id,
        user_id=user.id,
        declared_size=size,
        received=0,
        status=UploadStatus.OPEN,
        ip=ip,
        user_agent=agent,
        device_fingerprint=(fingerprint or "")[:64],
        created_at=now,
        updated_at=now,
    )
    db.session.add(upload)
    db.session.flush()
    get_store().staging_path(upload.token).touch()
    record(
        actions.UPLOAD_STARTED,
        upload,
        {"lot": lot.id, "supplier": org.id, "size": size, "ip": ip},
        actor=user,
    )
    return upload


# The statements every chunk and finish of a deadline surge runs, each built once per
# process: building a statement (its cache key) costs more than running it.
@functools.cache
def _upload_by_token() -> Any:
    return select(BidUpload).where(BidUpload.token == bindparam("token"))


@functools.cache
def _current_bid() -> Any:
    return select(Bid).where(
        Bid.lot_id == bindparam("lot_id"),
        Bid.supplier_id == bindparam("supplier_id"),
        Bid.status == BidStatus.SUBMITTED,
    )


@functools.cache
def _last_version() -> Any:
    return select(func.max(Bid.version)).where(
        Bid.lot_id == bindparam("lot_id"), Bid.supplier_id == bindparam("supplier_id")
    )


@functools.cache
def _lot_for_update() -> Any:
    # Locks the lot's row and reloads the lot from it in one statement (populate_existing).
    return (
        select(Lot)
        .where(Lot.id == bindparam("lot_id"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def get_upload(token: str, user: User) -> BidUpload:
    upload = db.session.execute(_upload_by_token(), {"token": token}).scalar_one_or_none()
    if upload is None or upload.user_id != user.id:
        raise NotFound(_("上传会话不存在。"))
    return upload


def _open_upload_lot(upload: BidUpload, user: User, *, ended: LazyString) -> Lot:
    """The lot of the caller's own upload session, refused with `ended` once it is over."""
    if upload.user_id != user.id:
        raise NotFound(_("上传会话不存在。"))
    if upload.status != UploadStatus.OPEN:
        raise Conflict(ended)
    lot = db.session.get(Lot, upload.lot_id)
    assert lot is not None
    return lot


def progress(upload: BidUpload) -> int:
    """The next offset to send: the staging file's size while the upload is open.

    The staging file is the upload's progress record, shared by every worker through the
    store: a chunk writes no row, so the many chunks of a deadline surge never queue for the
    database's writer (on SQLite one at a time) behind each other and behind the finishes.
    """
    if upload.status == UploadStatus.OPEN:
        try:
            return get_store().staging_path(upload.token).stat().st_size
        except FileNotFoundError:
            return 0
    return upload.received


@contextmanager
def _staging(upload: BidUpload, mode: str = "r+b") -> Iterator[IO[bytes]]:
    """The upload's staging file, held exclusively (flock, across processes) while open, so
    that two requests for one upload — two chunks, or a chunk and the finish — take turns."""
    path = get_store().staging_path(upload.token)
    try:
        f = open(path, mode)  # noqa: SIM115 - closed below, after the lock is released
    except FileNotFoundError:
        raise Conflict(_ENDED_RESTART) from None
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        yield f
    finally:
        f.close()  # closing the descriptor releases the lock


def put_chunk(upload: BidUpload, user: User, offset: int, stream: IO[bytes]) -> BidUpload:
    """Append one chunk at `offset`; a chunk at a stale offset is answered with the right one."""
    lot = _open_upload_lot(upload, user, ended=_ENDED_RESTART)
    ensure_can_bid(lot, user, mid_upload=True)
    limit = min(upload.declared_size, lot.max_bid_bytes)
    path = get_store().staging_path(upload.token)
    with _staging(upload) as out:
        st = os.fstat(out.fileno())
        if st.st_nlink > 1:
            # Already adopted into the store by a finish whose commit is still under way:
            # its bytes are the bid's now and must not change.
            raise Conflict(_ENDED_RESTART)
        received = st.st_size
        if offset != received:
            raise Conflict(
                _(
                    "分片偏移量 %(o)s 与服务器已接收的 %(r)s 字节不符，请从第 %(r)s 字节续传。",
                    o=offset,
                    r=received,
                ),
                expected_offset=received,
            )
        check = upload_checks.resume(upload.token, path, offset)
        written = 0
        out.seek(offset)
        first = offset == 0
        buf = memoryview(bytearray(CHUNK))
        try:
            while block := _next_block(stream, buf):
                if offset + written + len(block) > limit:
                    raise ValidationError(
                        _(
                            "上传内容超过申报大小或本标段上限（%(m)s 字节），已在上限处停止。",
                            m=limit,
                        ),
                        field="chunk",
                    )
                if first:
                    _check_header(block, lot, upload)
                    first = False
                out.write(block)
                check.feed(block)
                written += len(block)
            if written == 0:
                raise ValidationError(_("分片内容为空。"), field="chunk")
            # No fsync per chunk: a killed process loses nothing the page cache holds, and
            # the whole container is checked again and fsynced at finish (after a power
            # failure the running check is gone, so the finish reads the file whole), so
            # bytes lost to a power failure surface as a refused finish (restart the
            # upload), never as a bad bid.
            out.flush()
        except BaseException:
            # A refused or broken chunk leaves the file, and so the offset, where it was.
            out.truncate(offset)
            raise
        upload_checks.advance(upload.token, path, check)
    return upload


def _next_block(stream: IO[bytes], buf: memoryview) -> bytes | memoryview:
    """The next piece of a chunk's body: a request's body is received into `buf` (no new
    object per piece, see app.core.http.BodyReader); any other stream is read."""
    if isinstance(stream, BodyReader):
        return buf[: stream.readinto(buf)]
    return stream.read(len(buf))


def _check_header(first_block: bytes | memoryview, lot: Lot, upload: BidUpload) -> None:
    """Refuse a foreign-lot, foreign-bidder or re-keyed container before taking its bytes."""
    if len(first_block) < 9:
        raise ValidationError(_("首个分片过短：须包含完整的密封文件头。"), field="chunk")
    header = sealing.inspect_header(io.BytesIO(first_block))
    org = db.session.get(Organisation, upload.supplier_id)
    assert org is not None
    if header.lot_id != lot.id or header.lot_code != lot.code:
        raise sealing.ContainerError("wrong_lot")
    if header.bidder_org_id not in (None, org.id) or header.bidder_credit_code != (
        org.credit_code or ""
    ):
        raise sealing.ContainerError("wrong_bidder")
    if header.opening_key_sha256 != opening_key(lot).fingerprint:
        raise sealing.ContainerError("wrong_key")


def finish_upload(upload: BidUpload, user: User) -> Bid:
    """Verify the whole container, store it atomically, record the bid and sign a receipt.

    The bid counts only if, once verified, it is recorded before the deadline by the
    server clock, with the lot row locked so that the deadline freeze cannot interleave.
    """
    lot = _open_upload_lot(upload, user, ended=_FINISHED_ALREADY)
    org = ensure_can_bid(lot, user)
    key = opening_key(lot)
    store = get_store()
    path = store.staging_path(upload.token)
    with _staging(upload, "rb") as staged:
        received = os.fstat(staged.fileno()).st_size
        if received != upload.declared_size:
            raise ValidationError(
                _(
                    "文件尚未传完：已收到 %(r)s / %(s)s 字节，请续传剩余部分。",
                    r=received,
                    s=upload.declared_size,
                )
            )
        sha, size = _verified(upload, path, lot, org, key.fingerprint)
        # The hash was computed by the verification just above. Adopting hard-links the
        # staging file into the store, which is what makes a later chunk refuse it (below).
        store.adopt(path, sha)
    # The staging file stays until the bid's transaction has committed: if the process dies
    # in between, the session is still open and its finish can simply be sent again.
    token = upload.token

    def discard_staging() -> None:
        path.unlink(missing_ok=True)
        upload_checks.forget(token)

    after_commit(discard_staging)
    # Lock the lot: the deadline sweep takes the same lock before freezing.
    db.session.execute(_lot_for_update(), {"lot_id": lot.id})
    now = clock.now()
    if lot.status != LotStatus.PUBLISHED or lot.bid_deadline is None or now >= lot.bid_deadline:
        raise TooLate(
            _(
                "投标截止时间（%(t)s 北京时间）已到，文件在截止前未完成提交，不予接收。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    bid = _record_bid(lot, org, user, upload, sha, size, now)
    upload.status, upload.bid_id, upload.updated_at = UploadStatus.FINISHED, bid.id, now
    upload.received = size
    db.session.flush()
    notify(
        user,
        "bid_receipt",
        _("投标文件已接收：%(c)s 第 %(v)s 版", c=lot.code, v=bid.version),
        _(
            "密文 SHA-256：%(h)s，服务器时间 %(t)s。",
            h=sha,
            t=formatting.cst(now, formatting.SECOND),
        ),
        email=False,
    )
    return bid


def _verified(
    upload: BidUpload, path: Path, lot: Lot, org: Organisation, key_sha256: str
) -> tuple[str, int]:
    """(SHA-256, size) of the complete container, checked as `validate_structure` checks it.

    The check run chunk by chunk answers when it saw exactly this file and passed; anything
    else reads the whole file, so every refusal is the one `validate_structure` gives.
    """
    check = upload_checks.finished(upload.token, path, upload.declared_size)
    if check is not None and check.passed and check.size <= lot.max_bid_bytes:
        assert check.header is not None
        try:
            sealing.check_binding(check.header, lot.id, org.id, key_sha256)
        except sealing.ContainerError:
            pass  # refused below, by the same rule, with its reason
        else:
            return check.sha256, check.size
    with open(path, "rb") as f:
        return sealing.validate_structure(
            f, lot.id, org.id, lot.max_bid_bytes, expected_key_sha256=key_sha256
        )


def _record_bid(
    lot: Lot,
    org: Organisation,
    user: User,
    upload: BidUpload,
    sha: str,
    size: int,
    now: dt.datetime,
) -> Bid:
    """The bid, received at `now`, as a new version replacing the current one, audited,
    with its receipt."""
    ids = {"lot_id": lot.id, "supplier_id": org.id}
    previous = db.session.execute(_current_bid(), ids).scalar_one_or_none()
    if previous is not None:
        previous.status = BidStatus.REPLACED
    version = (db.session.execute(_last_version(), ids).scalar() or 0) + 1
    bid = Bid(
        lot_id=lot.id,
        supplier_id=org.id,
        version=version,
        status=BidStatus.SUBMITTED,
        ciphertext_sha256=sha,
        size=size,
        received_at=now,
        submitted_by_id=user.id,
        ip=upload.ip,
        user_agent=upload.user_agent,
        device_fingerprint=upload.device_fingerprint,
    )
    db.session.add(bid)
    db.session.flush()
    entry = record(
        actions.BID_SUBMITTED,
        bid,
        {
            "lot": lot.id,
            "supplier": org.id,
            "version": version,
            "sha256": sha,
            "size": size,
            "replaces": previous.id if previous else None,
        },
        actor=user,
    )
    bid.audit_seq = entry.seq
    bid.receipt = build_receipt(bid, lot, org, entry)
    hooks.lot_event(lot, "bid_submitted")
    return bid


def withdraw_bid(lot: Lot, user: User) -> Bid:
    if not rule_for(lot.project.method).responses_replaceable and user.role == Role.SUPPLIER:
        raise QuoteFinal(
            _("%(m)s的报价一经递交不得撤回或更改。", m=method_label(lot.project.method)),
            lot_id=lot.id,
            supplier_id=user.organisation_id,
        )
    retention.ensure_deletable(lot, _("投标文件"), "bid", user)
    org = ensure_can_bid(lot, user)
    bid = db.session.execute(
        select(Bid).where(
            Bid.lot_id == lot.id, Bid.supplier_id == org.id, Bid.status == BidStatus.SUBMITTED
        )
    ).scalar_one_or_none()
    if bid is None:
        raise NotFound(_("贵单位在本标段没有可撤回的投标文件。"))
    bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, clock.now()
    db.session.flush()
    record(actions.BID_WITHDRAWN, bid, {"lot": lot.id, "version": bid.version}, actor=user)
    return bid


@contextmanager
def quote_refusal_audited(user: User) -> Iterator[None]:
    """Around a bid command: a refused second quote (or withdrawal) of a one-quote method
    rolls the command back and is kept in the audit log before the refusal goes on."""
    try:
        yield
    except QuoteFinal as exc:
        db.session.rollback()
        record(
            actions.QUOTE_REFUSED,
            object_type="lot",
            object_id=exc.details.get("lot_id"),
            data={"supplier": exc.details.get("supplier_id"), "reason": str(exc.message)},
            actor=user,
        )
        db.session.commit()
        raise


def my_bids(lot: Lot, org: Organisation) -> list[Bid]:
    return list(
        db.session.execute(
            select(Bid)
            .where(Bid.lot_id == lot.id, Bid.supplier_id == org.id)
            .order_by(Bid.version.desc())
        ).scalars()
    )
