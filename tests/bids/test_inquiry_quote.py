"""询价: one sealed quote per supplier that cannot be changed — a second is refused with its
reason, nothing is stored, and the attempt is audited; a withdrawal is refused the same way.
The same steps on an open tender replace the bid (the method's rule decides, not the code)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.bids.eligibility import bid_problems
from bidding.bids.models import Bid, BidStatus
from bidding.models import Method
from tests.bids.conftest import World, seal, upload


def _bids() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Bid.version, Bid.status).order_by(Bid.version)).all()
    return [(v, s.value) for v, s in rows]


def _refusals() -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "bid.quote_refused")
    ).scalar_one()


def test_a_second_quote_and_a_withdrawal_are_refused_and_audited(client: Any, world: World) -> None:
    world.lot.project.method = Method.INQUIRY
    db.session.commit()
    user, org = world.suppliers[0], world.orgs[0]
    headers = world.headers(user)
    first = upload(client, headers, world.lot, seal(world.lot, org))
    assert first.status_code == 201, first.get_json()

    second = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": 1000}, headers=headers
    )
    assert second.status_code == 409
    assert "只能报出一次且不得更改" in second.get_json()["message"]
    withdraw = client.post(f"/api/v1/lots/{world.lot.id}/withdraw", headers=headers)
    assert withdraw.status_code == 409
    assert "不得撤回或更改" in withdraw.get_json()["message"]
    db.session.expire_all()
    assert _bids() == [(1, "submitted")]
    assert _refusals() == 2
    assert any("只能报出一次" in p for p in bid_problems(world.lot, org))
    # Another supplier still quotes once.
    other = upload(
        client, world.headers(world.suppliers[1]), world.lot, seal(world.lot, world.orgs[1])
    )
    assert other.status_code == 201


def test_an_open_tender_bid_is_replaced_by_the_same_steps(client: Any, world: World) -> None:
    user, org = world.suppliers[0], world.orgs[0]
    headers = world.headers(user)
    assert upload(client, headers, world.lot, seal(world.lot, org)).status_code == 201
    assert upload(client, headers, world.lot, seal(world.lot, org)).status_code == 201
    db.session.expire_all()
    assert (
        db.session.execute(select(Bid.status).where(Bid.version == 1)).scalar_one()
        == BidStatus.REPLACED
    )
    assert _refusals() == 0
