"""Clarifications: asked by the committee, seen and answered once by the bidder addressed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core import clock
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from remote_eval import clarifications, review
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld

lowest = rw.lowest
URL = "/api/v1/evaluations"


def _fail_e(w: ReviewWorld) -> None:
    """E fails the compliance review: then F (180 000) is below half the valid average."""
    for m in w.members:
        review.record_verdict(w.session, m, w.bids[4], "K1", False, "未提供投标保证金")
    db.session.commit()


def _ask(client: Any, w: ReviewWorld, bid: Any, **kw: Any) -> Any:
    body = {
        "bid_id": bid.id,
        "question": "请澄清投标文件第 12 页的交货期。",
        "due_at": (rw.T0 + dt.timedelta(hours=1)).isoformat(),
        **kw,
    }
    return client.post(
        f"{URL}/{w.session.id}/clarifications", json=body, headers=w.headers(w.members[0].user)
    )


def test_the_bidder_sees_only_its_own_and_answers_once(client: Any, lowest: ReviewWorld) -> None:
    w = lowest
    a, b = w.bids[0], w.bids[1]
    assert _ask(client, w, a).status_code == 201
    cid_b = _ask(client, w, b).get_json()["id"]
    mine = client.get(f"{URL}/clarifications/mine", headers=w.headers(w.bidders[0])).get_json()
    assert [c["bid_id"] for c in mine] == [a.id]
    assert "asked_by_id" not in mine[0] and mine[0]["lot_code"] == w.lot.code
    assert client.get(f"{URL}/clarifications/mine", headers=w.headers(w.host)).status_code == 403
    # someone else's clarification
    resp = client.post(
        f"{URL}/clarifications/{cid_b}/answer",
        json={"text": "冒答"},
        headers=w.headers(w.bidders[0]),
    )
    assert resp.status_code == 403
    h_b = w.headers(w.bidders[1])
    resp = client.post(
        f"{URL}/clarifications/{cid_b}/answer", json={"text": "交货期 30 天。"}, headers=h_b
    )
    assert resp.status_code == 200
    resp = client.post(
        f"{URL}/clarifications/{cid_b}/answer", json={"text": "改为 20 天。"}, headers=h_b
    )
    assert resp.status_code == 409 and "不能修改" in resp.get_json()["message"]
    # the whole committee reads the answer; the host and supervisors too; other bidders not
    seen = client.get(
        f"{URL}/{w.session.id}/clarifications", headers=w.headers(w.members[2].user)
    ).get_json()
    assert [c["answer"] for c in seen] == [None, "交货期 30 天。"]
    assert (
        client.get(
            f"{URL}/{w.session.id}/clarifications", headers=w.headers(w.supervisor)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"{URL}/{w.session.id}/clarifications", headers=w.headers(w.bidders[0])
        ).status_code
        == 403
    )


def test_an_answer_after_the_deadline_is_refused(client: Any, lowest: ReviewWorld) -> None:
    w = lowest
    cid = _ask(client, w, w.bids[0]).get_json()["id"]
    clock.set_now(rw.T0 + dt.timedelta(hours=1, seconds=1))
    resp = client.post(
        f"{URL}/clarifications/{cid}/answer",
        json={"text": "迟到的答复"},
        headers=w.headers(w.bidders[0]),
    )
    assert resp.status_code == 409 and "截止时间" in resp.get_json()["message"]


def test_bad_questions_and_askers_are_refused(client: Any, lowest: ReviewWorld) -> None:
    w = lowest
    past = (rw.T0 - dt.timedelta(minutes=1)).isoformat()
    resp = _ask(client, w, w.bids[0], due_at=past)
    assert resp.status_code == 422 and "晚于当前时间" in resp.get_json()["message"]
    resp = client.post(
        f"{URL}/{w.session.id}/clarifications",
        json={"bid_id": w.bids[0].id, "question": "?", "due_at": "2026-05-01T00:00:00+08:00"},
        headers=w.headers(w.outsider),
    )
    assert resp.status_code == 403
    # an abnormal-price clarification only for a flagged price (F is once E is out; A never)
    assert clarifications.flagged_low(w.session) == set()  # E's 300 000 still counts
    _fail_e(w)
    resp = _ask(client, w, w.bids[0], kind="abnormal_price")
    assert resp.status_code == 422 and "异常低价" in resp.get_json()["message"]
    assert clarifications.flagged_low(w.session) == {w.bids[5].id}


def test_the_finding_waits_for_the_answer_or_the_deadline(lowest: ReviewWorld) -> None:
    w = lowest
    f, leader = w.bids[5], w.leader
    _fail_e(w)
    item = clarifications.ask(
        w.session,
        w.members[1],
        f,
        "请说明报价的合理性。",
        rw.T0 + dt.timedelta(hours=1),
        "abnormal_price",
    )
    with pytest.raises(Conflict, match="已就该报价发起"):
        clarifications.ask(
            w.session, leader, f, "再问一次", rw.T0 + dt.timedelta(hours=1), "abnormal_price"
        )
    with pytest.raises(Conflict, match="尚未答复"):
        clarifications.judge(item, leader, False)
    clock.set_now(rw.T0 + dt.timedelta(hours=2))
    with pytest.raises(Conflict, match="不能认定其报价合理"):
        clarifications.judge(item, leader, True)
    with pytest.raises(Exception, match="组长"):
        clarifications.judge(item, w.members[1], False)
    clarifications.judge(item, leader, False)
    db.session.commit()
    assert clarifications.is_rejected_low(w.session, f)
    with pytest.raises(ValidationError):
        clarifications.ask(w.session, leader, f, "", rw.T0 + dt.timedelta(hours=3))
