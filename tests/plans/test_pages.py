"""The plan pages: the purchaser files, the finance office approves or returns, the
agency registers a project from the approved line; each role sees only its own menus."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from bidding.models import Project
from bidding.plans.models import PlanLine, PlanStatus
from tests.bidding.helpers import World, project_payload
from tests.factories import csrf_from, login
from tests.plans.helpers import approved_line, line_payload, purchaser_staff


def _menu(html: str) -> str:
    start = html.index('class="mainnav')
    return html[start : html.index("</nav>", start)]


def test_purchaser_sees_plans_and_no_agency_menus(client: Any, world: World) -> None:
    buyer = purchaser_staff(world)
    login(client, buyer)
    menu = _menu(client.get("/plans").get_data(as_text=True))
    assert "采购计划" in menu
    for agency_entry in ("项目管理", "招标文件", "开标与密钥", "评标结果", "保证金账户"):
        assert agency_entry not in menu
    assert client.get("/projects").status_code == 403
    assert client.get("/projects/new").status_code == 403


def test_purchaser_files_a_line_on_the_page_and_the_supervisor_returns_then_approves(
    client: Any, world: World
) -> None:
    buyer = purchaser_staff(world)
    login(client, buyer)
    token = csrf_from(client, "/plans/new")
    bad = client.post("/plans/new", data={**line_payload(amount="abc"), "csrf_token": token})
    assert bad.status_code == 422
    assert "计划金额应为金额" in bad.get_data(as_text=True)
    resp = client.post("/plans/new", data={**line_payload(), "csrf_token": token})
    assert resp.status_code == 302
    line = db.session.execute(select(PlanLine)).scalar_one()
    assert "待审核" in client.get(f"/plans/{line.id}").get_data(as_text=True)
    client.get("/logout")

    login(client, world.supervisor)
    page = client.get(f"/plans/{line.id}").get_data(as_text=True)
    assert 'data-testid="approve-plan"' in page
    assert "待审核的采购计划" in client.get("/workbench").get_data(as_text=True)
    token = csrf_from(client, f"/plans/{line.id}")
    empty = client.post(f"/plans/{line.id}/return", data={"reason": "", "csrf_token": token})
    assert empty.status_code == 422 and "请填写退回理由" in empty.get_data(as_text=True)
    client.post(
        f"/plans/{line.id}/return", data={"reason": "请补充预算批复文号", "csrf_token": token}
    )
    db.session.expire_all()
    assert db.session.get(PlanLine, line.id).status == PlanStatus.RETURNED
    client.get("/logout")

    login(client, buyer)
    assert "请补充预算批复文号" in client.get("/workbench").get_data(as_text=True)
    token = csrf_from(client, f"/plans/{line.id}/edit")
    resp = client.post(
        f"/plans/{line.id}/edit",
        data={
            **line_payload(name="智慧教室设备采购（含批复文号）"),
            "version": str(db.session.get(PlanLine, line.id).version),
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    client.get("/logout")

    login(client, world.supervisor)
    token = csrf_from(client, f"/plans/{line.id}")
    client.post(f"/plans/{line.id}/approve", data={"note": "", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(PlanLine, line.id).status == PlanStatus.APPROVED
    assert "已备案" in client.get("/plans").get_data(as_text=True)


def test_agency_registers_a_project_from_the_line_on_the_page(client: Any, world: World) -> None:
    line = approved_line(world, amount="1500000.00")
    login(client, world.staff)
    form = client.get("/projects/new").get_data(as_text=True)
    assert line.code in form and "剩余" in form
    token = csrf_from(client, "/projects/new")
    data = project_payload(world)
    lot = data.pop("lots")[0]
    fields = {**data, "plan_line_id": str(line.id), "csrf_token": token}
    fields.update({f"lots-0-{k}": str(v) for k, v in lot.items()})
    resp = client.post("/projects/new", data=fields)
    assert resp.status_code == 302
    project = db.session.execute(select(Project)).scalar_one()
    assert project.plan_line_id == line.id
    assert line.code in client.get(f"/projects/{project.id}").get_data(as_text=True)
    again = client.post(
        "/projects/new", data={**fields, "csrf_token": csrf_from(client, "/projects/new")}
    )
    assert again.status_code == 409
    assert "超出采购计划" in again.get_data(as_text=True)
