"""Sealed quotes (综合评审) through the JSON API: sealed quotes with receipts, an opening
only after the deadline, a committee of the buyer's representatives scoring within the
items' ranges, the highest total awarded; every refusal answered in words and audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Organisation, OrgKind
from app.core.crypto import platform_public_key, verify_receipt
from app.core.extensions import db
from app.market import actions, sealed
from app.market.models import NeedStatus
from app.market.sealed_models import Quote, QuoteScore, ReviewMember
from tests.factories import token_headers
from tests.market.sealed_world import post_sealed, representatives, seal_quote
from tests.market.world import START, build


@pytest.fixture
def world() -> Any:
    clock.set_now(START)
    return build()


def _refusals(what: str) -> list[AuditEntry]:
    rows = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == actions.SEALED_REFUSED)
        .order_by(AuditEntry.seq)
    ).scalars()
    return [r for r in rows if json.loads(r.data).get("what") == what]


def _submit(client: Any, need: Any, user: Any, data: bytes) -> Any:
    return client.post(
        f"/api/v1/market/needs/{need.id}/quotes",
        data={"file": (io.BytesIO(data), "quote.thsb")},
        headers=token_headers(user),
        content_type="multipart/form-data",
    )


def _count(model: Any) -> int:
    return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_sealed_quote_need_publishes_its_key_and_takes_one_quote_per_agency(
    client: Any, world: Any
) -> None:
    need = post_sealed(world)
    doc = client.get(f"/api/v1/market/needs/{need.id}/opening-key").get_json()
    assert doc["lot_code"] == f"FW-{need.id}" and doc["k"] == 1
    a1 = world.agencies[0]
    resp = _submit(client, need, a1, seal_quote(need, a1, "90000"))
    assert resp.status_code == 201, resp.get_json()
    receipt = resp.get_json()["receipt"]
    assert verify_receipt(receipt, platform_public_key().raw_hex)
    assert receipt["receipt"]["sha256"] == resp.get_json()["sha256"]
    # A second quote is refused, whatever it says, and nothing new is stored.
    again = _submit(client, need, a1, seal_quote(need, a1, "80000"))
    assert again.status_code == 409 and "只能报价一次" in again.get_json()["message"]
    assert _count(Quote) == 1 and len(_refusals("second")) == 1
    # A container sealed for another need's key does not pass the key-less checks.
    other = post_sealed(world, title="另一项环评")
    wrong = _submit(client, need, world.agencies[1], seal_quote(other, world.agencies[1], "1"))
    assert wrong.status_code == 422 and _count(Quote) == 1
    # Another agency sees the count only; nobody reads contents before the opening.
    seen = client.get(
        f"/api/v1/market/needs/{need.id}/quotes", headers=token_headers(world.agencies[1])
    ).get_json()
    assert seen == {"count": 1, "opened": False, "quotes": []}
    quote = db.session.execute(select(Quote)).scalar_one()
    early = client.get(
        f"/api/v1/market/needs/{need.id}/quotes/{quote.id}/files/0",
        headers=token_headers(world.buyer),
    )
    assert early.status_code == 403 and "开启前" in early.get_json()["message"]
    assert len(_refusals("read_early")) == 1
    opening = client.post(
        f"/api/v1/market/needs/{need.id}/opening", headers=token_headers(world.buyer)
    )
    assert opening.status_code == 409 and len(_refusals("open_early")) == 1
    assert quote.price is None and db.session.get(Quote, quote.id).status.value == "sealed"


def test_a_quote_after_the_deadline_is_refused_and_audited(client: Any, world: Any) -> None:
    need = post_sealed(world)
    data = seal_quote(need, world.agencies[0], "90000")
    clock.set_now(need.closes_at + dt.timedelta(seconds=1))
    resp = _submit(client, need, world.agencies[0], data)
    assert resp.status_code == 409 and "截止" in resp.get_json()["message"]
    assert _count(Quote) == 0 and len(_refusals("late")) == 1


def test_the_scheme_must_add_up_to_100_points(client: Any, world: Any) -> None:
    resp = client.post(
        "/api/v1/market/needs",
        json={
            "title": "造价咨询",
            "type_code": "ZX01",
            "budget": "50000",
            "service_deadline": (clock.cst_date(clock.now()) + dt.timedelta(days=30)).isoformat(),
            "method": "sealed",
            "closes_at": (clock.now() + dt.timedelta(hours=1)).isoformat(),
            "scoring": {"price_weight": "30", "items": [{"name": "方案", "maximum": "60"}]},
        },
        headers=token_headers(world.buyer),
    )
    assert resp.status_code == 422 and "100" in resp.get_json()["message"]


def test_opening_scoring_and_the_highest_total_wins(client: Any, world: Any) -> None:
    need = post_sealed(world)
    a1, a2, a3 = world.agencies
    for user, price in ((a1, "100000"), (a2, "80000"), (a3, "130000")):
        assert _submit(client, need, user, seal_quote(need, user, price)).status_code == 201
    reps = representatives(world)
    hb = token_headers(world.buyer)
    clock.set_now(need.closes_at)
    opened = client.post(f"/api/v1/market/needs/{need.id}/opening", headers=hb)
    assert opened.status_code == 200, opened.get_json()
    rows = {r["org_id"]: r for r in opened.get_json()["quotes"]}
    assert rows[a2.organisation_id]["price"] == "80000.00"
    assert all(r["receipt"] == {} for r in rows.values())  # receipts stay with their agency
    q1 = rows[a1.organisation_id]["id"]
    body = client.get(f"/api/v1/market/needs/{need.id}/quotes/{q1}/files/0", headers=hb)
    assert body.status_code == 200 and body.data == b"%PDF-1.4 technical proposal"
    # Another agency may not read a rival's proposal, even after the opening.
    denied = client.get(
        f"/api/v1/market/needs/{need.id}/quotes/{q1}/files/0", headers=token_headers(a2)
    )
    assert denied.status_code == 403 and len(_refusals("read_denied")) == 1
    # A committee of 2 is refused; 3 representatives are named.
    two = client.post(
        f"/api/v1/market/needs/{need.id}/committee",
        json={"user_ids": [reps[0].id, reps[1].id]},
        headers=hb,
    )
    assert two.status_code == 422 and _count(ReviewMember) == 0
    made = client.post(
        f"/api/v1/market/needs/{need.id}/committee",
        json={"user_ids": [r.id for r in reps]},
        headers=hb,
    )
    assert made.status_code == 201
    ids = {u.organisation_id: rows[u.organisation_id]["id"] for u in (a1, a2, a3)}
    good = {
        str(ids[a1.organisation_id]): {"t1": "48", "t2": "18"},
        str(ids[a2.organisation_id]): {"t1": "30", "t2": "10"},
        str(ids[a3.organisation_id]): {"t1": "50", "t2": "20"},
    }
    # A non-member may not score; a score above the item's maximum is refused whole.
    outsider = client.post(
        f"/api/v1/market/needs/{need.id}/scores",
        json={"scores": good},
        headers=token_headers(a1),
    )
    assert outsider.status_code == 403 and len(_refusals("score_not_member")) == 1
    over = dict(good) | {str(ids[a3.organisation_id]): {"t1": "51", "t2": "20"}}
    resp = client.post(
        f"/api/v1/market/needs/{need.id}/scores",
        json={"scores": over},
        headers=token_headers(reps[1]),
    )
    assert resp.status_code == 422 and "0–50" in resp.get_json()["message"]
    assert _count(QuoteScore) == 0 and len(_refusals("score_invalid")) == 1
    early = client.post(f"/api/v1/market/needs/{need.id}/review", headers=hb)
    assert early.status_code == 409
    for rep in reps:
        resp = client.post(
            f"/api/v1/market/needs/{need.id}/scores",
            json={"scores": good},
            headers=token_headers(rep),
        )
        assert resp.status_code == 201, resp.get_json()
    twice = client.post(f"/api/v1/market/needs/{need.id}/scores", json={"scores": good}, headers=hb)
    assert twice.status_code == 409
    review = client.get(f"/api/v1/market/needs/{need.id}/review", headers=hb).get_json()
    by_name = {r["name"]: r for r in review["results"]}
    # a1: 80000/100000 × 30 = 24 + 66 = 90; a2: 30 + 40 = 70; a3 above the ceiling.
    assert by_name[a1.organisation.name]["total"] == "90.00"
    assert by_name[a2.organisation.name]["total"] == "70.00"
    assert "最高限价" in by_name[a3.organisation.name]["rejected_reason"]
    done = client.post(f"/api/v1/market/needs/{need.id}/review", headers=hb)
    assert done.status_code == 200
    db.session.expire_all()
    need = db.session.get(type(need), need.id)
    assert need.status == NeedStatus.AWARDED and need.winner_org_id == a1.organisation_id
    assert need.price == Decimal("100000.00")
    public = client.get(f"/market/needs/{need.id}").get_data(as_text=True)
    assert 'data-testid="sealed-results"' in public and "90.00" in public
    entries = (
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.object_id == str(need.id))
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    for action in (
        actions.QUOTES_OPENED,
        actions.COMMITTEE_FORMED,
        actions.SCORES_SUBMITTED,
        actions.SEALED_RESULT,
        actions.AWARDED,
    ):
        assert action in entries


def test_intermediaries_are_their_own_organisation_kind(world: Any) -> None:
    kinds = {
        o.kind
        for o in db.session.execute(
            select(Organisation).where(
                Organisation.id.in_([u.organisation_id for u in world.agencies])
            )
        ).scalars()
    }
    assert kinds == {OrgKind.INTERMEDIARY}


def test_admin_lists_intermediaries_apart_and_keeps_their_users_in_them(
    client: Any, world: Any
) -> None:
    from app.admin import services as admin_services
    from app.core.auth.models import Role
    from app.core.errors import ValidationError
    from tests.factories import login, make_user

    admin = make_user(Role.ADMIN)  # administrators sign in with a second factor
    db.session.commit()
    login(client, admin)
    apart = client.get("/admin/organisations?kind=intermediary").get_data(as_text=True)
    agencies = client.get("/admin/organisations?kind=agency").get_data(as_text=True)
    name = world.agencies[0].organisation.name
    assert name in apart and name not in agencies
    assert "中介机构" in apart
    with pytest.raises(ValidationError):
        admin_services.create_user(
            admin,
            username="wrongrole",
            display_name="错角色",
            role=Role.STAFF.value,
            organisation=world.agencies[0].organisation,
        )


def test_the_scheduler_opens_quotes_at_the_deadline_and_not_before(client: Any, world: Any) -> None:
    need = post_sealed(world)
    a1 = world.agencies[0]
    assert _submit(client, need, a1, seal_quote(need, a1, "88000")).status_code == 201
    assert sealed.open_due() == 0
    clock.set_now(need.closes_at)
    assert sealed.open_due() == 1
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.price == Decimal("88000.00") and quote.status.value == "opened"
    db.session.refresh(need)
    assert need.status == NeedStatus.CLOSED
    assert sealed.open_due() == 0
    opened = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == actions.QUOTES_OPENED)
    ).scalar_one()
    assert opened.actor_id is None


def test_workbench_names_each_step_to_whom_it_falls(app: Any, client: Any, world: Any) -> None:
    from app.market import sealed_review, workbench

    ctx = app.test_request_context("/")
    ctx.push()

    need = post_sealed(world)
    a1 = world.agencies[0]
    assert any("可提交密封报价" in i.title for i in workbench.agency_items(a1))
    assert any("接收报价中" in i.title for i in workbench.buyer_items(world.buyer))
    assert _submit(client, need, a1, seal_quote(need, a1, "88000")).status_code == 201
    assert not any("可提交密封报价" in i.title for i in workbench.agency_items(a1))
    clock.set_now(need.closes_at)
    sealed.open_due()
    assert any("组建评审小组" in i.title for i in workbench.buyer_items(world.buyer))
    reps = representatives(world)
    sealed_review.form_committee(world.buyer, need, [r.id for r in reps])
    db.session.commit()
    assert any("请为综合评审评分" in i.title for i in workbench.buyer_items(reps[2]))
    ctx.pop()
