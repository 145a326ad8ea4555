"""JSON API of venue video: the video room's state, signalling, and venues' recordings.

Every command runs through the evaluation's refusal runner: a refused one (a signal from
or to someone not in the room, a chunk whose hash is wrong) is rolled back, answered with
its reason in the caller's language and audited once as `eval.refused`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy.exc import OperationalError

from app.core.errors import Forbidden, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import committee
from remote_eval import refusals as eval_refusals
from remote_eval.venues import recordings, video
from remote_eval.venues.schemas import (
    ChunkQuery,
    RecordingFinishIn,
    RecordingIn,
    RecordingListOut,
    RecordingOut,
    SignalIn,
    SignalOut,
    VideoStateOut,
)

blp = Blueprint(
    "venue_video_api",
    __name__,
    url_prefix="/api/v1",
    description="Venue video (WebRTC signalling) and venues' recordings",
)
blp.after_request(eval_refusals.audit_other_refusals)


T = TypeVar("T")
LOCK_RETRIES = 4


def _retrying(fn: Callable[[], T]) -> T:
    """SQLite (one machine) refuses a write from a transaction whose reads another writer
    has overtaken ("database is locked", whatever the busy timeout): signals and chunks
    arrive several a second from several pages, so such a command is simply run again."""
    for attempt in range(LOCK_RETRIES):
        try:
            return fn()
        except OperationalError as exc:
            db.session.rollback()
            if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _session(session_id: int) -> Any:
    session = committee.get_session(session_id)
    if not video.in_room(current_user, session):
        raise Forbidden(video.NOT_IN_ROOM)
    return session


@blp.route("/evaluations/<int:session_id>/video")
class VideoStateResource(MethodView):
    decorators = [login_required]

    @blp.response(200, VideoStateOut)
    def get(self, session_id: int) -> Any:
        """The caller's place in the video room: role, signalling inbox, ICE servers, venues."""
        with eval_refusals.audited("venue.video_state", session_id):
            session = _session(session_id)
        return video.state(session, current_user)


@blp.route("/evaluations/<int:session_id>/video/terminal")
class VideoTerminalResource(MethodView):
    decorators = [login_required]

    @blp.response(200, VideoStateOut)
    def post(self, session_id: int) -> Any:
        """A venue's terminal starts streaming its room camera (the walls then call it)."""
        session = committee.get_session(session_id)
        _retrying(
            lambda: eval_refusals.run(
                "venue.video_start",
                session_id,
                lambda: video.start_terminal(session, current_user),
            )
        )
        return video.state(session, current_user)


@blp.route("/evaluations/<int:session_id>/video/signals")
class VideoSignalResource(MethodView):
    decorators = [login_required]

    @blp.arguments(SignalIn)
    @blp.response(201, SignalOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Carry one signal (hello, offer, answer, ICE candidate, bye) to one member of the
        video room; refused, and audited, when the sender or the addressee is not in it."""
        session = committee.get_session(session_id)
        event = _retrying(
            lambda: eval_refusals.run(
                "venue.video_signal",
                session_id,
                lambda: video.send_signal(
                    session, current_user, data["to"], data["kind"], data["data"]
                ),
            )
        )
        return {"seq": event.seq}


@blp.route("/evaluations/<int:session_id>/recordings")
class RecordingsResource(MethodView):
    decorators = [login_required]

    @blp.response(200, RecordingListOut(many=True))
    def get(self, session_id: int) -> Any:
        """The session's saved recordings: venue, start and end, size and SHA-256."""
        session = committee.get_session(session_id)
        if not video.in_room(current_user, session):
            raise Forbidden(video.NOT_IN_ROOM)
        return recordings.listing(session)

    @blp.arguments(RecordingIn)
    @blp.response(201, RecordingOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """A venue's terminal starts a recording upload of its own camera."""
        session = committee.get_session(session_id)
        return eval_refusals.run(
            "venue.recording_start",
            session_id,
            lambda: recordings.start_recording(session, current_user, data["mime"]),
        )


@blp.route("/recordings/<int:recording_id>/chunks")
class RecordingChunkResource(MethodView):
    decorators = [login_required]

    @blp.arguments(ChunkQuery, location="query")
    @blp.response(200, RecordingOut)
    @blp.alt_response(409, description="another offset expected (details.expected_offset)")
    def put(self, query: dict[str, Any], recording_id: int) -> Any:
        """Append the next chunk (raw bytes) at `offset`; `sha256` is the chunk's own hash."""
        rec = recordings.get_recording(recording_id)
        limit = int(current_app.config["VENUE_RECORDING_CHUNK_MAX_BYTES"])

        def go() -> Any:
            if (request.content_length or 0) > limit:
                raise ValidationError(_l("单个分片不得超过 %(n)s 字节。", n=limit), field="chunk")
            body = request.get_data()  # kept, so a retried command reads it again
            return recordings.put_chunk(rec, current_user, query["offset"], body, query["sha256"])

        return _retrying(lambda: eval_refusals.run("venue.recording_chunk", rec.session_id, go))


@blp.route("/recordings/<int:recording_id>/finish")
class RecordingFinishResource(MethodView):
    decorators = [login_required]

    @blp.arguments(RecordingFinishIn)
    @blp.response(200, RecordingOut)
    def post(self, data: dict[str, Any], recording_id: int) -> Any:
        """Check the whole file's SHA-256 and keep the recording (atomically)."""
        rec = recordings.get_recording(recording_id)
        return eval_refusals.run(
            "venue.recording_finish",
            rec.session_id,
            lambda: recordings.finish_recording(rec, current_user, data["sha256"]),
        )


@blp.route("/recordings/<int:recording_id>/file")
class RecordingFileResource(MethodView):
    decorators = [login_required]

    @blp.response(200, description="the webm file, checked against its SHA-256 as it streams")
    def get(self, recording_id: int) -> Any:
        """Download a saved recording (host, supervisors, the recording venue's staff)."""
        rec = recordings.get_recording(recording_id)
        session = committee.get_session(rec.session_id)
        if rec.sha256 is None or not recordings.can_download(current_user, session, rec):
            raise Forbidden(_l("您无权下载该录像。"))
        ext = "mp4" if rec.mime == "video/mp4" else "webm"
        return Response(
            stream_with_context(get_store().iter_verified(rec.sha256)),
            mimetype=rec.mime,
            headers={
                "Content-Disposition": (
                    f"attachment; filename=recording-{rec.session_id}-{rec.centre_id}-{rec.id}.{ext}"
                ),
                "Content-Length": str(rec.size),
                "X-Content-SHA256": rec.sha256,
            },
        )
