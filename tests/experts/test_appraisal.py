"""专家考评: only experts who accepted a seat, only after the evaluation, once per lot;
the page names experts who signed in and keeps the others' names sealed."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import clock
from app.core.errors import Conflict, TooEarly, ValidationError
from app.core.extensions import db
from experts import invitations, records
from experts.models import Appraisal, Draw, Invitation, InvitationState
from tests.experts.world import EVAL_AT, build_world, make_pool, request, run
from tests.factories import csrf_from, login

ALL_PASS = dict.fromkeys(records.APPRAISAL_ITEMS, True)


def _world():  # noqa: ANN202
    w = build_world()
    make_pool(w.centre, 7, account=True)
    item = run(w, request(w))
    return w, item


def _invited(item: Draw) -> list[Invitation]:
    return [i for i in item.invitations if i.state == InvitationState.INVITED]


def test_expert_who_did_not_accept_a_seat_cannot_be_appraised() -> None:
    w, item = _world()
    inv = _invited(item)[0]
    clock.set_now(EVAL_AT + dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="未确认参加"):
        records.add_appraisal(inv.expert, w.lot, ALL_PASS, 5, "", w.agency_staff)


def test_appraisal_before_the_evaluation_is_refused() -> None:
    w, item = _world()
    inv = _invited(item)[0]
    invitations.answer(inv, inv.expert.user, True)
    with pytest.raises(TooEarly):
        records.add_appraisal(inv.expert, w.lot, ALL_PASS, 5, "", w.agency_staff)


def test_one_appraisal_per_expert_and_lot_with_unticked_items_failed() -> None:
    w, item = _world()
    inv = _invited(item)[0]
    invitations.answer(inv, inv.expert.user, True)
    clock.set_now(EVAL_AT + dt.timedelta(hours=2))
    records.add_appraisal(inv.expert, w.lot, {"on_time": False}, 3, "迟到", w.agency_staff)
    saved = db.session.execute(db.select(Appraisal)).scalar_one()
    assert saved.checklist["on_time"] is False and saved.checklist["signed"] is False
    with pytest.raises(Conflict):
        records.add_appraisal(inv.expert, w.lot, ALL_PASS, 5, "", w.agency_staff)


def test_appraisal_page_names_signed_in_experts_and_seals_absent_ones(client) -> None:  # noqa: ANN001
    w, item = _world()
    present, absent = _invited(item)[:2]
    invitations.answer(present, present.expert.user, True)
    invitations.answer(absent, absent.expert.user, True)
    clock.set_now(EVAL_AT - dt.timedelta(minutes=20))
    invitations.sign_in(present, present.expert.user)
    db.session.commit()
    login(client, w.agency_staff)
    early = client.get(f"/experts/draws/{item.id}/appraisal")
    assert early.status_code == 409 and "评标开始" in early.get_data(as_text=True)

    clock.set_now(EVAL_AT + dt.timedelta(hours=3))
    page = client.get(f"/experts/draws/{item.id}/appraisal").get_data(as_text=True)
    assert present.expert.name in page
    assert absent.expert.name not in page
    assert "未签到，姓名不公开" in page
    token = csrf_from(client, f"/experts/draws/{item.id}/appraisal")
    form = {"csrf_token": token, "invitation_id": absent.id, "score": "1", "comment": "未到场"}
    form |= {k: "on" for k in records.APPRAISAL_ITEMS if k != "on_time"}
    res = client.post(f"/experts/draws/{item.id}/appraisal", data=form)
    assert res.status_code == 302
    db.session.expire_all()
    saved = db.session.execute(db.select(Appraisal)).scalar_one()
    assert (saved.expert_id, saved.score, saved.checklist["on_time"]) == (
        absent.expert_id,
        1,
        False,
    )
    page = client.get(f"/experts/draws/{item.id}/appraisal").get_data(as_text=True)
    assert absent.expert.name not in page and "已考评：1 分" in page


def test_appraisal_page_is_for_the_requesting_staff_only(client) -> None:  # noqa: ANN001
    w, item = _world()
    inv = _invited(item)[0]
    clock.set_now(EVAL_AT + dt.timedelta(hours=3))
    db.session.commit()
    login(client, inv.expert.user)
    assert client.get(f"/experts/draws/{item.id}/appraisal").status_code == 403
