"""Venue video: who is in a session's video room, signals delivered to their addressee
alone, and venues' recordings uploaded in hashed chunks into the room record."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.realtime import RoomEvent
from app.core.rooms import may_join
from app.core.storage import get_store
from remote_eval.room import room_name
from remote_eval.venues import assistance, video
from remote_eval.venues.models import SessionVenue, VenueRecording
from tests.factories import login, token_headers
from tests.remote_eval import committee_world as cw


def _remote() -> tuple[cw.CommitteeWorld, Any]:
    w = cw.build()
    assistance.mark_remote(w.lot, w.host)
    session = w.form()
    return w, session


def _refusals() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "eval.refused").order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(e.data) for e in rows]


def test_the_video_room_is_the_venues_terminals_the_host_and_both_centres_supervisors(
    client: Any,
) -> None:
    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/video"
    roles = {
        "host": (w.host, "viewer"),
        "supervisor_main": (w.supervisor_main, "viewer"),
        "supervisor_second": (w.supervisor_second, "viewer"),
        "staff_main": (w.staff_main, "terminal"),
        "staff_second": (w.staff_second, "terminal"),
    }
    for name, (user, role) in roles.items():
        resp = client.get(api, headers=token_headers(user))
        assert resp.status_code == 200, (name, resp.get_json())
        body = resp.get_json()
        assert body["role"] == role, name
        assert body["inbox"] == f"rtc:{session.id}.{user.id}"
        assert [v["centre_id"] for v in body["venues"]] == [w.base.centre.id, w.second.id]
        assert body["ice_servers"] == []
    # A supervisor of a third centre, a member of the committee: not in the video room.
    member = next(m for m in session.members if m.user_id is not None)
    for outsider in (w.supervisor_other, member.user):
        resp = client.get(api, headers=token_headers(outsider))
        assert resp.status_code == 403
        assert "不在本评标的视频会商中" in resp.get_json()["message"]


def test_a_terminal_starts_and_signals_reach_their_addressee_only(client: Any) -> None:
    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/video"
    resp = client.post(f"{api}/terminal", headers=token_headers(w.staff_second))
    assert resp.status_code == 200, resp.get_json()
    venues = {v["centre_id"]: v for v in resp.get_json()["venues"]}
    assert venues[w.second.id]["user_id"] == w.staff_second.id
    assert venues[w.base.centre.id]["user_id"] is None
    row = db.session.execute(
        select(SessionVenue).where(SessionVenue.centre_id == w.second.id)
    ).scalar_one()
    assert row.video_user_id == w.staff_second.id
    kinds = [
        e.kind
        for e in db.session.execute(
            select(RoomEvent).where(RoomEvent.room == room_name(session))
        ).scalars()
    ]
    assert "venue.video_online" in kinds

    # The wall (a supervisor of the secondary centre) calls the terminal; the terminal offers.
    hello = {"to": w.staff_second.id, "kind": "hello", "data": {}}
    resp = client.post(f"{api}/signals", json=hello, headers=token_headers(w.supervisor_second))
    assert resp.status_code == 201, resp.get_json()
    offer = {"to": w.supervisor_second.id, "kind": "offer", "data": {"type": "offer", "sdp": "v=0"}}
    resp = client.post(f"{api}/signals", json=offer, headers=token_headers(w.staff_second))
    assert resp.status_code == 201, resp.get_json()
    terminal_inbox = video.inbox(session, w.staff_second.id)
    wall_inbox = video.inbox(session, w.supervisor_second.id)
    events = list(
        db.session.execute(
            select(RoomEvent).where(RoomEvent.room.like("rtc:%")).order_by(RoomEvent.id)
        ).scalars()
    )
    assert [(e.room, e.kind) for e in events] == [
        (terminal_inbox, "rtc.hello"),
        (wall_inbox, "rtc.offer"),
    ]
    assert events[1].payload["from"] == w.staff_second.id
    assert events[1].payload["centre_id"] == w.second.id
    assert events[1].payload["data"]["sdp"] == "v=0"
    # Nothing of the SDP went into the evaluation room's log every member replays.
    logged = db.session.execute(
        select(RoomEvent).where(RoomEvent.room == room_name(session))
    ).scalars()
    assert all("sdp" not in json.dumps(e.payload) for e in logged)
    # An inbox is joined by its addressee alone.
    assert may_join(w.supervisor_second, wall_inbox)
    assert not may_join(w.host, wall_inbox)
    assert not may_join(w.supervisor_other, video.inbox(session, w.supervisor_other.id))


def test_a_signal_from_or_to_someone_not_in_the_room_is_refused_and_audited(
    client: Any,
) -> None:
    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/video/signals"
    client.post(
        f"/api/v1/evaluations/{session.id}/video/terminal", headers=token_headers(w.staff_second)
    )
    offer = {"to": w.host.id, "kind": "offer", "data": {"type": "offer", "sdp": "v=0"}}
    resp = client.post(api, json=offer, headers=token_headers(w.supervisor_other))
    assert resp.status_code == 403
    assert resp.get_json()["message"] == "发送者不在本评标的视频会商中，视频信令不予转发。"
    # Addressed to someone outside: a committee member's page is no wall.
    member = next(m for m in session.members if m.user_id is not None)
    to_member = {"to": member.user_id, "kind": "offer", "data": {"sdp": "v=0"}}
    resp = client.post(api, json=to_member, headers=token_headers(w.staff_second))
    assert resp.status_code == 403
    assert "接收者不在" in resp.get_json()["message"]
    # Two walls do not call each other; a wall calls only a venue that streams.
    resp = client.post(
        api, json={"to": w.supervisor_main.id, "kind": "hello"}, headers=token_headers(w.host)
    )
    assert resp.status_code == 409
    resp = client.post(
        api, json={"to": w.staff_main.id, "kind": "hello"}, headers=token_headers(w.host)
    )
    assert resp.status_code == 409
    # An unknown kind of signal is refused before anything is sent.
    resp = client.post(api, json={**offer, "kind": "shout"}, headers=token_headers(w.host))
    assert resp.status_code == 422
    refused = _refusals()
    assert [r["command"] for r in refused[:4]] == ["venue.video_signal"] * 4
    assert len(refused) == 5  # the malformed one too, under its endpoint's name
    assert refused[0]["message"] == "发送者不在本评标的视频会商中，视频信令不予转发。"
    assert not list(
        db.session.execute(select(RoomEvent).where(RoomEvent.room.like("rtc:%"))).scalars()
    )


def _put(client: Any, rec_id: int, user: Any, offset: int, data: bytes, sha: str | None = None):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/recordings/{rec_id}/chunks?offset={offset}&sha256="
        + (sha or hashlib.sha256(data).hexdigest()),
        data=data,
        headers={**token_headers(user), "Content-Type": "application/octet-stream"},
    )


def test_a_recording_uploads_in_hashed_chunks_and_is_listed_with_its_hash(client: Any) -> None:
    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/recordings"
    # Only a venue's staff record; a supervisor watches.
    resp = client.post(api, json={}, headers=token_headers(w.supervisor_second))
    assert resp.status_code == 403
    resp = client.post(api, json={"mime": "video/webm"}, headers=token_headers(w.staff_second))
    assert resp.status_code == 201, resp.get_json()
    rec_id = resp.get_json()["id"]
    first, second = b"\x1aE\xdf\xa3" + b"a" * 5000, b"b" * 3000
    assert _put(client, rec_id, w.staff_second, 0, first).status_code == 200
    # A chunk whose bytes do not match its hash: refused with the reason, nothing kept.
    resp = _put(client, rec_id, w.staff_second, len(first), second, "0" * 64)
    assert resp.status_code == 422
    assert "录像分片校验失败" in resp.get_json()["message"]
    assert _refusals()[-1]["command"] == "venue.recording_chunk"
    # Resuming at a stale offset is answered with the one the server expects.
    resp = _put(client, rec_id, w.staff_second, 0, second)
    assert resp.status_code == 409
    assert resp.get_json()["details"]["expected_offset"] == str(len(first))
    # Another venue's staff cannot write into it.
    assert _put(client, rec_id, w.staff_main, len(first), second).status_code == 403
    assert _put(client, rec_id, w.staff_second, len(first), second).status_code == 200
    whole = first + second
    finish = f"/api/v1/recordings/{rec_id}/finish"
    resp = client.post(finish, json={"sha256": "1" * 64}, headers=token_headers(w.staff_second))
    assert resp.status_code == 422 and "录像文件校验失败" in resp.get_json()["message"]
    sha = hashlib.sha256(whole).hexdigest()
    resp = client.post(finish, json={"sha256": sha}, headers=token_headers(w.staff_second))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["size"] == len(whole) and resp.get_json()["chunks"] == 2
    assert get_store().verify(sha)
    # Saved: nothing more goes in.
    assert _put(client, rec_id, w.staff_second, len(whole), b"c").status_code == 409

    listed = client.get(api, headers=token_headers(w.supervisor_main)).get_json()
    assert [(r["centre_id"], r["size"], r["sha256"]) for r in listed] == [
        (w.second.id, len(whole), sha)
    ]
    # Host and supervisors download it whole; a committee member does not.
    for user in (w.host, w.supervisor_main, w.supervisor_second, w.staff_second):
        resp = client.get(f"/api/v1/recordings/{rec_id}/file", headers=token_headers(user))
        assert resp.status_code == 200 and resp.data == whole
    member = next(m for m in session.members if m.user_id is not None)
    resp = client.get(f"/api/v1/recordings/{rec_id}/file", headers=token_headers(member.user))
    assert resp.status_code == 403
    # The room record lists it with venue and hash.
    login(client, w.supervisor_main)
    html = client.get(f"/evaluations/{session.id}").get_data(as_text=True)
    assert 'data-testid="recordings"' in html and sha in html and w.second.name in html
    actions = [
        e.action
        for e in db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action.like("venue.recording%"))
            .order_by(AuditEntry.seq)
        ).scalars()
    ]
    assert actions == ["venue.recording_started", "venue.recording_saved"]


def test_a_recording_whose_terminal_stops_sending_is_kept_as_interrupted(client: Any) -> None:
    """A venue's browser closed mid-evaluation: after the idle time the sweep keeps what
    arrived, hashed, lists it as interrupted, and the terminal cannot append any more; a
    recording that never received a byte is closed with nothing to keep."""
    import datetime as dt

    from app.core import clock
    from remote_eval.venues import jobs

    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/recordings"
    ids = []
    for _ in range(2):
        resp = client.post(api, json={"mime": "video/webm"}, headers=token_headers(w.staff_second))
        assert resp.status_code == 201
        ids.append(resp.get_json()["id"])
    part = b"\x1aE\xdf\xa3" + b"p" * 4000
    assert _put(client, ids[0], w.staff_second, 0, part).status_code == 200
    last = clock.now()
    clock.set_now(last + dt.timedelta(minutes=59))
    assert jobs.sweep_venues()["recordings_interrupted"] == 0  # still within the idle time
    clock.set_now(last + dt.timedelta(minutes=61))
    assert jobs.sweep_venues()["recordings_interrupted"] == 2
    assert jobs.sweep_venues()["recordings_interrupted"] == 0  # once
    sha = hashlib.sha256(part).hexdigest()
    assert get_store().verify(sha)
    assert not get_store().staging_path(db.session.get(VenueRecording, ids[0]).token).exists()
    listed = client.get(api, headers=token_headers(w.supervisor_main)).get_json()
    assert [(r["id"], r["size"], r["sha256"], r["interrupted"]) for r in listed] == [
        (ids[0], len(part), sha, True)
    ]
    assert _put(client, ids[0], w.staff_second, len(part), b"more").status_code == 409
    login(client, w.supervisor_main)
    html = client.get(f"/evaluations/{session.id}").get_data(as_text=True)
    assert sha in html and "上传中断" in html
    actions = [
        e.action
        for e in db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "venue.recording_interrupted")
            .order_by(AuditEntry.seq)
        ).scalars()
    ]
    assert len(actions) == 2


def test_the_lots_archive_carries_the_recordings_and_the_fee_sheet(client: Any) -> None:
    from app.archive import contents

    w, session = _remote()
    api = f"/api/v1/evaluations/{session.id}/recordings"
    rec_id = client.post(api, json={}, headers=token_headers(w.staff_main)).get_json()["id"]
    data = b"webm-bytes" * 100
    assert _put(client, rec_id, w.staff_main, 0, data).status_code == 200
    sha = hashlib.sha256(data).hexdigest()
    client.post(
        f"/api/v1/recordings/{rec_id}/finish",
        json={"sha256": sha},
        headers=token_headers(w.staff_main),
    )
    items, refs = contents.items(w.lot)
    paths = {i.path: i for i in items}
    listed = json.loads(paths[f"evaluation/{session.id}/recordings.json"].data or b"[]")
    assert [(r["centre_id"], r["sha256"], r["size"]) for r in listed] == [
        (w.base.centre.id, sha, len(data))
    ]
    assert "started_at" in listed[0] and "ended_at" in listed[0]
    item = paths[f"evaluation/{session.id}/recordings/{rec_id}-venue-{w.base.centre.id}.webm"]
    assert item.stored == sha
    assert "evaluation/expert-fees.csv" in paths
    assert refs["venue_recording"] == [rec_id]
