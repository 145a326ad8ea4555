"""Recordings of each venue's camera, uploaded in hashed chunks and kept whole and hashed.

A venue's terminal records its own stream in the browser (MediaRecorder, webm) and sends
it as it goes: each chunk with its SHA-256, at the offset the server has received so far
(a chunk at another offset is answered with the right one, so an interrupted upload
resumes where it stopped). The bytes accumulate in the store's staging file like a bid's;
the finish names the whole file's SHA-256, which the server recomputes before adopting
the file into the content-addressed store atomically. A chunk or a file whose hash does
not match is refused with the reason and the attempt audited (by the API's refusal
runner); nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.extensions import db
from app.core.realtime import after_commit
from app.core.sqlite_writes import relax_durability
from app.core.storage import CHUNK, get_store
from remote_eval import policies
from remote_eval.models import EvalSession, Phase
from remote_eval.room import publish
from remote_eval.venues import actions
from remote_eval.venues.models import KEPT_RECORDINGS, RecordingStatus, VenueRecording
from remote_eval.venues.video import terminal_centre

HEX64 = re.compile(r"^[0-9a-f]{64}$")
MIMES = ("video/webm", "video/mp4")


def _hex(value: str, field: str) -> str:
    value = (value or "").strip().lower()
    if not HEX64.match(value):
        raise ValidationError(_l("SHA-256 应为 64 位十六进制数。"), field=field)
    return value


def start_recording(session: EvalSession, user: User, mime: str = "video/webm") -> VenueRecording:
    """A venue's terminal begins a recording of its camera."""
    if session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束。"))
    centre_id = terminal_centre(session, user)
    if centre_id is None:
        raise Forbidden(_l("只有评标场地所在交易中心的工作人员可以上传本场地的录像。"))
    base = (mime or "").split(";")[0].strip().lower()
    if base not in MIMES:
        raise ValidationError(_l("录像格式应为 WebM 或 MP4 视频。"), field="mime")
    now = clock.now()
    rec = VenueRecording(
        session_id=session.id,
        centre_id=centre_id,
        user_id=user.id,
        token=secrets.token_urlsafe(24),
        mime=base,
        status=RecordingStatus.OPEN,
        received=0,
        chunks=0,
        started_at=now,
        touched_at=now,
    )
    db.session.add(rec)
    db.session.flush()
    get_store().staging_path(rec.token).touch()
    record(
        actions.RECORDING_STARTED, rec, {"session": session.id, "centre_id": centre_id}, actor=user
    )
    return rec


def get_recording(recording_id: int) -> VenueRecording:
    rec = db.session.get(VenueRecording, recording_id)
    if rec is None:
        raise NotFound(_l("录像不存在。"))
    return rec


def _own_open(rec: VenueRecording, user: User) -> None:
    if rec.user_id != user.id:
        raise Forbidden(_l("只有开始该录像的场地终端可以继续上传。"))
    if rec.status == RecordingStatus.INTERRUPTED:
        raise Conflict(_l("该录像长时间未收到内容，已按上传中断保存收到的部分；请重新开始录像。"))
    if rec.status != RecordingStatus.OPEN:
        raise Conflict(_l("该录像已经保存，不能再追加内容。"))


def put_chunk(
    rec: VenueRecording, user: User, offset: int, data: bytes, sha256: str
) -> VenueRecording:
    """Append one chunk at `offset` after checking its SHA-256."""
    _own_open(rec, user)
    # A chunk's progress record is worth less than a disk sync (see relax_durability).
    relax_durability(db.session)
    declared = _hex(sha256, "sha256")
    if offset != rec.received:
        raise Conflict(
            _l(
                "分片偏移量 %(o)s 与服务器已接收的 %(r)s 字节不符，请从第 %(r)s 字节续传。",
                o=offset,
                r=rec.received,
            ),
            expected_offset=rec.received,
        )
    if not data:
        raise ValidationError(_l("分片内容为空。"), field="chunk")
    cfg = current_app.config
    if len(data) > int(cfg["VENUE_RECORDING_CHUNK_MAX_BYTES"]):
        raise ValidationError(_l("分片过大。"), field="chunk")
    if rec.received + len(data) > int(cfg["VENUE_RECORDING_MAX_BYTES"]):
        raise ValidationError(_l("录像超过大小上限。"), field="chunk")
    actual = hashlib.sha256(data).hexdigest()
    if actual != declared:
        raise ValidationError(
            _l(
                "录像分片校验失败：收到内容的 SHA-256 为 %(a)s，与声明的 %(d)s 不符，"
                "该分片未保存，请重新发送。",
                a=actual,
                d=declared,
            ),
            field="sha256",
        )
    path = get_store().staging_path(rec.token)
    with open(path, "r+b") as out:
        # Bytes past `received` are leftovers of a chunk whose commit never happened.
        out.seek(offset)
        out.truncate(offset)
        out.write(data)
        out.flush()
    rec.received = offset + len(data)
    rec.chunks += 1
    rec.touched_at = clock.now()
    db.session.flush()
    return rec


