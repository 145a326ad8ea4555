"""The whole evaluation in chromium: a committee of five at two venues, from sign-in to a
signed report, one browser context (one login) per person, several pages at once.

On the way: a member declares a conflict and the next reserve is invited, accepts on the
expert's own page and joins the same room; a bidder answers a clarification on its own
page; a dispersion alert is justified; a member's network drops (the context goes
offline) and the room replays what was missed; the rooms server is killed and restarted
mid-session and nothing is lost. The exported report verifies offline with
scripts/verify_report.py and fails after one byte is changed.

Where a step is tedious for all five in the UI, some members act through the JSON API
with their own tokens; every phase is played in a page by at least one member.

The rooms server is a separate `flask rooms serve` process when a Redis URL is configured
for the tests (the web process and the rooms process then share the Redis broker, as in
production); otherwise the in-process broker cannot reach another process, and the rooms
server runs in a thread of the test process and is stopped hard and started again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import User
from app.core.crypto import BrowserKey
from app.core.extensions import db
from experts.models import Invitation, InvitationState
from remote_eval import committee, report
from remote_eval.models import EvalMember, EvalSession, MemberStatus, Phase
from remote_eval.ws import RoomServer
from tests import conftest as settings
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.factories import token_headers
from tests.remote_eval.committee_world import (
    EVAL_AT,
    LOWEST_SCHEME,
    CommitteeWorld,
    active,
    build,
    elect,
    to_election,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60_000  # ms: the machine may be slow, and a reconnect backs off up to 8 s
API = "/api/v1/evaluations"


# ---------------------------------------------------------------- the rooms server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rooms:
    """A rooms server that can be killed and started again on the same port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = _free_port()
        self.redis = settings.test_redis_url()
        self.proc: subprocess.Popen[bytes] | None = None
        self.thread: RoomServer | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def start(self) -> None:
        if self.redis:
            env = {
                **os.environ,
                "TENDERHALL_ENV": "testing",
                "TENDERHALL_DATABASE_URL": settings.test_database_url(),
                "TENDERHALL_REDIS_URL": self.redis,
                "TENDERHALL_INSTANCE_PATH": self.app.instance_path,
            }
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "rooms", "serve"]
                + ["--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    assert self.proc.poll() is None, "the rooms process died at start"
                    assert time.monotonic() < deadline, "the rooms process did not start"
                    time.sleep(0.2)
        self.thread = RoomServer(self.app, "127.0.0.1", self.port)
        self.thread.start_in_thread()

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None
        if self.thread is not None:
            self.thread.stop()
            self.thread = None


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rooms]:
    server = Rooms(app)
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", server.url)
    server.start()
    yield server
    server.kill()


