"""The 30-day intent rule at its edges, its refusals in the audit log (API and page), and
the lawful exemption (因预算单位不可预见的原因急需开展的采购项目): the agency's reason is
required, recorded once, audited, told to the supervisors and stated on the notice."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.notify import Notification
from bidding.models import Announcement, AnnouncementKind, IntentExemption
from tests.bidding.helpers import TENDER_FIELDS, World, cst_iso, lot_payload, project_payload
from tests.factories import csrf_from, login, token_headers
from tests.plans.helpers import approved_line

CST = clock.CST
INTENT = {"requirements": "教学用计算机 200 台及配套网络设备。", "expected_month": "2026-03"}
REASON = "原设备于 2026 年 1 月突发火灾损毁，开学在即须立即重新购置，事前无法预见。"
# A timetable lawful for a notice published on Tuesday 3 or Wednesday 4 March.
LOT = lot_payload(
    doc_start_at=cst_iso(2026, 3, 4, 9, 0),
    doc_end_at=cst_iso(2026, 3, 11, 17, 0),
    bid_deadline=cst_iso(2026, 3, 25, 9, 30),
)


def _project(client: Any, world: World) -> dict[str, Any]:
    clock.set_now(dt.datetime(2026, 1, 20, 9, 0, tzinfo=CST))
    line = approved_line(world, amount="2000000.00", expected_month="2026-03")
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, plan_line_id=line.id, lots=[LOT]),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _at(*args: int) -> None:
    clock.set_now(dt.datetime(*args, tzinfo=CST))


def _notice(client: Any, world: World, project: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/lots/{project['lots'][0]['id']}/tender-notice",
        json=TENDER_FIELDS,
        headers=token_headers(world.staff),
    )


def _exempt(client: Any, world: World, project: dict[str, Any], reason: Any) -> Any:
    return client.post(
        f"/api/v1/projects/{project['id']}/intent-exemption",
        json={"reason": reason},
        headers=token_headers(world.staff),
    )


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        ).scalars()
    )


def _data(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.data)


def _tenders() -> int:
    return db.session.execute(
        select(func.count(Announcement.id)).where(Announcement.kind == AnnouncementKind.TENDER)
    ).scalar_one()


def test_day_29_is_refused_and_audited_day_30_is_allowed(client: Any, world: World) -> None:
    project = _project(client, world)
    _at(2026, 2, 2, 9, 0)  # Monday: the 30 days run to Wednesday 4 March
    resp = client.post(
        f"/api/v1/projects/{project['id']}/intent", json=INTENT, headers=token_headers(world.staff)
    )
    assert resp.status_code == 201
    _at(2026, 3, 3, 23, 59)
    refused = _notice(client, world, project)
    assert refused.status_code == 409
    assert "最早可于 2026年03月04日 发布" in refused.get_json()["message"]
    assert _tenders() == 0
    [entry] = _entries("intent.lead_refused")
    assert entry.object_type == "project" and entry.object_id == str(project["id"])
    assert entry.actor_id == world.staff.id
    assert "2026年03月04日" in _data(entry)["message"]
    assert _data(entry)["lot_ids"] == [project["lots"][0]["id"]]
    _at(2026, 3, 4, 0, 1)
    ok = _notice(client, world, project)
    assert ok.status_code == 201, ok.get_json()
    assert len(_entries("intent.lead_refused")) == 1


def test_a_refusal_from_the_page_is_audited_too(client: Any, world: World) -> None:
    project = _project(client, world)
    _at(2026, 3, 4, 9, 0)
    login(client, world.staff)
    url = f"/lots/{project['lots'][0]['id']}/tender-notice"
    page = client.post(
        url,
        data={
            **TENDER_FIELDS,
            "doc_obtain_method": "平台下载",
            "bid_submission": "在线递交",
            "csrf_token": csrf_from(client, url),
        },
    )
    assert page.status_code == 409
    assert "须先公开采购意向" in page.get_data(as_text=True)
    assert _tenders() == 0
    [entry] = _entries("intent.lead_refused")
    assert "须先公开采购意向" in _data(entry)["message"]


def test_an_exemption_without_a_reason_is_refused_and_nothing_is_kept(
    client: Any, world: World
) -> None:
    project = _project(client, world)
    _at(2026, 3, 4, 9, 0)
    for reason in ("", "   ", "情况紧急"):
        resp = _exempt(client, world, project, reason)
        assert resp.status_code == 422, resp.get_json()
        assert resp.get_json()["field"] == "reason"
    missing = client.post(
        f"/api/v1/projects/{project['id']}/intent-exemption",
        json={},
        headers=token_headers(world.staff),
    )
    assert missing.status_code == 422
    assert db.session.scalar(select(func.count(IntentExemption.id))) == 0
    assert _entries("intent.exemption_recorded") == []
    assert _notice(client, world, project).status_code == 409


def test_an_exemption_with_its_reason_lets_the_notice_go_out_and_says_why(
    client: Any, world: World
) -> None:
    project = _project(client, world)
    _at(2026, 3, 4, 9, 0)
    supplier = client.post(
        f"/api/v1/projects/{project['id']}/intent-exemption",
        json={"reason": REASON},
        headers=token_headers(world.supplier),
    )
    assert supplier.status_code == 403
    resp = _exempt(client, world, project, REASON)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["reason"] == REASON
    assert _exempt(client, world, project, REASON + "补充").status_code == 409
    [entry] = _entries("intent.exemption_recorded")
    assert _data(entry)["reason"] == REASON and entry.actor_id == world.staff.id
    assert _data(entry)["intent_published"] is False
    # The supervisors are told, and read it; a supplier does not.
    note = db.session.execute(
        select(Notification).where(Notification.user_id == world.supervisor.id)
    ).scalar_one()
    assert "未公开采购意向" in note.title and REASON in note.body
    seen = client.get(
        f"/api/v1/projects/{project['id']}/intent-exemption",
        headers=token_headers(world.supervisor),
    )
    assert seen.status_code == 200 and seen.get_json()["reason"] == REASON
    hidden = client.get(
        f"/api/v1/projects/{project['id']}/intent-exemption",
        headers=token_headers(world.supplier),
    )
    assert hidden.status_code == 403
    login(client, world.supervisor)
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert "未公开采购意向的说明" in page and REASON in page
    # No intent was ever published, yet the notice goes out, stating the reason.
    ok = _notice(client, world, project)
    assert ok.status_code == 201, ok.get_json()
    body = ok.get_json()
    assert body["fields"]["intent_exemption"] == REASON
    assert f"未公开采购意向的说明：{REASON}" in body["body"]
    assert _entries("intent.lead_refused") == []
    public = client.get(f"/announcements/{body['id']}").get_data(as_text=True)
    assert "未公开采购意向的说明" in public and REASON in public
    # Once the notice is out there is nothing left to exempt.
    later = _exempt(client, world, project, REASON)
    assert later.status_code == 409


def test_the_agency_records_the_exemption_from_the_project_page(client: Any, world: World) -> None:
    project = _project(client, world)
    _at(2026, 3, 4, 9, 0)
    login(client, world.staff)
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert 'data-testid="intent-exemption-panel"' in page
    url = f"/projects/{project['id']}/intent-exemption"
    token = csrf_from(client, f"/projects/{project['id']}")
    resp = client.post(url, data={"reason": "紧急", "csrf_token": token})
    assert resp.status_code == 302
    assert db.session.scalar(select(func.count(IntentExemption.id))) == 0
    client.post(url, data={"reason": REASON, "csrf_token": token})
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert 'data-testid="intent-exemption"' in page and REASON in page
    assert 'data-testid="intent-exemption-panel"' not in page
    assert "已登记未公开采购意向的说明" in page
