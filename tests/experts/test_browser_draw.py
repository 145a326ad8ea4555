"""In chromium: staff request and run a draw, an invited expert declines in their inbox,
the next reserve is invited, staff see counts but no name until an expert signs in, a
supervisor reads the draw log, and staff appraise the expert after the evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Role, User
from app.core.extensions import db
from experts.models import Appraisal, Draw, Expert, Invitation, InvitationState
from tests.experts.world import EVAL_AT, build_world, make_expert
from tests.factories import PASSWORD, make_user, totp_now

pytestmark = pytest.mark.browser


def _login(browser: Any, base: str, user: User) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/login")
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    if "/login/2fa" in page.url:
        page.fill('input[name="code"]', totp_now(user))
        page.click('form button[type="submit"]')
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]
    return page


def _invitation(expert_id: int) -> Invitation:
    db.session.expire_all()
    return db.session.execute(
        db.select(Invitation).where(Invitation.expert_id == expert_id)
    ).scalar_one()


def _count(page: Any, testid: str) -> int:
    return int(page.locator(f'[data-testid="{testid}"]').first.inner_text())


def test_staff_draw_in_the_browser_a_decline_pulls_the_next_reserve_and_names_stay_sealed(
    live_server: str, browser: Any, shot: Any
) -> None:
    w = build_world()
    experts = [make_expert(w.centre, account=True) for _ in range(9)]
    supervisor = make_user(Role.SUPERVISOR, centre=w.centre)
    db.session.commit()
    names = {e.name for e in experts}
    errors: list[str] = []

    staff = _login(browser, live_server, w.agency_staff)
    staff.on("pageerror", lambda exc: errors.append(str(exc)))
    staff.goto(f"{live_server}/experts/draws")
    staff.select_option('[data-testid="draw-lot"]', str(w.lot.id))
    staff.click("text=填写抽取条件")
    eval_cst = clock.to_cst(EVAL_AT).strftime("%Y-%m-%dT%H:%M")
    staff.fill('input[name="evaluation_at"]', eval_cst)
    staff.fill('input[name="venue"]', "第一评标室")
    staff.select_option('select[name="g1_specialty"]', "A08")
    staff.fill('input[name="g1_count"]', "5")
    staff.fill('input[name="g1_reserves"]', "2")
    shot(staff, "expert-draw-request")
    staff.click("text=提交申请")
    staff.wait_for_url("**/experts/draws/*")
    assert staff.get_attribute('[data-testid="draw-status"]', "data-status") == "pending"
    staff.click('[data-testid="run-draw"]')
    staff.wait_for_load_state()
    assert staff.get_attribute('[data-testid="draw-status"]', "data-status") == "drawn"
    assert (_count(staff, "seat-invited"), _count(staff, "seat-waiting")) == (5, 2)
    assert not any(name in staff.content() for name in names)
    shot(staff, "expert-draw-drawn")

    item = db.session.execute(db.select(Draw)).scalar_one()
    first, second = item.result[0]["invited"][0], item.result[0]["invited"][1]
    reserve = item.result[0]["reserves"][0]

    decliner = db.session.get(Expert, first)
    inbox = _login(browser, live_server, decliner.user)
    inbox.goto(f"{live_server}/experts/my")
    assert inbox.locator('[data-testid="invitation"]').count() == 1
    assert w.lot.name in inbox.content()
    shot(inbox, "expert-inbox-invited")
    inbox.fill('[data-testid="decline-reason"]', "当天出差在外地")
    inbox.click('[data-testid="decline"]')
    inbox.wait_for_load_state()
    assert inbox.get_attribute('[data-testid="invitation"]', "data-state") == "declined"
    shot(inbox, "expert-inbox-declined")
    assert _invitation(first).state == InvitationState.DECLINED
    assert _invitation(reserve).state == InvitationState.INVITED

    staff.reload()
    assert (_count(staff, "seat-invited"), _count(staff, "seat-declined")) == (5, 1)
    assert _count(staff, "seat-waiting") == 1
    assert not any(name in staff.content() for name in names)

    # Another expert accepts and, when sign-in opens, signs in: only that name appears.
    joiner = db.session.get(Expert, second)
    inbox2 = _login(browser, live_server, joiner.user)
    inbox2.goto(f"{live_server}/experts/my")
    inbox2.click('[data-testid="join"]')
    inbox2.wait_for_load_state()
    assert _invitation(second).state == InvitationState.CONFIRMED
    clock.set_now(EVAL_AT - dt.timedelta(minutes=30))
    inbox2.reload()
    inbox2.click('[data-testid="sign-in"]')
    inbox2.wait_for_load_state()
    assert _invitation(second).signed_in_at is not None
    staff.reload()
    assert staff.locator('[data-testid="seat-signed-in"]').inner_text().strip() == joiner.name
    assert not any(name in staff.content() for name in names - {joiner.name})
    shot(staff, "expert-draw-signed-in")
    staff.goto(f"{live_server}/experts/draws")
    assert "已抽取" in staff.locator('[data-testid="draws"]').inner_text()
    shot(staff, "expert-draws-list")

    watcher = _login(browser, live_server, supervisor)
    watcher.goto(f"{live_server}/experts/draws/{item.id}")
    log = watcher.locator('[data-testid="draw-log"]').inner_text()
    assert "写入抽取承诺" in log and "专家签到" in log
    assert "拒绝：当天出差在外地" in log
    shot(watcher, "expert-draw-supervisor-log")

    clock.set_now(EVAL_AT + dt.timedelta(hours=3))
    staff.goto(f"{live_server}/experts/draws/{item.id}")
    staff.click('[data-testid="appraisal-link"]')
    staff.wait_for_load_state()
    assert staff.locator('[data-testid="appraisal-row"]').count() == 1
    shot(staff, "expert-appraisal-form")
    staff.uncheck('input[name="on_time"]')
    staff.select_option('[data-testid="score"]', "4")
    staff.click('[data-testid="appraise"]')
    staff.wait_for_load_state()
    assert staff.locator('[data-testid="appraised"]').count() == 1
    shot(staff, "expert-appraisal")
    db.session.expire_all()
    saved = db.session.execute(db.select(Appraisal)).scalar_one()
    assert (saved.expert_id, saved.score, saved.checklist["on_time"]) == (second, 4, False)
    assert errors == []
