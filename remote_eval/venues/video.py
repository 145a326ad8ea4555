"""Venue video over WebRTC: who is in a session's video room, and its signalling.

Each venue's terminal (the page its centre's staff keep open in the evaluation room)
streams the room camera; the host and the supervisors of every venue's centre watch
every venue on a video wall. The browsers connect peer to peer; the platform only
carries their signalling (offer, answer, ICE candidates) and never the media.

A signal is POSTed to the JSON API, which checks that the sender and the addressee are
both in the video room, then appends it to the addressee's own inbox room
("rtc:<session>.<user>"), which only the addressee may join. So a signal reaches its
addressee only, and the replay log of the evaluation room (which every member reads)
never carries one. The wall calls a terminal ("hello"), the terminal offers, the wall
answers; both trickle ICE candidates. Who streams a venue is recorded when its terminal
starts video (audited, announced to the room as "venue.video_online").
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.realtime import RoomEvent, emit
from app.core.rooms import RoomKind
from bidding.policies import is_centre_officer
from remote_eval import policies
from remote_eval.models import EvalSession, Phase
from remote_eval.room import publish
from remote_eval.venues import actions
from remote_eval.venues.models import SessionVenue
from remote_eval.venues.start import secondary_centre_ids, venue_row

RTC = RoomKind("rtc")
# hello: a wall asks a terminal to call it; offer/answer: SDP; ice: one candidate;
# bye: the sender hangs up (the page is closing).
KINDS = ("hello", "offer", "answer", "ice", "bye")
SIGNAL_MAX_BYTES = 64 * 1024
SEQ_RETRIES = 5

NOT_IN_ROOM = _l("发送者不在本评标的视频会商中，视频信令不予转发。")
ADDRESSEE_NOT_IN_ROOM = _l("接收者不在本评标的视频会商中，视频信令不予转发。")
NOT_A_TERMINAL = _l("只有评标场地所在交易中心的工作人员可以在场地终端推送视频。")
BETWEEN = _l("视频信令只在场地终端与主持人或监督人员之间传递。")


def inbox(session: EvalSession, user_id: int) -> str:
    """The room that carries the signals addressed to one user of one session."""
    return RTC.name(f"{session.id}.{user_id}")


def _inbox_ids(room: str) -> tuple[int, int] | None:
    if not room.startswith(RTC.prefix):
        return None
    session_id, _, user_id = room.removeprefix(RTC.prefix).partition(".")
    try:
        return int(session_id), int(user_id)
    except ValueError:
        return None


def venue_centres(session: EvalSession) -> list[int]:
    return [session.main_centre_id, *secondary_centre_ids(session)]


def terminal_centre(session: EvalSession, user: Any) -> int | None:
    """The venue whose terminal this user may run: staff of one of the session's centres."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return next((c for c in venue_centres(session) if is_centre_officer(user, c)), None)


def is_viewer(user: Any, session: EvalSession) -> bool:
    """Sees every venue live: the host and the supervisors of each venue's centre."""
    return policies.is_host(user, session) or policies.can_supervise(user, session)


def _streaming(session: EvalSession) -> dict[int, SessionVenue]:
    """Venue rows whose terminal has started video, by the user who streams them."""
    rows = db.session.execute(
        select(SessionVenue).where(
            SessionVenue.session_id == session.id, SessionVenue.video_user_id.is_not(None)
        )
    ).scalars()
    return {r.video_user_id: r for r in rows if r.video_user_id is not None}


def in_room(user: Any, session: EvalSession) -> bool:
    return is_viewer(user, session) or terminal_centre(session, user) is not None


def may_join_inbox(user: Any, room: str) -> bool:
    """Room policy for "rtc:<session>.<user>": the addressee alone, while in the room."""
    ids = _inbox_ids(room)
    if ids is None or user.id != ids[1]:
        return False
    session = db.session.get(EvalSession, ids[0])
    return session is not None and in_room(user, session)


def _inbox_seq(room: str) -> int:
    from sqlalchemy import func

    return int(
        db.session.execute(select(func.max(RoomEvent.seq)).where(RoomEvent.room == room)).scalar()
        or 0
    )


def state(session: EvalSession, user: User) -> dict[str, Any]:
    """What a page needs to take part: its role, its inbox (from the newest signal, so a
    page never acts on a signal meant for an earlier page), the ICE servers and the
    venues with the user streaming each."""
    streaming = {r.centre_id: r for r in _streaming(session).values()}
    venues = []
    for centre_id in venue_centres(session):
        centre = db.session.get(Centre, centre_id)
        row = streaming.get(centre_id)
        venues.append(
            {
                "centre_id": centre_id,
                "centre": centre.name if centre else "",
                "main": centre_id == session.main_centre_id,
                "user_id": row.video_user_id if row else None,
            }
        )
    room = inbox(session, user.id)
    mine = terminal_centre(session, user)
    return {
        "session_id": session.id,
        "role": "viewer" if is_viewer(user, session) else ("terminal" if mine else "none"),
        "centre_id": mine,
        "user_id": user.id,
        "inbox": room,
        "seq": _inbox_seq(room),
        "ice_servers": list(current_app.config.get("ICE_SERVERS") or []),
        "venues": venues,
    }


def start_terminal(session: EvalSession, user: User) -> SessionVenue:
    """A venue's terminal starts streaming: the walls learn whom to call."""
    if session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束。"))
    centre_id = terminal_centre(session, user)
    if centre_id is None:
        raise Forbidden(NOT_A_TERMINAL)
    row = venue_row(session, centre_id)
    row.video_user_id = user.id
    row.video_started_at = clock.now()
    db.session.flush()
    record(actions.VIDEO_STARTED, session, {"centre_id": centre_id}, actor=user)
    publish(session, "venue.video_online", {"centre_id": centre_id})
    return row


def send_signal(
    session: EvalSession, sender: User, to_user_id: int, kind: str, data: dict[str, Any]
) -> RoomEvent:
    """Carry one signal from `sender` to `to_user_id`, both in the session's video room."""
    if kind not in KINDS:
        raise ValidationError(_l("不支持的视频信令类型。"), field="kind")
    if len(json.dumps(data, ensure_ascii=False).encode()) > SIGNAL_MAX_BYTES:
        raise ValidationError(_l("视频信令过大。"), field="data")
    if not in_room(sender, session):
        raise Forbidden(NOT_IN_ROOM)
    addressee = db.session.get(User, to_user_id)
    if addressee is None or not addressee.is_active or not in_room(addressee, session):
        raise Forbidden(ADDRESSEE_NOT_IN_ROOM, field="to")
    streaming = _streaming(session)
    # One end streams a venue (the addressee must be its current terminal), the other
    # watches: terminals do not call each other, walls do not call each other.
    if is_viewer(sender, session):
        if to_user_id not in streaming:
            raise Conflict(BETWEEN, field="to")
        centre_id = streaming[to_user_id].centre_id
    else:
        if not is_viewer(addressee, session):
            raise Conflict(BETWEEN, field="to")
        centre_id = terminal_centre(session, sender)
    payload = {
        "session_id": session.id,
        "from": sender.id,
        "centre_id": centre_id,
        "kind": kind,
        "data": data,
    }
    room = inbox(session, to_user_id)
    # Two walls calling the same terminal at once take the same next seq of its inbox;
    # the loser of the UNIQUE (room, seq) race simply takes the one after.
    for attempt in range(SEQ_RETRIES):
        try:
            with db.session.begin_nested():
                return emit(room, f"rtc.{kind}", payload)
        except IntegrityError:
            if attempt == SEQ_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
