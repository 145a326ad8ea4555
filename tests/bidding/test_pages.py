"""The staff pages: registration, list, detail, editing, publishing and termination."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Project
from tests.bidding.helpers import TENDER_FIELDS, World, lot_payload, project_payload
from tests.factories import csrf_from, login, token_headers


def lot_form(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "name": "教学用计算机采购",
        "category_code": "B0201",
        "budget": "1200000.00",
        "ceiling_price": "1150000.00",
        "bid_bond": "20000",
        "evaluation_method": "comprehensive",
        "committee_size": "5",
        "validity_days": "90",
        "doc_start_at": "2026-03-03T09:00",
        "doc_end_at": "2026-03-10T17:00",
        "bid_deadline": "2026-03-24T09:30",
        "opening_place": "第一开标室",
    }
    values.update(overrides)
    return {f"lots-{index}-{k}": v for k, v in values.items()}


def project_form(world: World, client: Any, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_from(client, "/projects/new"),
        "name": "第一中学智慧教室设备采购项目",
        "purchaser_id": str(world.purchaser.id),
        "method": "open",
        "category_code": "B02",
        "description": "采购教学用计算机。",
        "funding_source": "财政资金",
        "contact_name": "王工",
        "contact_phone": "0474-8888888",
    }
    data.update(overrides)
    return data


def projects() -> int:
    return db.session.execute(select(func.count()).select_from(Project)).scalar_one()


def api_project(client: Any, world: World, **lot_overrides: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, lots=[lot_payload(**lot_overrides)]),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201
    return resp.get_json()


def test_staff_registers_a_project_with_two_lots_through_the_form(
    client: Any, world: World
) -> None:
    login(client, world.staff)
    form = project_form(world, client)
    form.update(lot_form(0))
    form.update(
        lot_form(
            1,
            name="网络设备采购",
            category_code="B0202",
            budget="300000",
            ceiling_price="",
            bid_bond="",
        )
    )
    form.update(lot_form(2, name="", budget="", committee_size="", validity_days=""))
    resp = client.post("/projects/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    project = db.session.execute(select(Project)).scalar_one()
    assert [lot.name for lot in project.lots] == ["教学用计算机采购", "网络设备采购"]
    # datetime-local values are China Standard Time.
    assert project.lots[0].bid_deadline.isoformat() == "2026-03-24T01:30:00+00:00"
    detail = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert project.trade_id in detail
    assert "网络设备采购" in detail
    assert "2026-03-24 09:30" in detail


def test_bad_form_input_re_renders_with_the_message_and_writes_nothing(
    client: Any, world: World
) -> None:
    login(client, world.staff)
    form = project_form(world, client)
    form.update(lot_form(0, bid_bond="30000"))
    resp = client.post("/projects/new", data=form)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "投标保证金（30,000.00 元）不得超过预算金额的 2%" in html
    assert 'value="第一中学智慧教室设备采购项目"' in html
    assert projects() == 0


def test_unparseable_amount_and_date_give_a_message(client: Any, world: World) -> None:
    login(client, world.staff)
    form = project_form(world, client)
    form.update(lot_form(0, budget="十万"))
    resp = client.post("/projects/new", data=form)
    assert resp.status_code == 422
    assert "预算金额应为金额" in resp.get_data(as_text=True)
    form.update(lot_form(0, bid_deadline="next tuesday"))
    resp = client.post("/projects/new", data=form)
    assert resp.status_code == 422
    assert "投标截止（开标）时间格式无效" in resp.get_data(as_text=True)
    assert projects() == 0


def test_form_without_csrf_token_is_refused(client: Any, world: World) -> None:
    login(client, world.staff)
    form = project_form(world, client)
    form.pop("csrf_token")
    form.update(lot_form(0))
    assert client.post("/projects/new", data=form).status_code == 400
    assert projects() == 0


def test_project_list_shows_lot_status_badges(client: Any, world: World) -> None:
    api_project(client, world)
    login(client, world.staff)
    html = client.get("/projects").get_data(as_text=True)
    assert "乌兰察布市第一中学智慧教室设备采购项目" in html
    assert 'data-testid="lot-status">登记中' in html
    assert "项目管理" in html  # the menu entry


def test_creation_form_loads_the_lot_rows_script(client: Any, world: World) -> None:
    login(client, world.staff)
    html = client.get("/projects/new").get_data(as_text=True)
    assert "js/lots-form.js" in html
    assert 'name="lots-0-budget"' in html
    assert client.get("/static/js/lots-form.js").status_code == 200


def test_supervisor_sees_projects_read_only(client: Any, world: World) -> None:
    project = api_project(client, world)
    login(client, world.supervisor)
    assert client.get("/projects").status_code == 200
    html = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert project["name"] in html
    assert 'data-testid="publish-tender"' not in html
    assert 'data-testid="terminate"' not in html
    assert client.get("/projects/new").status_code == 403
    assert client.get(f"/lots/{project['lots'][0]['id']}/tender-notice").status_code == 403


def test_supplier_gets_403_on_the_staff_pages(client: Any, world: World) -> None:
    project = api_project(client, world)
    login(client, world.supplier)
    assert client.get("/projects").status_code == 403
    assert client.get(f"/projects/{project['id']}").status_code == 403
    assert client.get("/projects/new").status_code == 403


def test_staff_edits_a_draft_lot(client: Any, world: World) -> None:
    project = api_project(client, world)
    lot_id = project["lots"][0]["id"]
    login(client, world.staff)
    page = client.get(f"/lots/{lot_id}/edit").get_data(as_text=True)
    assert 'value="2026-03-24T09:30"' in page
    form = {k.removeprefix("lots-0-"): v for k, v in lot_form(0, name="改名后的标段").items()}
    form.update(csrf_token=csrf_from(client, f"/lots/{lot_id}/edit"), version="1")
    resp = client.post(f"/lots/{lot_id}/edit", data=form)
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lot, lot_id).name == "改名后的标段"


def test_tender_notice_form_is_prefilled_and_publishes(client: Any, world: World) -> None:
    project = api_project(client, world)
    lot_id = project["lots"][0]["id"]
    login(client, world.staff)
    page = client.get(f"/lots/{lot_id}/tender-notice").get_data(as_text=True)
    assert 'value="李老师"' in page  # purchaser contact
    assert "投标截止日期最早为 2026-03-23" in page  # earliest lawful deadline date
    form = {**TENDER_FIELDS, "csrf_token": csrf_from(client, f"/lots/{lot_id}/tender-notice")}
    resp = client.post(f"/lots/{lot_id}/tender-notice", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert db.session.get(Lot, lot_id).status == LotStatus.PUBLISHED
    detail = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert "招标公告" in detail
    assert 'data-testid="lot-status">公告中' in detail


def test_tender_notice_form_shows_why_a_short_bid_period_is_refused(
    client: Any, world: World
) -> None:
    project = api_project(client, world, bid_deadline="2026-03-15T09:30:00+08:00")
    lot_id = project["lots"][0]["id"]
    login(client, world.staff)
    form = {**TENDER_FIELDS, "csrf_token": csrf_from(client, f"/lots/{lot_id}/tender-notice")}
    resp = client.post(f"/lots/{lot_id}/tender-notice", data=form)
    assert resp.status_code == 422
    assert "投标截止日期最早为 2026年03月23日（当日任何时刻均可）" in resp.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(Announcement)).scalar_one() == 0


def test_intent_form_publishes_the_intent(client: Any, world: World) -> None:
    project = api_project(client, world)
    login(client, world.staff)
    path = f"/projects/{project['id']}/intent"
    page = client.get(path).get_data(as_text=True)
    assert 'value="2026-03"' in page
    form = {
        "csrf_token": csrf_from(client, path),
        "requirements": "采购教学用计算机 200 台。",
        "expected_month": "2026-04",
    }
    assert client.post(path, data=form).status_code == 302
    ann = db.session.execute(select(Announcement)).scalar_one()
    assert ann.kind == AnnouncementKind.INTENT


def test_staff_terminates_a_lot_from_the_detail_page(client: Any, world: World) -> None:
    project = api_project(client, world)
    lot_id = project["lots"][0]["id"]
    login(client, world.staff)
    token = csrf_from(client, f"/projects/{project['id']}")
    short = client.post(f"/lots/{lot_id}/terminate", data={"csrf_token": token, "reason": "x"})
    assert short.status_code == 422
    assert "至少 5 个字" in short.get_data(as_text=True)
    resp = client.post(
        f"/lots/{lot_id}/terminate",
        data={"csrf_token": token, "reason": "采购计划取消，终止本标段。"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lot, lot_id).status == LotStatus.TERMINATED
