"""Plan use in the statistics: what each centre's purchasers filed, what the finance office
approved, what projects use and what terminated lots gave back — API, CSV and page."""

from __future__ import annotations

from typing import Any

from app.core.auth.models import Role
from app.core.extensions import db
from bidding.plans import plans
from tests.bidding.helpers import World
from tests.factories import login, make_centre, make_user, token_headers
from tests.plans.helpers import approved_line, line_payload, purchaser_staff
from tests.plans.test_returns import _project_on_line, _terminate

PERIOD = {"start": "2026-01", "end": "2026-12"}


def _plan_world(client: Any, world: World) -> None:
    buyer = purchaser_staff(world)
    line = approved_line(world, buyer, amount="2000000.00")
    plans.file_line(buyer, line_payload(amount="500000.00"))  # awaiting review
    returned = plans.file_line(buyer, line_payload(amount="700000.00"))
    plans.return_line(world.supervisor, returned, "预算项目编码与批复不一致。")
    db.session.commit()
    _first, second = _project_on_line(client, world, line)  # draws 1,500,000
    assert _terminate(client, world, second).status_code == 201  # gives 300,000 back


def test_supervisors_see_plan_amounts_filed_approved_used_and_returned(
    client: Any, world: World
) -> None:
    _plan_world(client, world)
    resp = client.get(
        "/api/v1/statistics/plans", query_string=PERIOD, headers=token_headers(world.supervisor)
    )
    assert resp.status_code == 200, resp.get_json()
    (row,) = resp.get_json()["rows"]
    assert row == {
        "centre": world.centre.name,
        "lines": 3,
        "filed": "3200000.00",
        "approved": "2000000.00",
        "used": "1200000.00",
        "returned": "300000.00",
        "rate": 0.6,
    }


def test_another_centres_supervisor_sees_none_of_it(client: Any, world: World) -> None:
    _plan_world(client, world)
    other = make_centre(code="150100", name="呼和浩特市公共资源交易中心")
    outsider = make_user(Role.SUPERVISOR, centre=other)
    db.session.commit()
    resp = client.get(
        "/api/v1/statistics/plans", query_string=PERIOD, headers=token_headers(outsider)
    )
    assert resp.status_code == 200
    assert resp.get_json()["rows"] == []


def test_plan_use_as_csv_and_on_the_page(client: Any, world: World) -> None:
    _plan_world(client, world)
    login(client, world.supervisor)
    csv_text = client.get("/supervision/statistics/plans.csv", query_string=PERIOD).get_data(
        as_text=True
    )
    header, row = csv_text.lstrip("\ufeff").strip().splitlines()
    assert header.startswith("交易中心,计划条数,报送金额,备案金额,已使用,已退回")
    assert row.endswith(",3,3200000.00,2000000.00,1200000.00,300000.00,60.00")
    page = client.get("/supervision/statistics/", query_string=PERIOD).get_data(as_text=True)
    assert "采购计划备案与使用" in page
    assert "采购计划金额（万元）" in page
