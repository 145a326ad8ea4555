"""Invitations: answers, reserves, the no-answer sweep, 补抽, conflicts and sealed names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.core import clock
from app.core.auth.models import Role
from app.core.errors import Forbidden, TooEarly
from app.core.extensions import db
from app.core.notify import Notification
from experts import draw_record, draws, invitations, seats
from experts.jobs import sweep_invitations
from experts.models import Draw, Invitation, InvitationState, Sitting
from tests.experts.world import EVAL_AT, build_world, make_pool, request, run
from tests.factories import login, make_user, token_headers


def _world(n: int = 7):  # noqa: ANN202
    w = build_world()
    make_pool(w.centre, n, account=True)
    item = run(w, request(w))
    return w, item


def _inv(item: Draw, state: InvitationState) -> list[Invitation]:
    return [i for i in item.invitations if i.state == state]


def test_drawn_experts_get_inbox_email_and_sms(app) -> None:  # noqa: ANN001
    w, item = _world()
    invited = _inv(item, InvitationState.INVITED)
    assert len(invited) == 5
    user_ids = {i.expert.user_id for i in invited}
    notes = db.session.query(Notification).filter(Notification.kind == "expert_invitation").all()
    assert {n.user_id for n in notes} == user_ids
    log = Path(app.instance_path, "sms.log").read_text(encoding="utf-8")
    for inv in invited:
        assert inv.expert.phone in log


def test_decline_with_reason_invites_the_next_reserve_in_order() -> None:
    w, item = _world()
    first_reserve = item.result[0]["reserves"][0]
    inv = _inv(item, InvitationState.INVITED)[0]
    invitations.answer(inv, inv.expert.user, False, "出差")
    db.session.commit()
    states = {i.expert_id: i.state for i in item.invitations}
    assert states[inv.expert_id] == InvitationState.DECLINED
    assert states[first_reserve] == InvitationState.INVITED
    assert states[item.result[0]["reserves"][1]] == InvitationState.WAITING


def test_decline_without_reason_is_refused() -> None:
    from app.core.errors import ValidationError

    w, item = _world()
    inv = _inv(item, InvitationState.INVITED)[0]
    with pytest.raises(ValidationError, match="原因"):
        invitations.answer(inv, inv.expert.user, False, "")


def test_joining_records_a_sitting_for_the_frequency_cap() -> None:
    w, item = _world()
    inv = _inv(item, InvitationState.INVITED)[0]
    invitations.answer(inv, inv.expert.user, True)
    db.session.commit()
    sitting = db.session.query(Sitting).filter_by(expert_id=inv.expert_id).one()
    assert sitting.purchaser_id == w.purchaser.id


def test_an_expert_cannot_answer_someone_elses_invitation() -> None:
    w, item = _world()
    a, b = _inv(item, InvitationState.INVITED)[:2]
    with pytest.raises(Forbidden):
        invitations.answer(a, b.expert.user, True)


def test_no_answer_sweep_expires_and_pulls_reserves_idempotently() -> None:
    w, item = _world(12)
    clock.advance(dt.timedelta(hours=2, minutes=1))
    stats = sweep_invitations()
    db.session.commit()
    assert stats["no_answer"] == 5
    assert len(_inv(item, InvitationState.NO_ANSWER)) == 5
    assert len(_inv(item, InvitationState.INVITED)) == 2  # both reserves, then 补抽 for 3
    assert stats["supplementary"] == 1
    again = sweep_invitations()
    db.session.commit()
    assert again == {"no_answer": 0, "invited": 0, "supplementary": 0, "short": 0}


def test_supplementary_draw_runs_under_the_same_rules_and_is_linked() -> None:
    w = build_world()
    make_pool(w.centre, 14, account=True)
    item = run(w, request(w))
    first_family = {i.expert_id for i in item.invitations}
    for inv in list(_inv(item, InvitationState.INVITED)):
        invitations.answer(inv, inv.expert.user, False, "有事")
    for inv in list(_inv(item, InvitationState.INVITED)):
        invitations.answer(inv, inv.expert.user, False, "有事")
    db.session.commit()
    stats = sweep_invitations()
    db.session.commit()
    assert stats["supplementary"] == 1
    sup = db.session.query(Draw).filter(Draw.parent_id == item.id).one()
    assert sup.root_id == item.id
    assert sup.groups[0]["count"] == 5 and sup.groups[0]["reserves"] == 2
    assert set(sup.excluded_ids) == first_family
    assert not ({i for g in sup.result for i in g["invited"] + g["reserves"]} & first_family)
    assert len(seats.seat_summary(item)) == 1
    assert seats.seat_summary(item)[0]["states"]["invited"] == 5
    clock.set_now(EVAL_AT + dt.timedelta(hours=1))
    draws.reveal_draw(sup, None)
    assert all(ok for _n, ok in draw_record.verify_in_app(sup))


def test_supplementary_draw_that_cannot_be_filled_tells_the_requester() -> None:
    w, item = _world(7)
    for inv in list(_inv(item, InvitationState.INVITED)):
        invitations.answer(inv, inv.expert.user, False, "有事")
    db.session.commit()
    stats = sweep_invitations()
    db.session.commit()
    assert stats["short"] == 1
    note = db.session.query(Notification).filter_by(user_id=w.agency_staff.id).one()
    assert "补抽" in note.title
    assert "仅剩 0 人" in note.body
    assert sweep_invitations()["short"] == 1
    assert db.session.query(Notification).filter_by(user_id=w.agency_staff.id).count() == 1


def test_conflict_declared_after_accepting_replaces_the_expert() -> None:
    from tests.factories import credit

    w, item = _world()
    inv = _inv(item, InvitationState.INVITED)[0]
    invitations.answer(inv, inv.expert.user, True)
    invitations.declare_conflict(inv, inv.expert.user, "发现亲属在投标单位任职", credit())
    db.session.commit()
    assert inv.state == InvitationState.REPLACED
    assert db.session.query(Sitting).filter_by(expert_id=inv.expert_id).count() == 0
    assert len(inv.expert.relations) == 1
    assert db.session.get(Invitation, inv.id).state == InvitationState.REPLACED
    assert len(_inv(item, InvitationState.INVITED)) == 5


def test_sign_in_opens_only_shortly_before_the_evaluation() -> None:
    w, item = _world()
    inv = _inv(item, InvitationState.INVITED)[0]
    invitations.answer(inv, inv.expert.user, True)
    with pytest.raises(TooEarly):
        invitations.sign_in(inv, inv.expert.user)
    clock.set_now(EVAL_AT - dt.timedelta(minutes=30))
    invitations.sign_in(inv, inv.expert.user)
    assert inv.signed_in_at is not None


def test_staff_never_see_names_before_sign_in_in_pages_and_api(client) -> None:  # noqa: ANN001
    w, item = _world()
    names = [i.expert.name for i in item.invitations]
    inv = _inv(item, InvitationState.INVITED)[0]
    invitations.answer(inv, inv.expert.user, True)
    db.session.commit()
    staff = w.agency_staff
    headers = token_headers(staff)
    api = client.get(f"/api/v1/experts/draws/{item.id}", headers=headers)
    assert api.status_code == 200
    body = api.get_data(as_text=True)
    assert not any(n in body for n in names)
    assert api.get_json()["seats"][0]["states"]["confirmed"] == 1
    assert (
        client.get(f"/api/v1/experts/pool?centre_id={w.centre.id}", headers=headers).status_code
        == 403
    )
    login(client, staff)
    page = client.get(f"/experts/draws/{item.id}").get_data(as_text=True)
    assert not any(n in page for n in names)
    # Sign-in at the evaluation reveals that one name.
    clock.set_now(EVAL_AT - dt.timedelta(minutes=10))
    invitations.sign_in(inv, inv.expert.user)
    db.session.commit()
    page = client.get(f"/experts/draws/{item.id}").get_data(as_text=True)
    assert inv.expert.name in page
    others = [n for n in names if n != inv.expert.name]
    assert not any(n in page for n in others)


def test_expert_sees_only_their_own_invitation(client) -> None:  # noqa: ANN001
    w, item = _world()
    a, b = _inv(item, InvitationState.INVITED)[:2]
    res = client.get("/api/v1/experts/invitations", headers=token_headers(a.expert.user))
    assert [i["id"] for i in res.get_json()] == [a.id]
    res = client.post(
        f"/api/v1/experts/invitations/{b.id}/answer",
        json={"join": True},
        headers=token_headers(a.expert.user),
    )
    assert res.status_code == 403
    res = client.get(f"/api/v1/experts/draws/{item.id}", headers=token_headers(a.expert.user))
    assert res.status_code == 403


def test_expert_answers_in_the_inbox_page(client) -> None:  # noqa: ANN001
    from tests.factories import csrf_from

    w, item = _world()
    inv = _inv(item, InvitationState.INVITED)[0]
    login(client, inv.expert.user)
    page = client.get("/experts/my").get_data(as_text=True)
    facts = page.split('data-testid="invitation-facts"')[1].split("</dl>")[0]
    # What the expert needs to judge a conflict: the project, its purchaser, when and where.
    assert w.lot.project.name in facts and w.lot.project.purchaser.name in facts
    assert item.venue in facts
    assert "投标截止后公布" in facts  # the bidders stay secret before the deadline
    token = csrf_from(client, "/experts/my")
    res = client.post(
        "/experts/my",
        data={
            "csrf_token": token,
            "invitation_id": inv.id,
            "action": "decline",
            "reason": "外地出差",
        },
    )
    assert res.status_code == 302
    shown = client.get("/experts/my").get_data(as_text=True)
    assert f"已拒绝“{w.lot.name}”的评标邀请" in shown and "已提交。" not in shown
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).state == InvitationState.DECLINED
    assert db.session.get(Invitation, inv.id).reason == "外地出差"


def test_supervisor_sees_the_draw_log(client) -> None:  # noqa: ANN001
    w, item = _world()
    sup = make_user(Role.SUPERVISOR, centre=w.centre)
    db.session.commit()
    res = client.get(f"/api/v1/experts/draws/{item.id}/log", headers=token_headers(sup))
    actions = [e["action"] for e in res.get_json()]
    assert "experts.draw_committed" in actions and "experts.draw_drawn" in actions
    assert (
        client.get(
            f"/api/v1/experts/draws/{item.id}/log", headers=token_headers(w.agency_staff)
        ).status_code
        == 403
    )


def test_staff_request_and_run_a_draw_through_the_api(client) -> None:  # noqa: ANN001
    w = build_world()
    make_pool(w.centre, 8)
    db.session.commit()
    headers = token_headers(w.agency_staff)
    bad = client.post(
        "/api/v1/experts/draws",
        headers=headers,
        json={
            "lot_id": w.lot.id,
            "evaluation_at": EVAL_AT.isoformat(),
            "venue": "一号室",
            "groups": [{"specialty": "A08", "count": 7, "reserves": 2}],
        },
    )
    assert bad.status_code == 422
    assert "仅剩 8 人" in bad.get_json()["message"]
    res = client.post(
        "/api/v1/experts/draws",
        headers=headers,
        json={
            "lot_id": w.lot.id,
            "evaluation_at": EVAL_AT.isoformat(),
            "venue": "一号室",
            "groups": [{"specialty": "A08", "count": 5, "reserves": 2}],
        },
    )
    assert res.status_code == 201, res.get_json()
    draw_id = res.get_json()["id"]
    run_res = client.post(f"/api/v1/experts/draws/{draw_id}/run", headers=headers)
    assert run_res.status_code == 200
    assert run_res.get_json()["status"] == "drawn"
    assert run_res.get_json()["seed"] is None
    again = client.post(f"/api/v1/experts/draws/{draw_id}/run", headers=headers)
    assert again.status_code == 409
