"""Plan lines: filing, the finance office's review, and projects drawing on what is left."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.workbench import TodoItem, items_for
from bidding import projects
from bidding.models import Project
from bidding.plans import plans
from bidding.plans.models import PlanLine, PlanStatus
from tests.bidding.helpers import World, lot_payload, project_payload
from tests.factories import make_centre, make_org, make_user, token_headers
from tests.plans.helpers import approved_line, line_payload, purchaser_staff


def actions_of(line: PlanLine) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "plan_line", AuditEntry.object_id == str(line.id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )


def todo(user: Any) -> list[TodoItem]:
    from flask import current_app

    with current_app.test_request_context():
        return items_for(user)


def count(model: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# ---------------------------------------------------------------- filing and review
def test_purchaser_files_and_finance_office_approves(world: World) -> None:
    buyer = purchaser_staff(world)
    line = plans.file_line(buyer, line_payload())
    db.session.commit()
    assert line.status == PlanStatus.SUBMITTED
    assert line.code == "JH15090020260001"
    assert line.purchaser_id == world.purchaser.id and line.centre_id == world.centre.id
    assert [i.kind for i in todo(world.supervisor)] == ["plans.review"]

    plans.approve_line(world.supervisor, line, "同意")
    db.session.commit()
    assert line.status == PlanStatus.APPROVED
    assert line.reviewed_by_id == world.supervisor.id
    assert actions_of(line) == ["plan_line.filed", "plan_line.approved"]
    assert todo(world.supervisor) == []
    with pytest.raises(Conflict, match="不能重复审核"):
        plans.approve_line(world.supervisor, line)


def test_returned_line_is_corrected_and_filed_again(world: World) -> None:
    buyer = purchaser_staff(world)
    line = plans.file_line(buyer, line_payload())
    with pytest.raises(ValidationError, match="退回理由"):
        plans.return_line(world.supervisor, line, "  ")
    plans.return_line(world.supervisor, line, "预算项目编码与部门预算不符")
    db.session.commit()
    items = todo(buyer)
    assert [i.kind for i in items] == ["plans.returned"]
    assert "预算项目编码与部门预算不符" in items[0].detail

    plans.resubmit_line(buyer, line, {"budget_item_code": "2050203-02"}, line.version)
    db.session.commit()
    assert line.status == PlanStatus.SUBMITTED and line.budget_item_code == "2050203-02"
    assert todo(buyer) == []
    with pytest.raises(Conflict, match="只有被退回"):
        plans.resubmit_line(buyer, line, {"name": "x"})
    assert actions_of(line) == ["plan_line.filed", "plan_line.returned", "plan_line.resubmitted"]


def test_only_the_centres_supervisors_review_and_only_purchaser_staff_file(world: World) -> None:
    buyer = purchaser_staff(world)
    line = plans.file_line(buyer, line_payload())
    other_centre = make_centre(code="150100")
    for outsider in (
        world.staff,
        buyer,
        make_user(Role.SUPERVISOR, centre=other_centre),
        make_user(Role.ADMIN),
    ):
        with pytest.raises(Forbidden):
            plans.approve_line(outsider, line)
    for not_purchaser in (world.staff, world.supervisor, world.supplier):
        with pytest.raises(Forbidden):
            plans.file_line(not_purchaser, line_payload())
    other_buyer = make_user(
        Role.PURCHASER, organisation=make_org(OrgKind.PURCHASER, centre=world.centre)
    )
    with pytest.raises(Forbidden):
        plans.resubmit_line(other_buyer, line, {})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "0", "应大于 0"),
        ("amount", "12.345", "最多保留两位小数"),
        ("budget_item_code", "", "预算项目编码"),
        ("budget_item_code", "预算 一", "只能由字母"),
        ("funding_source", "", "资金来源"),
        ("category_code", "Z99", "不存在"),
        ("method", "auction", "采购方式"),
        ("expected_month", "2026-13", "YYYY-MM"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(
    world: World, field: str, value: str, message: str
) -> None:
    buyer = purchaser_staff(world)
    with pytest.raises(ValidationError, match=message) as exc:
        plans.file_line(buyer, line_payload(**{field: value}))
    assert exc.value.field == field
    db.session.rollback()
    assert count(PlanLine) == 0


def test_method_away_from_open_tendering_above_the_threshold_needs_a_reason(world: World) -> None:
    buyer = purchaser_staff(world)
    # Below the threshold (4,000,000 yuan by default) any method may be filed as it is.
    plans.file_line(buyer, line_payload(method="inquiry", amount="3999999.99"))
    with pytest.raises(ValidationError, match="须说明理由") as exc:
        plans.file_line(buyer, line_payload(method="single_source", amount="4000000.00"))
    assert exc.value.field == "method_reason"
    line = plans.file_line(
        buyer,
        line_payload(
            method="single_source", amount="4000000.00", method_reason="只能从唯一供应商处采购"
        ),
    )
    plans.approve_line(world.supervisor, line)
    db.session.commit()
    approval = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "plan_line.approved").order_by(AuditEntry.seq)
    ).scalar_one()
    assert '"method_change_approved":true' in approval.data
    assert "只能从唯一供应商处采购" in approval.data


def test_a_centre_may_set_its_own_threshold(world: World) -> None:
    world.centre.settings = {"open_tender_threshold": "1000000"}
    db.session.commit()
    with pytest.raises(ValidationError, match="1,000,000.00 元"):
        plans.file_line(purchaser_staff(world), line_payload(method="inquiry"))


# ---------------------------------------------------------------- projects draw on a line
def _create(world: World, line: PlanLine | None, **overrides: Any) -> Project:
    data = project_payload(world, **overrides)
    data.pop("purchaser_id")
    return projects.create_project(world.staff, purchaser=world.purchaser, plan_line=line, **data)


def test_project_draws_on_the_line_and_lots_move_what_is_left(world: World) -> None:
    line = approved_line(world)
    project = _create(world, line)
    db.session.commit()
    assert project.plan_line_id == line.id
    assert line.used == Decimal("1200000.00") and line.remaining == Decimal("800000.00")

    lot = projects.add_lot(
        world.staff,
        project,
        lot_payload(name="交换机", budget="500000.00", ceiling_price=None, bid_bond="0"),
    )
    db.session.commit()
    assert line.remaining == Decimal("300000.00")
    projects.update_lot(world.staff, lot, {"budget": "200000.00"}, lot.version)
    db.session.commit()
    assert line.remaining == Decimal("600000.00")
    assert actions_of(line)[-3:] == ["plan_line.drawn"] * 3


def test_a_project_above_what_is_left_is_refused_and_nothing_is_saved(world: World) -> None:
    line = approved_line(world, amount="1500000.00")
    _create(world, line)
    db.session.commit()
    with pytest.raises(plans.PlanOverdrawn, match="剩余 300,000.00 元"):
        _create(world, line, name="第二个项目")
    db.session.rollback()
    assert count(Project) == 1
    assert line.remaining == Decimal("300000.00")
    lot = db.session.execute(select(Project)).scalar_one().lots[0]
    with pytest.raises(plans.PlanOverdrawn):
        projects.update_lot(world.staff, lot, {"budget": "1500000.01"}, lot.version)
    db.session.rollback()
    assert lot.budget == Decimal("1200000.00")


def test_lines_not_approved_or_of_another_purchaser_are_refused(world: World) -> None:
    buyer = purchaser_staff(world)
    pending = plans.file_line(buyer, line_payload())
    db.session.commit()
    with pytest.raises(Conflict, match="尚未备案通过"):
        _create(world, pending)
    other = make_org(OrgKind.PURCHASER, centre=world.centre)
    foreign = approved_line(world, make_user(Role.PURCHASER, organisation=other))
    with pytest.raises(ValidationError, match="与项目的采购人不一致"):
        _create(world, foreign)
    with pytest.raises(Forbidden):
        projects.create_project(
            world.supervisor,
            purchaser=world.purchaser,
            plan_line=foreign,
            **{k: v for k, v in project_payload(world).items() if k != "purchaser_id"},
        )


def test_changing_the_method_above_the_threshold_needs_the_approval(world: World) -> None:
    line = approved_line(world, amount="9000000.00")
    big = [lot_payload(budget="5000000.00", ceiling_price=None, bid_bond="0", committee_size=5)]
    with pytest.raises(ValidationError, match="须经财政部门批准") as exc:
        _create(world, line, method="inquiry", lots=big)
    assert exc.value.field == "method"
    db.session.rollback()
    # Below the threshold the agency may choose another method for a smaller project.
    _create(world, line, method="inquiry")
    # A line approved for the method carries the approval.
    approved = approved_line(
        world, amount="9000000.00", method="negotiation", method_reason="技术复杂，不能确定详细规格"
    )
    project = _create(world, approved, method="negotiation", lots=big)
    assert project.method.value == "negotiation"


def test_without_a_line_a_method_away_from_open_tendering_above_the_threshold_is_refused(
    world: World,
) -> None:
    big = [lot_payload(budget="5000000.00", ceiling_price=None, bid_bond="0", committee_size=5)]
    before = count(Project)
    with pytest.raises(ValidationError, match="请选择已备案该采购方式的采购计划") as exc:
        _create(world, None, method="single_source", lots=big)
    assert exc.value.field == "plan_line_id"
    db.session.rollback()
    assert count(Project) == before
    # Open tendering needs no approval at any amount; other methods below the threshold
    # need none either, until a lot added later takes the project over it.
    assert _create(world, None, method="open", lots=big).method.value == "open"
    small = _create(world, None, method="inquiry")
    db.session.commit()
    with pytest.raises(ValidationError, match="须经财政部门批准"):
        projects.add_lot(
            world.staff,
            small,
            lot_payload(name="二期", budget="3000000.00", ceiling_price=None, bid_bond="0"),
        )
    db.session.rollback()
    assert len(db.session.get(Project, small.id).lots) == 1


def test_overdraw_through_the_api_is_409_audited_and_leaves_nothing(
    client: Any, world: World
) -> None:
    line = approved_line(world, amount="1000000.00")
    before = count(Project)
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, plan_line_id=line.id),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 409, resp.get_json()
    assert "剩余额度" in resp.get_json()["message"]
    assert count(Project) == before
    refused = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "plan_line.draw_refused")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    assert refused.object_id == str(line.id) and refused.actor_id == world.staff.id
    db.session.expire_all()
    assert db.session.get(PlanLine, line.id).used == Decimal("0")


# ---------------------------------------------------------------- the API
def test_plan_api_files_reviews_and_lists_with_totals(client: Any, world: World) -> None:
    buyer = purchaser_staff(world)
    mine = token_headers(buyer)
    resp = client.post("/api/v1/plan-lines", json=line_payload(), headers=mine)
    assert resp.status_code == 201, resp.get_json()
    line_id = resp.get_json()["id"]
    finance = token_headers(world.supervisor)
    resp = client.post(
        f"/api/v1/plan-lines/{line_id}/return", json={"reason": "金额有误"}, headers=finance
    )
    assert resp.get_json()["status"] == "returned"
    version = resp.get_json()["version"]
    resp = client.patch(
        f"/api/v1/plan-lines/{line_id}",
        json={"version": version, "amount": "1800000.00"},
        headers=mine,
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "submitted"
    assert (
        client.post(f"/api/v1/plan-lines/{line_id}/approval", json={}, headers=mine).status_code
        == 403
    )
    resp = client.post(
        f"/api/v1/plan-lines/{line_id}/approval", json={"note": "同意"}, headers=finance
    )
    assert resp.get_json()["status"] == "approved"
    listing = client.get("/api/v1/plan-lines", headers=finance).get_json()
    assert listing["total"] == 1
    assert listing["totals"] == {"amount": "1800000.00", "used": "0.00", "remaining": "1800000.00"}
    # Agency staff see approved lines (to draw on), a supplier none at all.
    assert (
        client.get("/api/v1/plan-lines", headers=token_headers(world.staff)).get_json()["total"]
        == 1
    )
    assert (
        client.get("/api/v1/plan-lines", headers=token_headers(world.supplier)).status_code == 403
    )
    assert (
        client.get(
            f"/api/v1/plan-lines/{line_id}", headers=token_headers(world.supplier)
        ).status_code
        == 403
    )
