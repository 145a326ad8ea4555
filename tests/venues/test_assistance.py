"""Assistance requests between centres: who may read and answer them, their refusals, the
seats an acceptance reserves, and the deadline the scheduler watches."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import hooks
from remote_eval.venues import assistance, jobs, policies
from remote_eval.venues.models import AssistanceStatus, BookingStatus
from tests.experts.world import make_pool
from tests.factories import make_centre, make_org, make_user, token_headers
from tests.venues.world import END, START, Venues, build

SPECIALTY = "A08.01.01.01"


def _ask(v: Venues, **over: Any) -> Any:
    data = {
        "to_centre_id": v.other.id,
        "start_at": START,
        "end_at": END,
        "seats": 2,
        "specialties": [{"specialty": SPECIALTY, "count": 2}],
    } | over
    return assistance.request_assistance(v.w.lot, v.w.agency_staff, data)


def _remote_world(pool: int = 4) -> Venues:
    v = build()
    make_pool(v.other, pool, SPECIALTY)
    assistance.mark_remote(v.w.lot, v.w.agency_staff)
    db.session.commit()
    return v


def test_a_lot_must_be_remote_and_the_request_go_to_another_centre() -> None:
    v = build()
    make_pool(v.other, 4, SPECIALTY)
    with pytest.raises(Conflict, match="远程异地评标"):
        _ask(v)
    assistance.mark_remote(v.w.lot, v.w.agency_staff)
    with pytest.raises(ValidationError, match="本项目所属的交易中心"):
        _ask(v, to_centre_id=v.w.centre.id)


def test_an_expert_count_the_pool_cannot_meet_says_how_many_are_eligible() -> None:
    v = _remote_world(pool=3)
    # 2 experts + 2 reserves needed, 3 in the other centre's pool.
    with pytest.raises(ValidationError) as err:
        _ask(v)
    message = str(err.value.message)
    assert "绵阳市公共资源交易中心" in message and "仅剩 3 人" in message


def test_accepting_reserves_seats_at_the_other_centre() -> None:
    v = _remote_world()
    item = _ask(v)
    db.session.commit()
    assistance.accept(item, v.other_staff, v.other_room)
    db.session.commit()
    assert item.status == AssistanceStatus.ACCEPTED
    assert item.booking is not None and item.booking.venue_id == v.other_room.id
    assert item.booking.assistance_id == item.id and len(item.booking.slots) == 2 * 6
    # Only the asked centre's staff answer; a second answer is refused.
    with pytest.raises(Conflict, match="已答复"):
        assistance.decline(item, v.other_staff, "没有空闲工位")


def test_only_both_centres_and_their_supervisors_read_a_request() -> None:
    v = _remote_world()
    item = _ask(v)
    lot = v.w.lot
    readers = [v.w.agency_staff, v.w.centre_staff, v.other_staff, v.supervisor, v.other_supervisor]
    assert all(policies.can_see_assistance(u, item, lot) for u in readers)
    third = make_centre(name="第三市公共资源交易中心")
    outsiders = [
        make_user(Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=third)),
        make_user(Role.SUPERVISOR, centre=third),
        make_user(Role.ADMIN),
        make_user(Role.SUPPLIER, organisation=make_org(OrgKind.SUPPLIER)),
        make_user(Role.STAFF, organisation=make_org(OrgKind.AGENCY, centre=v.w.centre)),
    ]
    assert not any(policies.can_see_assistance(u, item, lot) for u in outsiders)
    assert not policies.can_answer_assistance(v.w.centre_staff, item)
    assert policies.can_answer_assistance(v.other_staff, item)


def test_accepting_after_the_deadline_is_refused_and_audited(client) -> None:  # type: ignore[no-untyped-def]
    v = _remote_world()
    item = _ask(v, answer_due_at=clock.now() + dt.timedelta(hours=2))
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(hours=3))
    resp = client.post(
        f"/api/v1/assistance-requests/{item.id}/accept",
        json={"venue_id": v.other_room.id},
        headers=token_headers(v.other_staff),
    )
    assert resp.status_code == 409
    assert "答复期限" in resp.get_json()["message"]
    refused = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "venue.refused").order_by(AuditEntry.seq)
    ).scalar_one()
    assert json.loads(refused.data)["command"] == "assistance.accept"
    db.session.refresh(item)
    assert item.status == AssistanceStatus.PENDING and item.booking_id is None
    # The scheduler marks it expired, once.
    assert jobs.sweep_assistance() == {"expired": 1}
    assert jobs.sweep_assistance() == {"expired": 0}
    db.session.refresh(item)
    assert item.status == AssistanceStatus.EXPIRED


def test_declining_needs_a_reason_and_the_api_hides_requests_from_others(client) -> None:  # type: ignore[no-untyped-def]
    v = _remote_world()
    item = _ask(v)
    db.session.commit()
    with pytest.raises(ValidationError):
        assistance.decline(item, v.other_staff, " ")
    assistance.decline(item, v.other_staff, "当日评标室已满")
    db.session.commit()
    resp = client.get(
        f"/api/v1/assistance-requests/{item.id}", headers=token_headers(v.other_supervisor)
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "declined"
    admin = make_user(Role.ADMIN)
    db.session.commit()
    resp = client.get(f"/api/v1/assistance-requests/{item.id}", headers=token_headers(admin))
    assert resp.status_code == 403


def test_the_api_request_to_ones_own_centre_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    v = _remote_world()
    resp = client.post(
        f"/api/v1/lots/{v.w.lot.id}/assistance-requests",
        json={
            "to_centre_id": v.w.centre.id,
            "start_at": "2026-03-03T09:00:00+08:00",
            "end_at": "2026-03-03T12:00:00+08:00",
            "seats": 2,
            "specialties": [{"specialty": SPECIALTY, "count": 2}],
        },
        headers=token_headers(v.w.agency_staff),
    )
    assert resp.status_code == 422
    assert "本项目所属的交易中心" in resp.get_json()["message"]
    assert assistance.requests_of(v.w.lot) == []


def test_a_rescheduled_lot_withdraws_its_requests_and_frees_their_seats() -> None:
    v = _remote_world()
    item = _ask(v)
    assistance.accept(item, v.other_staff, v.other_room)
    hooks.lot_rescheduled(v.w.lot, v.w.agency_staff, "clarification")
    assert item.status == AssistanceStatus.WITHDRAWN
    assert item.booking is not None and item.booking.status == BookingStatus.RELEASED


def test_the_request_page_shows_its_history_to_the_other_centre(client) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import login

    v = _remote_world()
    item = _ask(v)
    db.session.commit()
    login(client, v.other_staff)
    html = client.get(f"/assistance/{item.id}").get_data(as_text=True)
    assert "发出请求" in html and "待答复" in html and 'data-testid="accept-form"' in html
    wb = client.get("/api/v1/workbench").get_json()
    assert "venues.assistance" in json.dumps(wb)
