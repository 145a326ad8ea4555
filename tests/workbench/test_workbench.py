"""The workbench per role: crafted worlds, the page and the API, and what stays secret."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import current_app

from app.core import clock, workbench
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from app.core.workbench import TodoItem, Urgency
from bidding.bids.bonds import decide_guarantee, pending_guarantees, submit_guarantee
from bidding.bids.models import Bid, BidStatus
from bidding.documents.objections import file_objection
from bidding.documents.questions import ask_question
from remote_eval.models import EvalClarification, EvalRequest, RequestKind
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import (
    PASSWORD,
    csrf_from,
    login,
    make_org,
    make_user,
    token_headers,
    totp_now,
)


def items_for(user: Any) -> list[TodoItem]:
    # Links are built with url_for, as on the page: a request context is needed.
    with current_app.test_request_context():
        return workbench.items_for(user)


def _kinds(user: Any) -> dict[str, list[str]]:
    with current_app.test_request_context():
        return {g.kind: [i.title for i in g.items] for g in workbench.groups_for(user)}


def _supplier_world() -> tuple[Any, Any]:
    world = make_world(deadline_days=25)
    upload(world)
    supplier = world.supplier(name="甲建设工程有限公司")
    download(world, supplier)
    db.session.commit()
    return world, supplier


def test_login_lands_on_the_workbench(client: Any) -> None:
    world = make_world()
    db.session.commit()
    resp = login(client, world.staff)
    assert resp.headers["Location"].endswith("/workbench")
    page = client.get("/workbench")
    assert page.status_code == 200
    assert "工作台" in page.get_data(as_text=True)
    # An explicit destination still wins.
    client2 = client.application.test_client()
    token = csrf_from(client2, "/login?next=/bids/custody")
    client2.post(
        "/login",
        data={"username": world.staff.username, "password": PASSWORD, "csrf_token": token},
    )
    token = csrf_from(client2, "/login/2fa")
    resp = client2.post("/login/2fa", data={"code": totp_now(world.staff), "csrf_token": token})
    assert resp.headers["Location"] == "/bids/custody"


def test_supplier_sees_the_bid_to_submit_and_loses_it_once_submitted(client: Any) -> None:
    world, supplier = _supplier_world()
    kinds = _kinds(supplier)
    assert list(kinds) == ["bidding.submit"]
    assert world.lot.code in kinds["bidding.submit"][0]
    (item,) = items_for(supplier)
    assert item.due_at == world.lot.bid_deadline
    assert item.urgency == Urgency.LATER
    # Another supplier, who did not download, has nothing to do.
    assert items_for(world.supplier()) == []
    db.session.add(
        Bid(
            lot_id=world.lot.id,
            supplier_id=supplier.organisation_id,
            version=1,
            status=BidStatus.SUBMITTED,
            ciphertext_sha256="0" * 64,
            size=10,
            received_at=clock.now(),
            submitted_by_id=supplier.id,
        )
    )
    db.session.commit()
    assert "bidding.submit" not in _kinds(supplier)
    # On the deadline's day the bidder is told to sign in to the opening.
    clock.set_now(world.lot.bid_deadline - dt.timedelta(hours=1))
    (item,) = items_for(supplier)
    assert item.kind == "bidding.openings" and item.urgency == Urgency.TODAY
    assert item.url.endswith(f"/bids/lots/{world.lot.id}/hall")


def test_staff_answers_questions_and_objections_without_learning_who_asked(client: Any) -> None:
    world, supplier = _supplier_world()
    ask_question(world.lot, supplier, "第三章工期要求是否含冬季停工？")
    file_objection(world.lot, supplier, "资格条件排斥潜在投标人。")
    db.session.commit()
    kinds = _kinds(world.staff)
    assert set(kinds) == {"bidding.questions", "bidding.objections"}
    assert "1 条提问" in kinds["bidding.questions"][0]
    # Staff of another agency see none of it.
    assert items_for(world.other_staff) == []
    login(client, world.staff)
    html = client.get("/workbench").get_data(as_text=True)
    assert "甲建设工程有限公司" not in html
    assert world.lot.code in html
    # The objection left unanswered past its due time becomes the supervisor's warning.
    objection_due = [i for i in items_for(world.staff) if i.kind == "bidding.objections"][0]
    assert objection_due.due_at is not None
    clock.set_now(objection_due.due_at + dt.timedelta(minutes=1))
    (warning,) = items_for(world.supervisor)
    assert warning.kind == "supervision.objections" and warning.urgency == Urgency.OVERDUE
    staff_objection = [i for i in items_for(world.staff) if i.kind == "bidding.objections"][0]
    assert staff_objection.urgency == Urgency.OVERDUE


def test_guarantees_reach_the_centre_officer_and_never_the_agency(client: Any) -> None:
    world, supplier = _supplier_world()
    officer = make_user(
        Role.STAFF,
        organisation=make_org(OrgKind.CENTRE, centre=world.centre),
        centre=world.centre,
    )
    submit_guarantee(
        world.lot,
        supplier,
        amount="0",
        reference="BH-1",
        filename="保函.pdf",
        stream=io.BytesIO(b"%PDF-1.7 guarantee"),
    )
    db.session.commit()
    # The centre's bond account checks guarantees, before the deadline (the check is due by it).
    (item,) = [i for i in items_for(officer) if i.kind == "bidding.bonds"]
    assert item.title == f"审核 1 份投标保函：{world.lot.code} {world.lot.name}"
    assert item.due_at == world.lot.bid_deadline
    officer_client = client.application.test_client()
    login(officer_client, officer)
    assert officer_client.get(item.url).status_code == 200
    # The agency learns nothing of it on its workbench, page or API, before or after it.
    login(client, world.staff)
    for at in (None, world.lot.bid_deadline + dt.timedelta(minutes=1)):
        if at is not None:
            clock.set_now(at)
        assert "bidding.bonds" not in _kinds(world.staff)
        body = client.get("/api/v1/workbench").get_json()
        assert all(g["kind"] != "bidding.bonds" for g in body["groups"])
        assert "保函" not in client.get("/workbench").get_data(as_text=True)
    # Once checked, it leaves the officer's list.
    decide_guarantee(pending_guarantees(officer)[0], officer, accept=True)
    db.session.commit()
    assert "bidding.bonds" not in _kinds(officer)


def test_opening_today_for_staff_custodian_and_supervisor(client: Any) -> None:
    world = make_world(deadline_days=25)
    db.session.commit()
    assert items_for(world.staff) == []
    clock.set_now(world.lot.bid_deadline.replace(hour=0, minute=30))  # 08:30 CST, same day
    (staff_item,) = items_for(world.staff)
    assert staff_item.kind == "bidding.openings" and "主持" in staff_item.title
    (sup_item,) = items_for(world.supervisor)
    assert "监督" in sup_item.title
    assert items_for(world.other_staff) == []
    # The next day the opening is no longer "today".
    clock.set_now(world.lot.bid_deadline + dt.timedelta(days=1))
    assert items_for(world.staff) == []


def test_expert_answers_an_invitation(client: Any) -> None:
    from tests.experts.world import build_world, make_pool, request, run

    w = build_world()
    experts = make_pool(w.centre, 10, account=True)
    item = run(w, request(w, groups=[{"specialty": "A08", "count": 5, "reserves": 2}]))
    invited = [inv for inv in item.invitations if inv.state.value == "invited"]
    assert invited
    user = invited[0].expert.user
    (todo,) = items_for(user)
    assert todo.kind == "experts.invitations"
    assert todo.due_at == invited[0].answer_due_at
    assert "第一评标室" in todo.detail
    waiting = {e.user_id for e in experts} - {inv.expert.user_id for inv in invited}
    from app.core.auth.models import User

    assert all(items_for(db.session.get(User, uid)) == [] for uid in waiting)


def test_evaluation_members_host_bidder_and_supervisor(client: Any) -> None:
    from tests.remote_eval.committee_world import build

    w = build()
    session = w.form()
    member = next(m for m in session.members if m.kind.value == "expert")
    kinds = _kinds(member.user)
    assert list(kinds) == ["eval.sessions"]
    assert "eval.hosting" in _kinds(w.host)
    bid = w.bids[0]
    bidder = make_user(Role.SUPPLIER, organisation=bid.supplier)
    other_bidder = make_user(Role.SUPPLIER, organisation=w.bids[1].supplier)
    db.session.add(
        EvalClarification(
            session_id=session.id,
            bid_id=bid.id,
            kind="abnormal_price",
            question="报价明显低于其他投标人，请说明成本构成。",
            asked_by_id=member.id,
            asked_at=clock.now(),
            due_at=clock.now() + dt.timedelta(hours=2),
        )
    )
    db.session.add(
        EvalRequest(
            session_id=session.id,
            kind=RequestKind.ROLLBACK,
            target_phase=session.phase,
            reason="签到信息有误",
            requested_by_id=w.host.id,
            requested_at=clock.now(),
        )
    )
    db.session.commit()
    (warning,) = items_for(bidder)
    assert warning.kind == "eval.clarifications" and "明显偏低" in warning.title
    assert warning.urgency == Urgency.TODAY
    assert items_for(other_bidder) == []
    assert [i.kind for i in items_for(w.supervisor_main)] == ["eval.requests"]
    assert items_for(w.supervisor_other) == []


def test_api_groups_sorted_with_counts(client: Any) -> None:
    world, supplier = _supplier_world()
    ask_question(world.lot, supplier, "问题一")
    file_objection(world.lot, supplier, "异议一")
    db.session.commit()
    body = client.get("/api/v1/workbench", headers=token_headers(world.staff)).get_json()
    assert body["count"] == 2
    kinds = [g["kind"] for g in body["groups"]]
    # The objection is due within days (3 days to answer), the questions at the deadline.
    assert kinds == ["bidding.objections", "bidding.questions"]
    item = body["groups"][0]["items"][0]
    assert item["urgency"] == "soon" and item["urgency_label"]
    assert item["url"].startswith("/staff/lots/")
    assert client.get("/api/v1/workbench").status_code == 401


def test_empty_workbench_for_admin_and_locked_accounts(client: Any) -> None:
    world = make_world()
    victim = make_user(Role.SUPPLIER)
    db.session.commit()
    assert items_for(world.admin) == []
    victim.locked_until = clock.now() + dt.timedelta(minutes=15)
    db.session.commit()
    (item,) = items_for(world.admin)
    assert item.kind == "admin.locked" and victim.username in item.title


def test_soon_counts_calendar_days_as_legal_periods_end() -> None:
    # 10:00 CST on 1 June; a 3-day period ends at 24:00 on 4 June (stored as 00:00 on 5 June).
    now = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
    end_of_4_june = dt.datetime(2026, 6, 4, 16, 0, tzinfo=dt.UTC)
    assert workbench.urgency_of(end_of_4_june, now) == Urgency.SOON
    assert workbench.urgency_of(end_of_4_june + dt.timedelta(days=1), now) == Urgency.LATER
    assert workbench.urgency_of(now + dt.timedelta(hours=23), now) == Urgency.TODAY
    assert workbench.urgency_of(now - dt.timedelta(seconds=1), now) == Urgency.OVERDUE
    assert workbench.urgency_of(None, now) == Urgency.LATER
