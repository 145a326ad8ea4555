"""邀请招标: invitees chosen by recommendation with reasons or by a verifiable draw; fewer
than three only with a recorded reason; letters sent; the list secret until the deadline;
only invitees obtain documents and bid."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role, User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.core.notify import Notification
from bidding.bids.eligibility import bid_problems
from bidding.documents.downloads import download_refusal
from bidding.invitations import invitations
from bidding.invitations.models import InviteBasis
from bidding.models import Lot, Method
from tests.bidding.helpers import World, project_payload
from tests.factories import make_org, make_user, token_headers


@pytest.fixture(autouse=True)
def _request(app: Any) -> Any:
    # The services link their letters to pages (url_for), as inside a request.
    with app.test_request_context("/"):
        yield


def _lot(client: Any, world: World, method: str = "invited") -> Lot:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, method=method),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    return db.session.get(Lot, resp.get_json()["lots"][0]["id"])


def _suppliers(world: World, n: int) -> list[Any]:
    orgs = [make_org(OrgKind.SUPPLIER, centre=world.centre) for _ in range(n)]
    for org in orgs:
        make_user(Role.SUPPLIER, organisation=org)
    db.session.commit()
    return orgs


def test_recommendation_needs_three_or_a_reason_and_a_reason_each(
    client: Any, world: World
) -> None:
    lot = _lot(client, world)
    a, b, c = _suppliers(world, 3)
    with pytest.raises(ValidationError, match="不少于 3 家"):
        invitations.recommend(world.staff, lot, [{"supplier_id": a.id, "reason": "曾承接同类项目"}])
    with pytest.raises(ValidationError, match="推荐理由"):
        invitations.recommend(
            world.staff, lot, [{"supplier_id": x.id, "reason": ""} for x in (a, b, c)]
        )
    db.session.rollback()
    rows = invitations.recommend(
        world.staff,
        lot,
        [{"supplier_id": a.id, "reason": "专利产品的唯一授权代理"}],
        short_reason="具备相应资格条件的供应商仅有一家",
    )
    db.session.commit()
    assert [r.basis for r in rows] == [InviteBasis.RECOMMENDED]
    entry = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "invitation.recommended")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    assert "具备相应资格条件的供应商仅有一家" in entry.data
    letters = (
        db.session.execute(select(Notification).where(Notification.kind == "invitation"))
        .scalars()
        .all()
    )
    assert len(letters) == 1 and "投标邀请书" in letters[0].title
    with pytest.raises(ValidationError, match="已在邀请名单中"):
        invitations.recommend(world.staff, lot, [{"supplier_id": a.id, "reason": "x"}], "y")


def test_a_draw_can_be_re_run_from_its_audit_entry(client: Any, world: World) -> None:
    lot = _lot(client, world)
    _suppliers(world, 8)
    rows = invitations.draw_invitees(world.staff, lot, 3)
    db.session.commit()
    assert len({r.supplier_id for r in rows}) == 3
    data = json.loads(
        db.session.execute(
            select(AuditEntry.data).where(AuditEntry.action == "invitation.drawn")
        ).scalar_one()
    )
    assert data["picked"] == [r.supplier_id for r in rows]
    assert all(r.draw_commitment == data["commitment"] for r in rows)
    assert invitations.verify_draw(data)
    assert not invitations.verify_draw({**data, "public_value": "0" * 64})
    assert not invitations.verify_draw({**data, "picked": list(reversed(data["picked"]))})
    with pytest.raises(Conflict, match="不足"):
        invitations.draw_invitees(world.staff, lot, 20)


def test_only_invited_lots_in_draft_take_invitations(client: Any, world: World) -> None:
    open_lot = _lot(client, world, method="open")
    (a,) = _suppliers(world, 1)
    with pytest.raises(Conflict, match="不邀请供应商"):
        invitations.recommend(world.staff, open_lot, [{"supplier_id": a.id, "reason": "x"}], "y")


def test_the_list_is_secret_to_the_agency_until_the_deadline(client: Any, world: World) -> None:
    lot = _lot(client, world)
    _suppliers(world, 5)
    resp = client.post(
        f"/api/v1/lots/{lot.id}/invitee-draw", json={"count": 3}, headers=token_headers(world.staff)
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {"count": 3, "visible": False, "items": []}
    seen = client.get(f"/api/v1/lots/{lot.id}/invitees", headers=token_headers(world.supervisor))
    assert seen.get_json()["visible"] and len(seen.get_json()["items"]) == 3
    assert (
        client.get(
            f"/api/v1/lots/{lot.id}/invitees", headers=token_headers(world.supplier)
        ).status_code
        == 403
    )


def test_only_invitees_obtain_documents_and_bid(client: Any, world: World) -> None:
    lot = _lot(client, world)
    invited, outsider = _suppliers(world, 2)
    invitations.recommend(
        world.staff, lot, [{"supplier_id": invited.id, "reason": "同类项目业绩优良"}], "仅一家"
    )
    db.session.commit()
    outsider_user = db.session.execute(
        select(User).where(User.organisation_id == outsider.id)
    ).scalar_one()
    refusal = download_refusal(lot, outsider_user)
    assert refusal is not None and "只有受邀的供应商" in str(refusal.message)
    assert any("只有受邀的供应商" in p for p in bid_problems(lot, outsider))
    assert not any("只有受邀的供应商" in p for p in bid_problems(lot, invited))
    # An open tender's lot asks no invitation.
    lot.project.method = Method.OPEN
    assert not any("只有受邀的供应商" in p for p in bid_problems(lot, outsider))


def test_the_agency_invites_on_the_project_page(client: Any, world: World) -> None:
    from tests.factories import csrf_from, login

    lot = _lot(client, world)
    a, *_rest = _suppliers(world, 4)
    login(client, world.staff)
    page = client.get(f"/projects/{lot.project_id}").get_data(as_text=True)
    assert 'data-testid="invite-panel"' in page and a.name in page
    token = csrf_from(client, f"/projects/{lot.project_id}")
    few = client.post(f"/lots/{lot.id}/invitees/draw", data={"count": "2", "csrf_token": token})
    assert few.status_code == 302
    assert len(invitations.invitees(lot)) == 0  # refused: fewer than 3 without a reason
    client.post(f"/lots/{lot.id}/invitees/draw", data={"count": "3", "csrf_token": token})
    page = client.get(f"/projects/{lot.project_id}").get_data(as_text=True)
    assert "已邀请 3 家" in page
    assert "投标截止前保密" in page
