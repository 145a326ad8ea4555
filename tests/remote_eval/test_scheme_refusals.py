"""Refusals of the scoring scheme's API and editor page: a 4xx in the caller's language,
nothing written, and exactly one `eval.refused` entry naming the lot and the command."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.models import Lot
from remote_eval import actions, schemes
from remote_eval.models import ScoringScheme
from tests.bidding.helpers import World, make_world
from tests.factories import login, token_headers
from tests.remote_eval.schemes_world import (
    comprehensive,
    create_lot,
    other_agency_staff,
    publish_tender,
)
from tests.remote_eval.test_scheme_pages import editor_url, form


@pytest.fixture
def world() -> World:
    return make_world()


def _refused() -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == actions.REFUSED).order_by(AuditEntry.seq)
        ).scalars()
    )


def _once(client: Any, method: str, url: str, user: Any, status: int, **kw: Any) -> dict[str, Any]:
    """Call, expect `status`, and return the one refusal entry the call left."""
    before = len(_refused())
    resp = client.open(url, method=method, headers=token_headers(user), **kw)
    assert resp.status_code == status, resp.get_data(as_text=True)
    after = _refused()
    assert len(after) == before + 1, [e.data for e in after[before:]]
    entry = after[-1]
    assert entry.actor_id == user.id
    data = json.loads(entry.data)
    assert data["message"] == resp.get_json()["message"]
    return {"type": entry.object_type, "id": entry.object_id, **data}


def _saved_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == actions.SCHEME_SAVED)
    )


def test_scheme_api_refusals_are_answered_and_audited_once(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    url = f"/api/v1/lots/{lot.id}/scoring-scheme"
    # another agency's staff, and a supplier reading a scheme not yet published
    e = _once(
        client, "PUT", url, other_agency_staff(world), 403,
        json={"version": 0, "scheme": comprehensive()},
    )  # fmt: skip
    assert (e["type"], e["id"], e["command"]) == ("lot", str(lot.id), "scheme_save")
    assert e["error"] == "forbidden"
    e = _once(client, "GET", url, world.supplier, 403)
    assert e["command"] == "scheme_read" and e["id"] == str(lot.id)
    assert db.session.scalar(select(func.count()).select_from(ScoringScheme)) == 0
    # a scheme that breaks the rules, answered in English when asked
    bad = comprehensive(price={"weight": "20"})
    e = _once(client, "PUT", url, world.staff, 422, json={"version": 0, "scheme": bad})
    assert e["command"] == "scheme_save" and e["error"] == "invalid"
    assert "30–60" in e["message"]
    en = _once(
        client, "PUT", url + "?lang=en", world.staff, 422, json={"version": 0, "scheme": bad}
    )
    assert "between 30 and 60 points" in en["message"]
    assert db.session.scalar(select(func.count()).select_from(ScoringScheme)) == 0
    # input the schema refuses, before any command runs: still one entry naming the lot
    e = _once(client, "PUT", url, world.staff, 422, json={"scheme": comprehensive()})
    assert (e["type"], e["id"]) == ("lot", str(lot.id)) and "SchemeResource" in e["command"]
    # a stale version after a real save leaves the saved scheme as it was
    ok = client.put(
        url, json={"version": 0, "scheme": comprehensive()}, headers=token_headers(world.staff)
    )
    assert ok.status_code == 200 and _saved_count() == 1
    changed = comprehensive()
    changed["technical"][0]["name"] = "改过的名称"
    e = _once(client, "PUT", url, world.staff, 409, json={"version": 0, "scheme": changed})
    assert e["error"] == "conflict" and e["command"] == "scheme_save"
    db.session.expire_all()
    assert (
        schemes.working_data(db.session.get_one(Lot, lot.id))["technical"][0]["name"] == "实施方案"
    )
    assert _saved_count() == 1


def test_amendment_refusals_and_unknown_lots(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    url = f"/api/v1/lots/{lot.id}/scoring-scheme/amendment"
    # nothing to amend before the notice froze the scheme, nothing to withdraw after it
    e = _once(client, "POST", url, world.staff, 409, json={"scheme": comprehensive()})
    assert e["command"] == "scheme_amend" and e["id"] == str(lot.id)
    assert publish_tender(client, world, lot).status_code == 201
    e = _once(client, "DELETE", url, world.staff, 409, json={})
    assert e["command"] == "scheme_withdraw"
    published = schemes.working_data(lot)
    same = _once(client, "POST", url, world.staff, 422, json={"scheme": published})
    assert "与已发布的相同" in same["message"]
    row = schemes.scheme_of(lot)
    assert row is not None and row.pending_data is None
    # a lot that does not exist: 404, audited; one past the id range: 404, never a crash
    e = _once(client, "GET", f"/api/v1/lots/{lot.id + 1000}/scoring-scheme", world.staff, 404)
    assert (e["type"], e["id"], e["error"]) == ("lot", str(lot.id + 1000), "not_found")
    headers = token_headers(world.staff)
    for method in ("GET", "PUT"):
        resp = client.open(
            f"/api/v1/lots/{2**31}/scoring-scheme",
            method=method,
            headers=headers,
            json={"version": 0, "scheme": comprehensive()},
        )
        assert resp.status_code == 404


def test_editor_page_refusals_are_audited_like_the_apis(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    before = len(_refused())
    resp = client.post(editor_url(lot.id), data=form(client, lot.id, price_weight="20"))
    assert resp.status_code == 422 and "30–60" in resp.get_data(as_text=True)
    stale = form(client, lot.id)
    assert client.post(editor_url(lot.id), data=form(client, lot.id)).status_code == 302
    resp = client.post(editor_url(lot.id), data=stale)
    assert resp.status_code == 409
    entries = _refused()[before:]
    assert [json.loads(e.data)["command"] for e in entries] == ["scheme_save", "scheme_save"]
    assert {e.object_id for e in entries} == {str(lot.id)} and entries[0].actor_id == world.staff.id
    assert _saved_count() == 1