def _received_sha256(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        remaining = size
        while remaining and (block := f.read(min(CHUNK, remaining))):
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest()


def _keep(rec: VenueRecording, sha256: str) -> None:
    """Adopt the staging file's first `received` bytes into the store under `sha256`."""
    store = get_store()
    path = store.staging_path(rec.token)
    with open(path, "r+b") as f:
        f.truncate(rec.received)  # leftovers of an uncommitted chunk are not the recording
    store.adopt(path, sha256)
    after_commit(lambda: path.unlink(missing_ok=True))


def finish_recording(rec: VenueRecording, user: User, sha256: str) -> VenueRecording:
    """Check the whole file's SHA-256, store it atomically and list it in the room record."""
    _own_open(rec, user)
    declared = _hex(sha256, "sha256")
    if rec.received == 0:
        raise ValidationError(_l("录像还没有任何内容。"))
    actual = _received_sha256(get_store().staging_path(rec.token), rec.received)
    if actual != declared:
        raise ValidationError(
            _l(
                "录像文件校验失败：服务器收到的 %(n)s 字节的 SHA-256 为 %(a)s，与声明的 %(d)s 不符。",
                n=rec.received,
                a=actual,
                d=declared,
            ),
            field="sha256",
        )
    _keep(rec, actual)
    now = clock.now()
    rec.status = RecordingStatus.SAVED
    rec.sha256, rec.size, rec.ended_at, rec.saved_at = actual, rec.received, now, now
    db.session.flush()
    session = db.session.get(EvalSession, rec.session_id)
    assert session is not None
    record(
        actions.RECORDING_SAVED,
        rec,
        {"session": rec.session_id, "centre_id": rec.centre_id, "sha256": actual, "size": rec.size},
        actor=user,
    )
    publish(session, "venue.recording_saved", {"centre_id": rec.centre_id, "recording": rec.id})
    return rec


def close_idle(now: dt.datetime | None = None) -> int:
    """Close the recordings whose terminal has sent nothing for the idle time: the part
    received is hashed and kept (evidence of what it covers), listed in the room record as
    interrupted, and the room is told. Idempotent: a closed recording is not open."""
    now = now or clock.now()
    idle = dt.timedelta(minutes=int(current_app.config["VENUE_RECORDING_IDLE_MINUTES"]))
    stale = list(
        db.session.execute(
            select(VenueRecording)
            .where(
                VenueRecording.status == RecordingStatus.OPEN,
                func.coalesce(VenueRecording.touched_at, VenueRecording.started_at) < now - idle,
            )
            .order_by(VenueRecording.id)
            .with_for_update()
        ).scalars()
    )
    for rec in stale:
        path = get_store().staging_path(rec.token)
        if rec.received and path.exists():
            rec.sha256 = _received_sha256(path, rec.received)
            _keep(rec, rec.sha256)
            rec.size = rec.received
        else:
            rec.size = 0
            after_commit(lambda p=path: p.unlink(missing_ok=True))
        rec.status = RecordingStatus.INTERRUPTED
        rec.ended_at, rec.saved_at = rec.touched_at or rec.started_at, now
        db.session.flush()
        record(
            actions.RECORDING_INTERRUPTED,
            rec,
            {
                "session": rec.session_id,
                "centre_id": rec.centre_id,
                "sha256": rec.sha256,
                "size": rec.size,
            },
        )
        session = db.session.get(EvalSession, rec.session_id)
        if session is not None:
            publish(
                session,
                "venue.recording_interrupted",
                {"centre_id": rec.centre_id, "recording": rec.id},
            )
    return len(stale)


def can_download(user: Any, session: EvalSession, rec: VenueRecording) -> bool:
    """The host, the supervisors of the venues' centres, and the recording venue's staff
    (who hand their records over to the main centre)."""
    return (
        policies.is_host(user, session)
        or policies.can_supervise(user, session)
        or terminal_centre(session, user) == rec.centre_id
    )


def recordings_of(session: EvalSession) -> list[VenueRecording]:
    return list(
        db.session.execute(
            select(VenueRecording)
            .where(
                VenueRecording.session_id == session.id,
                VenueRecording.status.in_(KEPT_RECORDINGS),
                VenueRecording.sha256.is_not(None),
            )
            .order_by(VenueRecording.id)
        ).scalars()
    )


def listing(session: EvalSession) -> list[dict[str, Any]]:
    """The room record's list: venue, start and end, size and SHA-256 of each recording."""
    out = []
    for rec in recordings_of(session):
        centre = db.session.get(Centre, rec.centre_id)
        out.append(
            {
                "id": rec.id,
                "centre_id": rec.centre_id,
                "centre": centre.name if centre else "",
                "main": rec.centre_id == session.main_centre_id,
                "started_at": rec.started_at,
                "ended_at": rec.ended_at,
                "size": rec.size,
                "sha256": rec.sha256,
                "mime": rec.mime,
                "interrupted": rec.status == RecordingStatus.INTERRUPTED,
            }
        )
    return out
