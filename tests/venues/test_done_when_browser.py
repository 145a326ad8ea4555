"""The remote evaluation's done-when, in chromium with its fake camera.

A remote lot is booked at two centres through an assistance request (in the agency's and
the other centre's pages); the committee signs in at both venues, identified by each
venue's staff at the venue's terminal, while both venues' video plays on the host's wall
and on the walls of a supervisor of each centre; the secondary venue drops (its terminal
goes offline, the heartbeat sweep marks it, every wall keeps the main venue) and comes
back (its terminal reopens, the walls call it again); the evaluation runs to a report
every member signs; each venue saves its recording, and the lot's record lists both
recordings with their hashes and the expert fee sheet.

Members act through the JSON API with their own tokens where a page would add nothing
to what `tests/remote_eval/test_e2e_browser.py` already plays in pages; the venues, the
host and the supervisors act in their pages. The 4-hour seal with the clock moved is
played in `test_venues_browser.py` (room page) and `test_seal.py` (the new committee).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

import pytest

from app.archive import contents
from app.core import clock
from app.core.crypto import BrowserKey
from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import report
from remote_eval.models import Phase
from remote_eval.venues import jobs
from remote_eval.venues.models import VenueRecording
from tests.browser.conftest import live_server, shot  # noqa: F401  (fixtures)
from tests.factories import token_headers
from tests.remote_eval import committee_world as cw
from tests.remote_eval.test_e2e_browser import (
    Api,
    Rooms,
    _advance,
    _eventually,
    _page,
    _press,
    _session,
    _until,
    rooms,  # noqa: F401  (fixture)
)
from tests.venues.test_venues_browser import book_remote_lot, publish_rooms
from tests.venues.test_video_browser import PLAYING, both_widths, media_browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BOTH_PLAYING = f"document.querySelectorAll('[data-testid=remote-video]').length === 2 && {PLAYING}"
VIDEO_READY = "window.__venueVideo && window.__venueVideo.ready"
SCORES = {"T1": "30", "T2": "10", "C1": "20"}


def test_a_remote_lot_from_two_centres_booking_to_a_signed_report_with_both_venues_on_video(
    app: Any,
    client: Any,
    rooms: Rooms,  # noqa: F811
    live_server: str,  # noqa: F811
    media_browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    w = cw.build(bidders=2)
    second_room = publish_rooms(w)
    errors: list[str] = []

    # ------------------------------------------------ booked at two centres, in the pages
    host = _page(media_browser, live_server, w.host, errors)
    terminal_second = _page(media_browser, live_server, w.staff_second, errors)
    book_remote_lot(w, host, terminal_second, live_server, second_room)

    # ------------------------------------------------ the room opens: terminals and walls
    session = w.form()
    sid = session.id
    path = f"/evaluations/{sid}"
    members = cw.active(session)
    terminals = {
        w.base.centre.id: _page(media_browser, live_server, w.staff_main, errors, path),
        w.second.id: terminal_second,
    }
    terminal_second.goto(live_server + path)
    for t in terminals.values():
        _until(t, VIDEO_READY)
    host.goto(live_server + path)
    walls = [
        host,
        _page(media_browser, live_server, w.supervisor_main, errors, path),
        _page(media_browser, live_server, w.supervisor_second, errors, path),
    ]
    for wall in walls:
        _until(wall, BOTH_PLAYING)

    # ------------------------------------------------ sign-in at both venues
    api = {m.id: Api(client, m.user) for m in members}
    for m in members:
        _press(
            terminals[m.venue_centre_id],
            f'[data-testid="confirm-{m.id}"]',
            f'[data-panel="signin"] tr[data-member="{m.id}"] >> text=已核验',
        )
        db.session.expire_all()  # the identity was confirmed by the server's thread
        api[m.id]("POST", f"/{sid}/signin")
    _press(
        terminal_second,
        '[data-testid="venue-ready"]',
        f'[data-venue="{w.second.id}"] >> text=已就绪',
    )
    host.wait_for_selector(f'[data-venue="{w.second.id}"] >> text=已就绪')
    for wall in walls:  # every wall still plays both venues after the panels re-rendered
        _until(wall, BOTH_PLAYING)
    both_widths(walls[1], shot, "done-when-wall-supervisor-main")
    _advance(host, sid, Phase.COMMITMENT)
    for m in members:
        api[m.id]("POST", f"/{sid}/commitment", {"declare_conflict": False})
    _advance(host, sid, Phase.ELECTION)
    leader = next(m for m in members if m.venue_centre_id == w.second.id)
    for m in members:
        api[m.id]("POST", f"/{sid}/votes", {"candidate_id": leader.id}, status=201)
    _advance(host, sid, Phase.REVIEW)
    for bid in w.bids:
        for item in ("Q1", "K1"):
            for m in members:
                api[m.id]("PUT", f"/{sid}/bids/{bid.id}/verdicts/{item}", {"passed": True})
    _advance(host, sid, Phase.SCORING)

    # ------------------------------------------------ the secondary venue drops ...
    terminal_second.context.set_offline(True)
    terminal_second.evaluate("window.__evalRoom.socket && window.__evalRoom.socket.close()")
    # A heartbeat already on its way when the network went down still lands: let it land
    # before the clock moves, or it would count as a beat after the move.
    time.sleep(1.5)
    clock.set_now(clock.now() + dt.timedelta(seconds=90))
    main_beat = client.post(
        f"/api/v1/evaluations/{sid}/venues/heartbeat", headers=token_headers(w.staff_main)
    )
    assert main_beat.status_code == 200
    assert jobs.sweep_venues()["dropped"] == 1
    for wall in walls:
        wall.wait_for_selector(f'[data-venue="{w.second.id}"] [data-testid="venue-dropped"]')
    for m in members:  # the committee scores meanwhile
        for bid in w.bids:
            api[m.id]("PUT", f"/{sid}/bids/{bid.id}/scores", {"scores": SCORES})
            api[m.id]("POST", f"/{sid}/bids/{bid.id}/sheet", status=201)
    # ... and comes back: its terminal reopens, beats, and streams again.
    terminal_second.context.set_offline(False)
    terminal_second.reload()
    _until(terminal_second, VIDEO_READY)
    for wall in walls:
        _until(
            wall,
            f"!document.querySelector('[data-venue=\"{w.second.id}\"] [data-testid=venue-dropped]')",
        )
        _until(wall, BOTH_PLAYING)
    _advance(host, sid, Phase.SUMMARY)
    api[leader.id]("POST", f"/{sid}/summary/lock")
    _advance(host, sid, Phase.SIGNING)

    # ------------------------------------------------ the report, signed by every member
    keys = {m.id: BrowserKey.generate(f"口令-{m.seat}") for m in members}
    for m in members:
        api[m.id](
            "POST",
            f"/{sid}/signing-key",
            {"public_key": keys[m.id].public_key, "wrapped_key": keys[m.id].wrapped},
            status=201,
        )
    Api(client, w.host)("POST", f"/{sid}/report", status=201)
    rep = report.current_report(_session(sid))
    assert rep is not None
    for m in members:
        signature = keys[m.id].sign(report.signed_message(rep.sha256))
        api[m.id](
            "POST",
            f"/{sid}/report/signatures",
            {"sha256": rep.sha256, "signature": signature},
            status=201,
        )
    _eventually(lambda: _session(sid).phase == Phase.DONE)

    # ------------------------------------------------ each venue saves its recording
    for t in terminals.values():
        _until(t, "document.querySelector('[data-testid=save-recording]').hidden === false")
        t.click('[data-testid="save-recording"]')
    for t in terminals.values():
        _until(t, "window.__venueVideo.recordings.length >= 1")
    saved = [t.evaluate("window.__venueVideo.recordings[0]") for t in terminals.values()]
    db.session.expire_all()
    recs = [db.session.get(VenueRecording, s["id"]) for s in saved]
    assert {r.centre_id for r in recs} == {w.base.centre.id, w.second.id}
    for r in recs:
        with get_store().open(r.sha256) as f:
            assert hashlib.sha256(f.read()).hexdigest() == r.sha256
    for r in recs:
        host.wait_for_selector(f'[data-testid="recording-hash"] >> text={r.sha256}')
    both_widths(host, shot, "done-when-host")

    # ------------------------------------------------ the lot's record
    items, _refs = contents.items(w.lot)
    stored = {i.stored for i in items if i.path.startswith(f"evaluation/{sid}/recordings/")}
    assert stored == {r.sha256 for r in recs}
    fees = next(i for i in items if i.path == "evaluation/expert-fees.csv")
    assert fees.data is not None
    text = fees.data.decode()
    assert sum(1 for m in members if m.expert_id) == text.count("\n") - 2  # header, total
    assert errors == []
