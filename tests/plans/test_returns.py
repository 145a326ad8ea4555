"""A lot that will not be procured gives its budget back to the plan line, in the same
transaction as its termination, once, and audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import hooks
from bidding.bids.freeze import close_lot, retender
from bidding.models import Lot, LotStatus
from bidding.plans.models import PlanLine, PlanReturn, ReturnCause
from tests.bidding.helpers import NOW, TENDER_FIELDS, World, lot_payload, project_payload
from tests.factories import token_headers
from tests.plans.helpers import approved_line


def _project_on_line(client: Any, world: World, line: PlanLine) -> list[int]:
    """Two lots of 1,200,000 and 300,000 drawn on the line; both published."""
    headers = token_headers(world.staff)
    payload = project_payload(
        world,
        plan_line_id=line.id,
        lots=[
            lot_payload(),
            lot_payload(name="配套网络设备", budget="300000.00", ceiling_price=None, bid_bond="0"),
        ],
    )
    # Registered and its intent public six weeks before the notices.
    clock.set_now(NOW - dt.timedelta(days=41))
    resp = client.post("/api/v1/projects", json=payload, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    project = resp.get_json()
    intent = {"requirements": "教学用计算机及配套网络设备。", "expected_month": "2026-03"}
    made = client.post(f"/api/v1/projects/{project['id']}/intent", json=intent, headers=headers)
    assert made.status_code == 201, made.get_json()
    clock.set_now(NOW)
    ids = [x["id"] for x in project["lots"]]
    for lot_id in ids:
        ok = client.post(
            f"/api/v1/lots/{lot_id}/tender-notice", json=TENDER_FIELDS, headers=headers
        )
        assert ok.status_code == 201, ok.get_json()
    return ids


def _terminate(client: Any, world: World, lot_id: int) -> Any:
    return client.post(
        f"/api/v1/lots/{lot_id}/termination",
        json={"reason": "采购需求发生重大变化，本标段终止采购。"},
        headers=token_headers(world.staff),
    )


def _used(line: PlanLine) -> Decimal:
    db.session.expire_all()
    return db.session.get(PlanLine, line.id).used


def _returned_entries() -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "plan_line.budget_returned")
            .order_by(AuditEntry.seq)
        ).scalars()
    )


def test_terminating_a_lot_gives_its_budget_back_once(client: Any, world: World) -> None:
    line = approved_line(world, amount="2000000.00")
    first, second = _project_on_line(client, world, line)
    assert _used(line) == Decimal("1500000.00")

    assert _terminate(client, world, second).status_code == 201
    assert _used(line) == Decimal("1200000.00")
    given = db.session.execute(select(PlanReturn)).scalar_one()
    assert (given.lot_id, given.amount, given.cause) == (
        second,
        Decimal("300000.00"),
        ReturnCause.TERMINATED,
    )
    (entry,) = _returned_entries()
    assert entry.object_type == "plan_line" and entry.object_id == str(line.id)
    data = json.loads(entry.data)
    assert (data["amount"], data["remaining"], data["lot_id"]) == ("300000.00", "800000.00", second)

    # A second termination is refused and gives nothing back again.
    assert _terminate(client, world, second).status_code == 409
    assert _used(line) == Decimal("1200000.00")
    assert len(_returned_entries()) == 1

    assert _terminate(client, world, first).status_code == 201
    assert _used(line) == Decimal("0.00")


def test_a_refused_termination_leaves_the_line_as_it_was(client: Any, world: World) -> None:
    """A later step of the termination refuses: the return rolls back with it."""
    line = approved_line(world, amount="2000000.00")
    first, _second = _project_on_line(client, world, line)

    def refuse(_lot: Lot, _user: Any, _why: str) -> None:
        raise Conflict("该标段的场地预约尚未释放。")

    hooks.register_lot_terminated(refuse)
    try:
        assert _terminate(client, world, first).status_code == 409
    finally:
        hooks._terminated.remove(refuse)
    assert _used(line) == Decimal("1500000.00")
    assert db.session.execute(select(func.count(PlanReturn.id))).scalar_one() == 0
    assert _returned_entries() == []
    assert db.session.get(Lot, first).status == LotStatus.PUBLISHED


def _failed(world: World, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    clock.set_now(lot.bid_deadline + dt.timedelta(minutes=1))
    close_lot(lot)
    db.session.commit()
    assert lot.status == LotStatus.FAILED
    return lot


def test_a_failed_lot_closed_without_a_re_tender_gives_its_budget_back(
    client: Any, world: World
) -> None:
    line = approved_line(world, amount="2000000.00")
    first, _second = _project_on_line(client, world, line)
    _failed(world, first)
    assert _terminate(client, world, first).status_code == 201
    assert _used(line) == Decimal("300000.00")
    given = db.session.execute(select(PlanReturn)).scalar_one()
    assert given.cause == ReturnCause.FAILED


def test_a_re_tendered_lot_keeps_the_budget_for_the_new_lot(client: Any, world: World) -> None:
    line = approved_line(world, amount="2000000.00")
    first, _second = _project_on_line(client, world, line)
    lot = _failed(world, first)
    copy = retender(lot, world.staff)
    db.session.commit()
    assert copy.budget == Decimal("1200000.00")
    assert _terminate(client, world, first).status_code == 201
    assert _used(line) == Decimal("1500000.00")
    assert _returned_entries() == []
    # The new lot holds the budget now, and gives it back if it is terminated in turn.
    assert _terminate(client, world, copy.id).status_code == 201
    assert _used(line) == Decimal("300000.00")


def test_a_project_without_a_line_terminates_as_before(client: Any, world: World) -> None:
    headers = token_headers(world.staff)
    project = client.post(
        "/api/v1/projects", json=project_payload(world), headers=headers
    ).get_json()
    lot_id = project["lots"][0]["id"]
    assert _terminate(client, world, lot_id).status_code == 201
    assert _returned_entries() == []


def test_the_plan_line_page_lists_what_came_back(client: Any, world: World) -> None:
    from tests.factories import login

    line = approved_line(world, amount="2000000.00")
    _first, second = _project_on_line(client, world, line)
    assert _terminate(client, world, second).status_code == 201
    login(client, world.supervisor)
    page = client.get(f"/plans/{line.id}").get_data(as_text=True)
    assert 'data-testid="plan-returns"' in page
    assert "标段终止" in page and "配套网络设备" in page
    assert "terminated" not in page
