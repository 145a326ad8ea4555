"""The procurement intent of a project drawn on a plan line: it states the line, and the
procurement notice follows it by at least 30 days counted as every period is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.extensions import db
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from tests.bidding.helpers import TENDER_FIELDS, World, lot_payload, project_payload
from tests.factories import token_headers
from tests.plans.helpers import approved_line

CST = clock.CST
INTENT = {"requirements": "教学用计算机 200 台及配套网络设备。", "expected_month": "2026-03"}


def _project(client: Any, world: World, at: dt.datetime) -> dict[str, Any]:
    clock.set_now(at)
    line = approved_line(world, amount="2000000.00", expected_month="2026-03")
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, plan_line_id=line.id, lots=[lot_payload()]),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _intent(client: Any, world: World, project: dict[str, Any], at: dt.datetime) -> Any:
    clock.set_now(at)
    return client.post(
        f"/api/v1/projects/{project['id']}/intent", json=INTENT, headers=token_headers(world.staff)
    )


def _notice(client: Any, world: World, project: dict[str, Any], at: dt.datetime) -> Any:
    clock.set_now(at)
    lot_id = project["lots"][0]["id"]
    return client.post(
        f"/api/v1/lots/{lot_id}/tender-notice",
        json=TENDER_FIELDS,
        headers=token_headers(world.staff),
    )


def _nothing_published(project: dict[str, Any]) -> None:
    db.session.expire_all()
    assert db.session.get(Lot, project["lots"][0]["id"]).status == LotStatus.DRAFT
    tenders = db.session.execute(
        select(func.count(Announcement.id)).where(Announcement.kind == AnnouncementKind.TENDER)
    ).scalar_one()
    assert tenders == 0


def test_the_intent_states_the_plan_line_behind_the_project(client: Any, world: World) -> None:
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    resp = _intent(client, world, project, dt.datetime(2026, 1, 20, 10, 0, tzinfo=CST))
    assert resp.status_code == 201, resp.get_json()
    ann = resp.get_json()
    line_code = db.session.get(Announcement, ann["id"]).fields["plan_code"]
    assert line_code.startswith("JH150900")
    assert (
        f"采购计划：{line_code}（预算项目编码 2050203-01，资金来源：一般公共预算资金）"
        in ann["body"]
    )
    page = client.get(f"/announcements/{ann['id']}").get_data(as_text=True)
    assert "采购计划编号" in page and line_code in page
    assert "plan_code" not in page


def test_a_notice_without_an_intent_is_refused_and_nothing_is_published(
    client: Any, world: World
) -> None:
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    resp = _notice(client, world, project, dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST))
    assert resp.status_code == 409
    assert "须先公开采购意向" in resp.get_json()["message"]
    _nothing_published(project)


def test_the_notice_may_follow_on_the_thirtieth_day_not_before(client: Any, world: World) -> None:
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    # Saturday 31 January, late in the evening: the day itself is not counted.
    assert (
        _intent(client, world, project, dt.datetime(2026, 1, 31, 23, 50, tzinfo=CST)).status_code
        == 201
    )
    refused = _notice(client, world, project, dt.datetime(2026, 3, 1, 23, 59, tzinfo=CST))
    assert refused.status_code == 409
    assert "最早可于 2026年03月02日 发布" in refused.get_json()["message"]
    _nothing_published(project)
    ok = _notice(client, world, project, dt.datetime(2026, 3, 2, 0, 1, tzinfo=CST))
    assert ok.status_code == 201, ok.get_json()


def test_a_last_day_on_a_weekend_moves_to_the_next_working_day(client: Any, world: World) -> None:
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    # Friday 30 January + 30 days = Sunday 1 March, so the lead runs to Monday 2 March.
    assert (
        _intent(client, world, project, dt.datetime(2026, 1, 30, 9, 0, tzinfo=CST)).status_code
        == 201
    )
    refused = _notice(client, world, project, dt.datetime(2026, 3, 1, 10, 0, tzinfo=CST))
    assert refused.status_code == 409
    assert "2026年03月02日" in refused.get_json()["message"]
    assert (
        _notice(client, world, project, dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)).status_code
        == 201
    )


def test_a_corrected_intent_keeps_the_first_ones_date(client: Any, world: World) -> None:
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    assert (
        _intent(client, world, project, dt.datetime(2026, 1, 31, 9, 0, tzinfo=CST)).status_code
        == 201
    )
    assert (
        _intent(client, world, project, dt.datetime(2026, 2, 20, 9, 0, tzinfo=CST)).status_code
        == 201
    )
    assert (
        _notice(client, world, project, dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)).status_code
        == 201
    )


def test_a_centre_sets_its_own_lead(client: Any, world: World) -> None:
    world.centre.settings = {**(world.centre.settings or {}), "intent_lead_days": 10}
    db.session.commit()
    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    assert (
        _intent(client, world, project, dt.datetime(2026, 2, 20, 9, 0, tzinfo=CST)).status_code
        == 201
    )
    assert (
        _notice(client, world, project, dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)).status_code
        == 201
    )


def test_the_project_page_tells_staff_when_the_notice_may_go_out(client: Any, world: World) -> None:
    from tests.factories import login

    project = _project(client, world, dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    login(client, world.staff)
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert "采购意向尚未公开，公开满 30 日后方可发布采购公告。" in page
    _intent(client, world, project, dt.datetime(2026, 1, 31, 9, 0, tzinfo=CST))
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert "采购意向已公开，采购公告最早可于 2026-03-02 发布。" in page
