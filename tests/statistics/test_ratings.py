"""Service ratings (好差评): who may rate, the window in working days, the default after
it with the clock moved, and the follow-up of a bad rating."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Holiday, OrgKind, Role
from app.core.extensions import db
from app.core.scheduler import registered_jobs, run_job
from app.core.workbench import items_for
from app.supervision.ratings import service
from app.supervision.ratings.models import FollowUpStatus, RatingFollowUp, ServiceRating
from bidding.models import LotStatus
from tests.factories import login, make_org, make_user, token_headers

from . import world

# Wednesday 1 April 2026, 09:00 CST: the award.
AWARD = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)
# Monday 6 April is 清明 in this centre: the fifth working day is Thursday 9 April, so the
# window runs until 24:00 CST that day (16:00 UTC).
CLOSES = dt.datetime(2026, 4, 9, 16, 0, tzinfo=dt.UTC)
GOOD = {"centre": {"level": 5, "comment": ""}, "agency": {"level": 4, "comment": "答疑及时"}}


@pytest.fixture
def w() -> Any:
    clock.set_now(AWARD - dt.timedelta(days=20))
    p = world.place(n_suppliers=4)
    db.session.add(Holiday(centre_id=p.centre.id, day=dt.date(2026, 4, 6), name="清明节"))
    lot = world.lot(
        p,
        deadline=AWARD - dt.timedelta(days=10),
        status=LotStatus.AWARDED,
        bidders=p.suppliers[:3],
        award_price="900000.00",
        awarded_at=AWARD,
    )
    db.session.commit()
    p.lot = lot  # type: ignore[attr-defined]
    return p


def _rate(client: Any, user: Any, lot_id: int, body: dict[str, Any] = GOOD) -> Any:
    return client.post(f"/api/v1/ratings/lots/{lot_id}", json=body, headers=token_headers(user))


def _todo(app: Any, user: Any, prefix: str = "ratings.") -> list[str]:
    with app.test_request_context():
        return [i.kind for i in items_for(user) if i.kind.startswith(prefix)]


def _default_sweep(app: Any) -> None:
    job = next(j for j in registered_jobs() if j.name == "ratings.default")
    assert run_job(app, job)


def test_window_counts_working_days_of_the_centre_calendar(w: Any) -> None:
    window = service.window_for(w.lot)
    assert window is not None
    assert window.opens == AWARD
    assert window.closes == CLOSES


def test_ratings_default_to_satisfied_after_five_working_days(
    app: Any, client: Any, w: Any
) -> None:
    first, second, third = w.supplier_users[:3]
    clock.set_now(AWARD + dt.timedelta(hours=2))
    assert _rate(client, first, w.lot.id).status_code == 201
    # One second before the window ends nothing is defaulted: the others may still rate.
    clock.set_now(CLOSES - dt.timedelta(seconds=1))
    _default_sweep(app)
    assert db.session.execute(select(func.count(ServiceRating.id))).scalar_one() == 2
    assert _rate(client, second, w.lot.id).status_code == 201
    # The window has run out: the silent bidder gets "satisfied" for both parties, once.
    clock.set_now(CLOSES)
    _default_sweep(app)
    _default_sweep(app)
    rows = (
        db.session.execute(
            select(ServiceRating).where(ServiceRating.supplier_id == third.organisation_id)
        )
        .scalars()
        .all()
    )
    assert sorted((r.target.value, r.level, r.is_default, r.rated_by_id) for r in rows) == [
        ("agency", 4, True, None),
        ("centre", 4, True, None),
    ]
    assert db.session.execute(select(func.count(ServiceRating.id))).scalar_one() == 6
    defaulted = db.session.execute(
        select(func.count(AuditEntry.seq)).where(AuditEntry.action == "rating.defaulted")
    ).scalar_one()
    assert defaulted == 2
    # …and a rating after the window is refused with the reason.
    late = _rate(client, third, w.lot.id)
    assert late.status_code == 409
    assert "评价期已过" in late.get_json()["message"]


def test_refusals_not_a_bidder_twice_before_award(client: Any, w: Any) -> None:
    clock.set_now(AWARD + dt.timedelta(hours=1))
    outsider = w.supplier_users[3]  # a supplier of the centre that did not bid
    resp = _rate(client, outsider, w.lot.id)
    assert resp.status_code == 403
    assert "参与本标段投标" in resp.get_json()["message"]
    bidder = w.supplier_users[0]
    assert _rate(client, bidder, w.lot.id).status_code == 201
    again = _rate(client, bidder, w.lot.id)
    assert again.status_code == 409 and "不能重复评价" in again.get_json()["message"]
    # A bad rating needs its reason; nothing is half-written when it is missing.
    bad = {"centre": {"level": 1, "comment": ""}, "agency": {"level": 5}}
    resp = _rate(client, w.supplier_users[1], w.lot.id, bad)
    assert resp.status_code == 422
    assert db.session.execute(select(func.count(ServiceRating.id))).scalar_one() == 2
    # Out of range is refused by the schema before the service.
    resp = _rate(
        client, w.supplier_users[1], w.lot.id, {"centre": {"level": 9}, "agency": {"level": 5}}
    )
    assert resp.status_code == 422
    # Before the award there is nothing to rate.
    clock.set_now(AWARD - dt.timedelta(days=1))
    early = _rate(client, w.supplier_users[2], w.lot.id)
    assert early.status_code == 409 and "确定中标人后" in early.get_json()["message"]


def test_bad_rating_opens_a_follow_up_answered_by_the_agency_closed_by_supervisor(
    app: Any, client: Any, w: Any
) -> None:
    clock.set_now(AWARD + dt.timedelta(hours=1))
    bidder = w.supplier_users[0]
    body = {"centre": {"level": 5}, "agency": {"level": 2, "comment": "答疑拖延三天"}}
    assert _rate(client, bidder, w.lot.id, body).status_code == 201
    fu = db.session.execute(select(RatingFollowUp)).scalar_one()
    assert fu.status == FollowUpStatus.OPEN
    # To-dos: the agency answers, the supplier has nothing left to rate on this lot.
    assert _todo(app, w.staff) == ["ratings.answer"]
    assert _todo(app, bidder) == []
    assert _todo(app, w.supplier_users[1]) == ["ratings.rate"]
    # Anonymous to the rated: the agency's list and page never name the supplier.
    listed = client.get("/api/v1/ratings/follow-ups", headers=token_headers(w.staff)).get_json()
    assert [f["id"] for f in listed] == [fu.id]
    assert all("supplier" not in k for k in listed[0])
    login(client, w.staff)
    page = client.get(f"/ratings/follow-ups/{fu.id}").get_data(as_text=True)
    assert "答疑拖延三天" in page and bidder.organisation.name not in page
    # Staff of another agency may not answer; closing before the answer is refused.
    other = make_user(Role.STAFF, organisation=make_org(OrgKind.AGENCY, centre=w.centre))
    resp = client.post(
        f"/api/v1/ratings/follow-ups/{fu.id}/answer",
        json={"answer": "已整改"},
        headers=token_headers(other),
    )
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/ratings/follow-ups/{fu.id}/close", json={}, headers=token_headers(w.supervisor)
    )
    assert resp.status_code == 409 and "尚未答复" in resp.get_json()["message"]
    resp = client.post(
        f"/api/v1/ratings/follow-ups/{fu.id}/answer",
        json={"answer": "已约谈项目负责人，答疑改为当日回复"},
        headers=token_headers(w.staff),
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "answered"
    assert _todo(app, w.supervisor) == ["ratings.close"]
    # The supervisor sees who rated (real name to the platform) and closes, once.
    client.get("/logout")
    login(client, w.supervisor)
    page = client.get(f"/ratings/follow-ups/{fu.id}").get_data(as_text=True)
    assert bidder.organisation.name in page
    headers = token_headers(w.supervisor)
    resp = client.post(
        f"/api/v1/ratings/follow-ups/{fu.id}/close", json={"note": "整改到位"}, headers=headers
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "closed"
    resp = client.post(f"/api/v1/ratings/follow-ups/{fu.id}/close", json={}, headers=headers)
    assert resp.status_code == 409 and "不能再次办结" in resp.get_json()["message"]
    actions = (
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("rating.%"))
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert actions == [
        "rating.given",
        "rating.given",
        "rating.follow_up_answered",
        "rating.follow_up_closed",
    ]


def test_rating_form_page(client: Any, w: Any) -> None:
    clock.set_now(AWARD + dt.timedelta(hours=1))
    bidder = w.supplier_users[0]
    login(client, bidder)
    index = client.get("/ratings/").get_data(as_text=True)
    assert w.lot.code in index
    from tests.factories import csrf_from

    token = csrf_from(client, f"/ratings/lots/{w.lot.id}")
    resp = client.post(
        f"/ratings/lots/{w.lot.id}",
        data={
            "csrf_token": token,
            "centre_level": "3",
            "centre_comment": "",
            "agency_level": "5",
            "agency_comment": "",
        },
    )
    assert resp.status_code == 302
    levels = sorted(db.session.execute(select(ServiceRating.target, ServiceRating.level)).all())
    assert [(t.value, lv) for t, lv in levels] == [("agency", 5), ("centre", 3)]
    page = client.get("/ratings/").get_data(as_text=True)
    assert "基本满意" in page and "centre" not in page.split("<main", 1)[-1].split("</main>")[0]