# ---------------------------------------------------------------- helpers
def _until(page: Any, expr: str, timeout: float = WAIT / 1000) -> None:
    """Poll a script expression (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def _eventually(check: Callable[[], bool], timeout: float = WAIT / 1000) -> None:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        if check():
            return
        assert time.monotonic() < deadline, "timed out waiting for the database"
        time.sleep(0.2)


def _context(browser: Any) -> Any:  # noqa: F811
    return browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )


def _page(browser: Any, base: str, user: User, errors: list[str], path: str = "") -> Any:  # noqa: F811
    page = _context(browser).new_page()
    page.set_default_timeout(WAIT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base, user)
    if path:
        page.goto(base + path)
        _until(page, "window.__evalRoom && window.__evalRoom.ready")
    return page


def _seen_without_gaps(page: Any) -> None:
    room = page.evaluate("window.__evalRoom")
    assert room["seen"] == list(range(room["start"] + 1, room["lastSeq"] + 1)), room


def _session(sid: int) -> EvalSession:
    db.session.expire_all()
    found = db.session.get(EvalSession, sid)
    assert found is not None
    return found


class Api:
    """A member's own JSON API client (their own token)."""

    def __init__(self, client: Any, user: User) -> None:
        self.client, self.headers = client, token_headers(user)

    def __call__(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        resp = self.client.open(API + path, method=method, json=body, headers=self.headers)
        assert resp.status_code == status, (path, resp.status_code, resp.get_data(as_text=True))
        return resp.get_json()


def _act(page: Any, action: Callable[[], None], done: str) -> None:
    """Do `action` until `done` shows. The panels are swapped after every room event, so
    a fill or click can land on the outgoing copy; doing it again is harmless (the server
    refuses a repeated command with a message and keeps the first)."""
    deadline = time.monotonic() + 2 * WAIT / 1000
    while True:
        if page.locator(done).count():
            return
        try:
            action()
            page.wait_for_selector(done, timeout=4000)
            return
        except PlaywrightError:
            assert time.monotonic() < deadline, f"never reached {done}"


def _press(page: Any, button: str, done: str) -> None:
    _act(page, lambda: page.locator(button).first.click(timeout=4000), done)


def _advance(host: Any, sid: int, phase: Phase) -> None:
    """The host moves the session on from the page (again if the click hit a swapped copy)."""
    deadline = time.monotonic() + 2 * WAIT / 1000
    while _session(sid).phase != phase:
        assert time.monotonic() < deadline, f"the session never reached {phase}"
        button = host.locator('[data-testid="advance"]')
        if button.count():
            try:
                button.first.click(timeout=4000)
            except PlaywrightError:
                continue
        for _ in range(20):
            if _session(sid).phase == phase:
                break
            time.sleep(0.2)


def _phase(page: Any, phase: str) -> None:
    page.wait_for_selector(f'#eval-live [data-phase="{phase}"]', timeout=WAIT)


def _score(page: Any, bid_id: int, t1: str) -> None:
    """Fill and submit one score sheet in the page."""

    def fill() -> None:
        sheet = page.locator(f'[data-testid="sheet-{bid_id}"]')
        sheet.locator('input[name="T1"]').fill(t1, timeout=4000)
        sheet.locator('select[name="T2"]').select_option("10", timeout=4000)
        sheet.locator('select[name="C1"]').select_option("20", timeout=4000)
        page.click(f'[data-testid="submit-{bid_id}"]', timeout=4000)

    _act(page, fill, f'[data-testid="sheet-{bid_id}"] >> text=您已提交评分表')


# ---------------------------------------------------------------- the evaluation
def test_committee_of_five_in_two_venues_from_sign_in_to_a_signed_report(
    app: Any,
    client: Any,
    rooms: Rooms,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    w = build(bidders=3)
    session = w.form(reps=1)
    sid = session.id
    path = f"/evaluations/{sid}"
    members = sorted(active(session), key=lambda m: m.seat)  # A03 A04 B01 B02 R1
    a03, a04, b01, b02, rep = members
    assert [m.venue_centre_id == w.second.id for m in members] == [False, False, True, True, False]
    errors: list[str] = []
    pages: dict[int, Any] = {
        m.id: _page(browser, live_server, m.user, errors, path) for m in members
    }
    host = _page(browser, live_server, w.host, errors, path)
    desk = {
        w.base.centre.id: _page(browser, live_server, w.staff_main, errors, path),
        w.second.id: _page(browser, live_server, w.staff_second, errors, path),
    }

    # ------------------------------------------------ sign-in: venue staff, then the member
    for m in members:
        _press(
            desk[m.venue_centre_id],
            f'[data-testid="confirm-{m.id}"]',
            f'[data-panel="signin"] tr[data-member="{m.id}"] >> text=已核验',
        )
        _press(
            pages[m.id],
            '[data-testid="signin"]',
            f'[data-panel="signin"] tr[data-member="{m.id}"] >> text=已签到',
        )
        pages[m.id].wait_for_selector(
            f'[data-panel="signin"] tr[data-member="{m.id}"] >> text=已签到'
        )
    _advance(host, sid, Phase.COMMITMENT)

    # ------------------------------------------------ commitment, a conflict, the reserve
    for m in members:
        pages[m.id].wait_for_selector('[data-testid="commitment-form"]')
    conflicted = pages[a03.id]

    def declare() -> None:
        form = '[data-testid="commitment-form"]'
        conflicted.check(f'{form} input[value="true"]', timeout=4000)
        conflicted.fill(
            f'{form} textarea[name="reason"]', "本人配偶在第一投标人处任职", timeout=4000
        )
        conflicted.click('[data-testid="commitment-submit"]', timeout=4000)

    declare()  # nobody else acts meanwhile: the page is not swapped under the click
    # The member is out: the room closes to them; the others see the seat vacated.
    host.wait_for_selector(f'[data-testid="members"] [data-member="{a03.id}"] >> text=已回避')
    for m in (a04, b01, b02, rep):
        _press(pages[m.id], '[data-testid="commitment-submit"]', "text=您已签署承诺书")
    pages.pop(a03.id).context.close()
    reserve, pages[0] = _reserve_joins(
        w, sid, browser, live_server, errors, desk[w.base.centre.id], path
    )
    pages[reserve.id] = pages.pop(0)
    members = [reserve, a04, b01, b02, rep]
    host.wait_for_selector(f'[data-testid="members"] [data-member="{reserve.id}"] >> text=已承诺')
    _advance(host, sid, Phase.ELECTION)

    # ------------------------------------------------ election: every ballot in a page
    leader = b01
    for m in members:
        page = pages[m.id]

        def vote(page: Any = page) -> None:
            page.check(f'[data-testid="vote-form"] input[value="{leader.id}"]', timeout=4000)
            page.click('[data-testid="vote-submit"]', timeout=4000)

        _act(page, vote, '[data-panel="election"] .badge-green')
    host.wait_for_selector('[data-testid="tally-1"] >> text=当选组长')
    _advance(host, sid, Phase.REVIEW)

    # ------------------------------------------------ review: the leader in the page
    bids = w.bids
    lead = pages[leader.id]
    _phase(lead, "review")
    api = {m.id: Api(client, m.user) for m in members}
    for bid in bids:
        for item in ("Q1", "K1"):
            form = f'[data-testid="verdict-{bid.id}-{item}"]'
            if bid is bids[0]:

                def verdict(form: str = form) -> None:
                    lead.check(f'{form} input[value="true"]', timeout=4000)
                    lead.click(f"{form} button[type=submit]", timeout=4000)

                _act(lead, verdict, f"{form} input[value='true']:checked")
            else:
                api[leader.id]("PUT", f"/{sid}/bids/{bid.id}/verdicts/{item}", {"passed": True})
            for m in members:
                if m.id != leader.id:
                    api[m.id]("PUT", f"/{sid}/bids/{bid.id}/verdicts/{item}", {"passed": True})

    # ------------------------------------------------ a clarification answered by the bidder
    asker = pages[b02.id]
    question = "请澄清投标文件中所投设备的原厂质保年限。"
    due = (clock.now() + dt.timedelta(hours=2)).astimezone(clock.CST)

    def ask() -> None:
        asker.click('[data-panel="clarifications"] summary', timeout=4000)
        form = asker.locator('[data-testid="ask-form"]')
        form.locator('select[name="bid_id"]').select_option(str(bids[0].id), timeout=4000)
        form.locator('textarea[name="question"]').fill(question, timeout=4000)
        form.locator('input[name="due_at"]').fill(due.strftime("%Y-%m-%dT%H:%M"), timeout=4000)
        form.locator("button[type=submit]").click(timeout=4000)

    _act(asker, ask, f'[data-panel="clarifications"] .eval-text >> text={question}')
    host.wait_for_selector(f'[data-panel="clarifications"] >> text={question}')
    bidder_user = db.session.execute(
        select(User).where(User.organisation_id == bids[0].supplier_id)
    ).scalar_one()
    bidder = _page(browser, live_server, bidder_user, errors)
    bidder.goto(f"{live_server}/evaluations/clarifications")
    bidder.wait_for_selector(f'[data-testid="clarification"] >> text={question}')
    answer = "所投设备原厂质保五年，含上门服务。"
    bidder.fill('[data-testid="clarification"] textarea[name="text"]', answer)
    bidder.click('[data-testid="answer-submit"]')
    bidder.wait_for_selector(f'[data-testid="answer"] >> text={answer}')
    for m in members:
        pages[m.id].wait_for_selector(f'[data-panel="clarifications"] >> text={answer}')
    bidder.context.close()
    _advance(host, sid, Phase.SCORING)

    # ------------------------------------------------ scoring, with a dropped connection
    for m in members:
        _phase(pages[m.id], "scoring")
    dropped = pages[a04.id]
    # The network drops: the context goes offline (chromium keeps an open websocket through
    # that, so the drop also ends it); reconnecting fails until the network is back.
    dropped.context.set_offline(True)
    dropped.evaluate("window.__evalRoom.socket.close()")
    _until(dropped, "!window.__evalRoom.ready")
    t1 = {reserve.id: "30", b01.id: "31", b02.id: "30.5", rep.id: "29.5"}
    for m in (reserve, b02, rep):
        for bid in bids:
            api[m.id](
                "PUT",
                f"/{sid}/bids/{bid.id}/scores",
                {"scores": {"T1": t1[m.id], "T2": "10", "C1": "20"}},
            )
            api[m.id]("POST", f"/{sid}/bids/{bid.id}/sheet", status=201)
    for bid in bids:  # the leader scores in the page
        _score(lead, bid.id, t1[leader.id])
    assert dropped.evaluate("window.__evalRoom.ready") is False
    dropped.context.set_offline(False)
    _until(dropped, "window.__evalRoom.ready")
    dropped.wait_for_selector(
        f'[data-panel="scoring"] [data-bid="{bids[-1].id}"] >> text={leader.seat}'
    )
    _seen_without_gaps(dropped)
    # The member who was offline scores in the page, far below the panel on one item.
    for bid in bids:
        _score(dropped, bid.id, "10" if bid is bids[0] else "30")
    dropped.wait_for_selector(f'[data-testid="others-{bids[0].id}"]')
    _advance(host, sid, Phase.SUMMARY)

    # ------------------------------------------------ summary: the alert and its justification
    _phase(dropped, "summary")

    def justify() -> None:
        alert = dropped.locator('[data-panel="summary"] form[data-api$="/justifications"]')
        alert.locator("textarea").fill(
            "该投标人技术方案未响应关键指标第 3.2 条，故评分偏低。", timeout=4000
        )
        alert.locator("button[type=submit]").click(timeout=4000)

    _act(dropped, justify, '[data-panel="summary"] >> text=已说明理由')
    lead.wait_for_selector('[data-panel="summary"] >> text=已说明理由')
    shot(lead, "eval-e2e-summary-1366")

    # ------------------------------------------------ the rooms server is killed mid-session
    rooms.kill()
    everyone = [*pages.values(), host]
    for page in everyone:
        _until(page, "!window.__evalRoom.ready")
    lead.click('[data-testid="lock-summary"]')  # quiet page: no room events while down
    _eventually(lambda: _session(sid).summary_locked_at is not None)
    host.reload()  # the host sees the lock from the page itself, the others from the replay
    _advance(host, sid, Phase.SIGNING)
    rooms.start()
    for page in everyone:
        _until(page, "window.__evalRoom.ready")
        _phase(page, "signing")
    for page in pages.values():
        _seen_without_gaps(page)
        assert page.locator('[data-panel="summary"] >> text=已锁定').count() == 1

    # ------------------------------------------------ signing, and the report verifies offline
    doc = _sign_and_verify(live_server, host, lead, leader, members, api, sid, tmp_path)
    assert not doc["refusals"]
    _phase(dropped, "done")
    shot(host, "eval-e2e-report-1366")
    for m in members:  # every room page still open saw every event once, in order
        if m.id != leader.id:
            _seen_without_gaps(pages[m.id])
    assert errors == []


def _sign_and_verify(
    base: str,
    host: Any,
    lead: Any,
    leader: EvalMember,
    members: list[EvalMember],
    api: dict[int, Api],
    sid: int,
    tmp_path: Path,
) -> dict[str, Any]:
    """The signing phase: the leader creates a key and signs in the page (WebCrypto), the
    others with their own keys through the API; the host generates the report from the
    room's link. The exported report verifies offline and fails after one byte is changed.
    Returns the exported report."""
    path = f"/evaluations/{sid}"
    passphrase = "远程评标 2026 签名口令"
    lead.goto(f"{base}{path}/sign")
    lead.fill("[data-testid=new-pass]", passphrase)
    lead.fill("[data-testid=new-pass2]", passphrase)
    lead.click("[data-testid=create-key]")
    lead.wait_for_selector("[data-testid=key-id]", timeout=2 * WAIT)
    keys = {}
    for m in members:
        if m.id != leader.id:
            keys[m.id] = BrowserKey.generate(f"口令-{m.seat}")
            api[m.id](
                "POST",
                f"/{sid}/signing-key",
                {"public_key": keys[m.id].public_key, "wrapped_key": keys[m.id].wrapped},
                status=201,
            )
    host.click('[data-testid="report-link"]')  # the room links its report
    host.click("[data-testid=generate-report]")
    host.wait_for_selector("[data-testid=report-sha]")
    rep_row = report.current_report(_session(sid))
    assert rep_row is not None
    lead.goto(f"{base}{path}/sign")
    lead.fill("[data-testid=sign-pass]", passphrase)
    lead.click("[data-testid=sign-report]")
    lead.wait_for_selector("text=已签署", timeout=2 * WAIT)
    for m in members:
        if m.id != leader.id:
            signature = keys[m.id].sign(report.signed_message(rep_row.sha256))
            api[m.id](
                "POST",
                f"/{sid}/report/signatures",
                {"sha256": rep_row.sha256, "signature": signature},
                status=201,
            )
    _eventually(lambda: _session(sid).phase == Phase.DONE)
    exported = host.request.get(f"{base}{path}/report/export.json")
    assert exported.ok
    good = tmp_path / "report.json"
    good.write_bytes(exported.body())
    doc = json.loads(good.read_text(encoding="utf-8"))
    assert len(doc["signatures"]) == len(members)
    assert {s["member_id"] for s in doc["signatures"]} == {m.id for m in members}
    ok = _verify(good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    raw = bytearray(good.read_bytes())
    at = raw.index(b'"body"') + 20  # a byte inside the signed body
    raw[at] ^= 0x01
    bad = tmp_path / "changed.json"
    bad.write_bytes(bytes(raw))
    assert _verify(bad).returncode != 0
    return doc


def _verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_report.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _reserve_joins(
    w: CommitteeWorld,
    sid: int,
    browser: Any,  # noqa: F811
    base: str,
    errors: list[str],
    desk: Any,
    path: str,
) -> tuple[EvalMember, Any]:
    """The next reserve was invited: they accept on their own page, enter the same room,
    have their identity checked, sign in and commit."""
    invited = db.session.execute(
        select(Invitation).where(
            Invitation.root_id == w.draw.id, Invitation.state == InvitationState.INVITED
        )
    ).scalar_one()
    user = invited.expert.user
    page = _page(browser, base, user, errors)
    page.goto(f"{base}/experts/my")
    page.click('[data-testid="join"]')
    page.wait_for_selector('[data-testid="invitation-state"] >> text=已确认')
    page.goto(base + path)
    _until(page, "window.__evalRoom && window.__evalRoom.ready")
    member = db.session.execute(
        select(EvalMember).where(EvalMember.session_id == sid, EvalMember.user_id == user.id)
    ).scalar_one()
    assert member.replaces_id is not None and member.status == MemberStatus.EXPECTED
    _press(
        desk,
        f'[data-testid="confirm-{member.id}"]',
        f'[data-panel="signin"] tr[data-member="{member.id}"] >> text=已核验',
    )
    _press(page, '[data-testid="signin"]', '[data-testid="commitment-form"]')
    page.wait_for_selector('[data-testid="commitment-form"]')
    _press(page, '[data-testid="commitment-submit"]', "text=您已签署承诺书")
    return member, page


# ---------------------------------------------------------------- after the evaluation time
def test_a_conflict_declared_after_the_evaluation_time_still_invites_the_next_reserve(
    app: Any,
) -> None:
    from tests.remote_eval.committee_world import sign_everyone_in

    w = build(bidders=3)
    session = w.form(reps=1)
    clock.set_now(EVAL_AT + dt.timedelta(minutes=40))  # the committee is at work
    sign_everyone_in(w, session)
    from remote_eval import hosting

    hosting.advance(session, w.host)
    first = next(m for m in active(session) if m.expert_id is not None)
    committee.sign_commitment(first, first.user, True, "本人近三年曾在投标人处任职")
    db.session.commit()
    invited = db.session.execute(
        select(Invitation).where(
            Invitation.root_id == w.draw.id, Invitation.state == InvitationState.INVITED
        )
    ).scalars()
    assert list(invited), "the next reserve is invited"


# ---------------------------------------------------------------- 最低评标价法
def test_lowest_price_from_the_published_scheme_to_a_ranking_by_price_and_a_signed_report(
    app: Any,
    client: Any,
    rooms: Rooms,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    # Four bids: the cheapest fails a compliance item; two tie on price, and of those the
    # one opened later was submitted earlier, so the tie rule (earlier submission first)
    # puts it ahead of opening order.
    w = build(
        bidders=4,
        scheme=LOWEST_SCHEME,
        prices=["850000.00", "880000.00", "880000.00", "905000.00"],
        received_after=[0, 30, 10, 20],
    )
    cheapest, tie_late, tie_early, dearest = w.bids
    names = {b.id: b.supplier.name for b in w.bids}
    session = w.form(reps=1)
    sid = session.id
    path = f"/evaluations/{sid}"
    members = sorted(active(session), key=lambda m: m.seat)
    errors: list[str] = []

    # ------------------------------------------------ the scheme: pass/fail items, then price
    host = _page(browser, live_server, w.host, errors)
    host.goto(f"{live_server}/staff/lots/{w.lot.id}/scoring-scheme")
    scheme_text = host.inner_text("main")
    assert "最低评标价法" in scheme_text
    assert "营业执照" in scheme_text and "投标有效期" in scheme_text
    assert "技术方案" not in scheme_text  # nothing is scored under this method
    shot(host, "eval-lowest-scheme-1366")

    # ------------------------------------------------ sign-in to the election (services: the
    # comprehensive test plays these phases in pages); the host opens the review in the page
    to_election(w, session)
    leader = members[2]
    elect(_session(sid), leader)
    host.goto(live_server + path)
    _until(host, "window.__evalRoom && window.__evalRoom.ready")
    lead = _page(browser, live_server, leader.user, errors, path)
    other = next(m for m in members if m.id != leader.id)
    watcher = _page(browser, live_server, other.user, errors, path)
    _advance(host, sid, Phase.REVIEW)

    # ------------------------------------------------ review: the cheapest bid fails K1
    _phase(lead, "review")
    api = {m.id: Api(client, m.user) for m in members}
    why = "投标有效期仅 60 日，不满足招标文件 90 日的要求"
    form = f'[data-testid="verdict-{cheapest.id}-K1"]'

    def fail_k1() -> None:
        lead.check(f'{form} input[value="false"]', timeout=4000)
        lead.fill(f'{form} input[name="reason"]', why, timeout=4000)
        lead.click(f"{form} button[type=submit]", timeout=4000)

    _act(lead, fail_k1, f"{form} input[value='false']:checked")
    for m in members:
        for bid in w.bids:
            for item in ("Q1", "K1"):
                if m.id == leader.id and bid is cheapest and item == "K1":
                    continue
                passed = not (bid is cheapest and item == "K1")
                body = {"passed": passed, "reason": "" if passed else why}
                api[m.id]("PUT", f"/{sid}/bids/{bid.id}/verdicts/{item}", body)
    watcher.wait_for_selector(
        f'[data-panel="review"] >> text={why}'
    )  # the others see the verdict and its reason live

    # ------------------------------------------------ no scoring: review → summary
    _advance(host, sid, Phase.SUMMARY)
    _phase(lead, "summary")
    table = lead.locator('[data-testid="summary-table"] tbody tr')
    rows = [table.nth(i).inner_text() for i in range(table.count())]
    # the table lists bidders in opening order, each with its rank
    rank = {r.split()[0]: r for r in rows if r.split()[0].isdigit()}
    assert sorted(rank) == ["1", "2", "3"]
    assert names[tie_early.id] in rank["1"] and names[tie_late.id] in rank["2"]
    assert names[dearest.id] in rank["3"]
    out = next(r for r in rows if names[cheapest.id] in r)
    assert "否决" in out and why in out
    assert "递交在先者排名在前" in lead.inner_text('[data-testid="tie-rule"]')
    assert "技术分" not in lead.inner_text('[data-testid="summary-table"] thead')
    candidates = lead.locator('[data-testid="candidates"] li').all_inner_texts()
    assert candidates == [names[tie_early.id], names[tie_late.id], names[dearest.id]]
    shot(lead, "eval-lowest-summary-1366")
    lead.set_viewport_size({"width": 390, "height": 900})
    assert lead.evaluate("document.documentElement.scrollWidth") <= 390
    shot(lead, "eval-lowest-summary-390")
    lead.set_viewport_size({"width": 1366, "height": 900})
    _press(lead, '[data-testid="lock-summary"]', '[data-panel="summary"] >> text=已锁定')
    _advance(host, sid, Phase.SIGNING)
    _phase(watcher, "signing")

    # ------------------------------------------------ signing; the report verifies offline
    doc = _sign_and_verify(live_server, host, lead, leader, members, api, sid, tmp_path)
    assert not doc["refusals"]
    body = json.dumps(doc, ensure_ascii=False)
    assert "最低评标价法" in body and why in body
    shot(host, "eval-lowest-report-1366")
    _phase(watcher, "done")
    _seen_without_gaps(watcher)
    assert errors == []
