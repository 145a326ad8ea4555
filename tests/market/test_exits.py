"""The exit mechanism: a removed agency is out of the directory and cannot bid; it appeals
once at a time; an upheld appeal restores it. Only supervisors decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Role
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from app.market import agencies, auction, exits
from app.market.models import AgencyStatus, AppealStatus
from tests.factories import csrf_from, login, make_user, token_headers
from tests.market.world import START, build, post


@pytest.fixture
def world() -> Any:
    clock.set_now(START)
    return build()


def test_removal_appeal_and_restoration(client: Any, world: Any) -> None:
    a = world.agencies[0]
    supervisor = make_user(Role.SUPERVISOR, totp=False)
    db.session.commit()
    profile = agencies.get_profile(a.organisation_id)
    with pytest.raises(Forbidden):
        exits.set_status(world.buyer, profile, AgencyStatus.REMOVED, "出具虚假报告")
    with pytest.raises(Conflict):
        exits.file_appeal(a, "无事申诉")
    resp = client.post(
        f"/api/v1/market/agencies/{a.organisation_id}/status",
        json={"status": "removed", "reason": "出具虚假报告"},
        headers=token_headers(supervisor),
    )
    assert resp.status_code == 200 and resp.json["status"] == "removed"
    assert a.organisation_id not in [p.org_id for p in agencies.directory()]
    need = post(world)
    clock.set_now(START + dt.timedelta(minutes=11))
    with pytest.raises(Forbidden) as exc:
        auction.place_bid(a, need.id, "99000")
    assert "清退" in str(exc.value.message)
    page = client.get(f"/market/agencies/{a.organisation_id}").get_data(as_text=True)
    assert "出具虚假报告" in page and "已清退" in page

    login(client, a)
    token = csrf_from(client, "/market/my/profile")
    resp = client.post(
        "/market/my/appeals", data={"csrf_token": token, "text": "报告系他人冒名出具"}
    )
    assert resp.status_code == 302
    with pytest.raises(Conflict):
        exits.file_appeal(a, "再次申诉")
    appeal = exits.pending_appeals()[0]
    with pytest.raises(Forbidden):
        exits.decide_appeal(a, appeal, True, "自己决定")
    resp = client.post(
        f"/api/v1/market/appeals/{appeal.id}/decision",
        json={"upheld": True, "answer": "经核查系冒名，恢复"},
        headers=token_headers(supervisor),
    )
    assert resp.status_code == 200 and resp.json["status"] == AppealStatus.UPHELD.value
    db.session.refresh(profile)
    assert profile.status == AgencyStatus.ACTIVE
    auction.place_bid(a, need.id, "99000")
