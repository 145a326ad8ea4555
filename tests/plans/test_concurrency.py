"""Two projects registered at the same moment cannot together overdraw one plan line.

Each thread has its own application context, hence its own database session and
transaction. The first draws and holds its transaction open; the second draws meanwhile.
On PostgreSQL the second's conditional UPDATE waits for the first's row lock and then
sees its spend; a check read before writing would have let both through.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from bidding import projects
from bidding.models import Project
from bidding.plans import plans
from bidding.plans.models import PlanLine
from tests.bidding.helpers import World, lot_payload, project_payload
from tests.plans.helpers import approved_line

pytestmark = pytest.mark.skipif(
    "sqlite" in str(__import__("tests.conftest", fromlist=["x"]).test_database_url()),
    reason="row locks: PostgreSQL (SQLite serialises every writer)",
)


def test_two_projects_drawing_at_once_cannot_overdraw_a_line(app: Any, world: World) -> None:
    line = approved_line(world, amount="1000000.00")
    ids = {"line": line.id, "staff": world.staff.id, "purchaser": world.purchaser.id}
    payload = project_payload(
        world, lots=[lot_payload(budget="600000.00", ceiling_price=None, bid_bond="0")]
    )
    payload.pop("purchaser_id")
    first_drew = threading.Event()
    outcomes: dict[str, str] = {}
    waited: dict[str, float] = {}

    def register(name: str, hold: float) -> None:
        from app.core.auth.models import Organisation, User

        with app.app_context():
            user = db.session.get(User, ids["staff"])
            purchaser = db.session.get(Organisation, ids["purchaser"])
            plan_line = db.session.get(PlanLine, ids["line"])
            if name == "second":
                first_drew.wait(10)
            started = time.monotonic()
            try:
                projects.create_project(
                    user, purchaser=purchaser, plan_line=plan_line, **{**payload, "name": name}
                )
            except plans.PlanOverdrawn:
                db.session.rollback()
                outcomes[name] = "refused"
            else:
                if name == "first":
                    first_drew.set()
                    time.sleep(hold)  # the other transaction draws while this one is open
                db.session.commit()
                outcomes[name] = "registered"
            finally:
                waited[name] = time.monotonic() - started
                db.session.remove()

    threads = [
        threading.Thread(target=register, args=("first", 0.8)),
        threading.Thread(target=register, args=("second", 0)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == {"first": "registered", "second": "refused"}
    assert waited["second"] >= 0.5  # it waited for the first transaction's row lock
    db.session.expire_all()
    assert db.session.get(PlanLine, line.id).used == Decimal("600000.00")
    assert db.session.execute(select(func.count()).select_from(Project)).scalar_one() == 1
