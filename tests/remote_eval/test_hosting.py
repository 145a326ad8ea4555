"""The host's controls, the state machine refusing steps out of order, supervisors' decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from remote_eval import committee, election, hosting
from remote_eval.flow import ORDER
from remote_eval.models import EvalSession, Phase, RequestStatus
from tests.factories import token_headers
from tests.remote_eval.committee_world import CommitteeWorld, active, build, elect, to_election

# action → the phases in which it may run
STEPS: dict[str, tuple[tuple[Phase, ...], Callable[[CommitteeWorld, EvalSession], Any]]] = {
    "identity": (
        (Phase.SIGNIN, Phase.COMMITMENT),
        lambda w, s: committee.confirm_identity(s.members[0], w.venue_staff(s.members[0])),
    ),
    "signin": (
        (Phase.SIGNIN, Phase.COMMITMENT),
        lambda w, s: committee.sign_in(s.members[0], s.members[0].user),
    ),
    "commitment": (
        (Phase.COMMITMENT,),
        lambda w, s: committee.sign_commitment(s.members[0], s.members[0].user, False),
    ),
    "vote": (
        (Phase.ELECTION,),
        lambda w, s: election.cast_vote(s.members[0], s.members[0].user, s.members[0].id),
    ),
    "rep": (
        (Phase.SIGNIN, Phase.COMMITMENT),
        lambda w, s: committee.add_purchaser_rep(s, w.host, w.reps[2], w.base.centre.id),
    ),
    "extend": (ORDER[:-1], lambda w, s: hosting.extend(s, w.host, 10, "网络故障")),
}


def test_every_step_is_refused_in_every_phase_but_its_own() -> None:
    w = build()
    session = w.form()
    for phase in ORDER:
        for _name, (allowed, step) in STEPS.items():
            if phase in allowed:
                continue
            session.phase = phase
            with pytest.raises(Conflict, match="阶段"):
                step(w, session)
            db.session.rollback()


def test_a_paused_session_refuses_every_step_until_resumed() -> None:
    w = build()
    session = w.form()
    with pytest.raises(ValidationError):
        hosting.pause(session, w.host, "  ")
    with pytest.raises(Forbidden):
        hosting.pause(session, w.staff_main, "停电")
    hosting.pause(session, w.host, "主场停电")
    for _name, (_allowed, step) in STEPS.items():
        with pytest.raises(Conflict, match="暂停"):
            step(w, session)
    with pytest.raises(Conflict, match="暂停"):
        hosting.advance(session, w.host)
    hosting.resume(session, w.host)
    with pytest.raises(Conflict, match="没有暂停"):
        hosting.resume(session, w.host)
    member = session.members[0]
    committee.confirm_identity(member, w.venue_staff(member))


def test_extend_moves_the_phase_deadline() -> None:
    w = build()
    session = w.form()
    hosting.extend(session, w.host, 30, "专家迟到")
    first = session.phase_due_at
    hosting.extend(session, w.host, 15, "再延长")
    assert (session.phase_due_at - first).total_seconds() == 15 * 60
    with pytest.raises(ValidationError):
        hosting.extend(session, w.host, 0, "x")


def _in_review(w: CommitteeWorld) -> EvalSession:
    session = w.form()
    to_election(w, session)
    elect(session, active(session)[0])
    hosting.advance(session, w.host)
    db.session.commit()
    assert session.phase == Phase.REVIEW
    return session


def test_approved_rollback_starts_a_new_cycle_and_a_new_election() -> None:
    w = build()
    session = _in_review(w)
    with pytest.raises(ValidationError, match="之前"):
        hosting.request_rollback(session, w.host, Phase.SUMMARY, "错误")
    req = hosting.request_rollback(session, w.host, Phase.ELECTION, "组长回避")
    with pytest.raises(Conflict, match="待监督人员审批"):
        hosting.request_rollback(session, w.host, Phase.ELECTION, "再次")
    for wrong in (w.host, w.supervisor_other, w.staff_second):
        with pytest.raises(Forbidden):
            hosting.decide_request(req, wrong, True, "")
    hosting.decide_request(req, w.supervisor_second, True, "同意")
    db.session.commit()
    assert req.status == RequestStatus.APPROVED and req.new_cycle == 2
    assert session.cycle == 2 and session.phase == Phase.ELECTION and session.leader_id is None
    with pytest.raises(Conflict, match="已经审批"):
        hosting.decide_request(req, w.supervisor_main, False, "驳回")
    elect(session, active(session)[1])
    assert session.leader_id == active(session)[1].id


def test_reopen_goes_back_to_the_review_for_that_bidder() -> None:
    w = build()
    session = _in_review(w)
    with pytest.raises(Conflict, match="复议"):
        hosting.request_reopen(session, w.host, w.bids[0].id, "漏审")
    session.phase = Phase.SUMMARY
    with pytest.raises(ValidationError):
        hosting.request_reopen(session, w.host, 10_000, "漏审")
    req = hosting.request_reopen(session, w.host, w.bids[1].id, "资格证书复核")
    with pytest.raises(ValidationError, match="理由"):
        hosting.decide_request(req, w.supervisor_main, False, "")
    hosting.decide_request(req, w.supervisor_main, True, "")
    assert session.phase == Phase.REVIEW and session.cycle == 2
    assert hosting.reopened_bid_ids(session) == {w.bids[1].id}


def test_refusals_through_the_api_are_answered_and_audited(client) -> None:  # noqa: ANN001
    w = build()
    session = w.form()
    member = session.members[0]
    base = f"/api/v1/evaluations/{session.id}"
    # a step out of order: a vote during sign-in
    resp = client.post(
        f"{base}/votes", json={"candidate_id": member.id}, headers=token_headers(member.user)
    )
    assert resp.status_code == 409 and "签到" in resp.get_json()["message"]
    # a vote by someone not on the committee
    resp = client.post(
        f"{base}/votes", json={"candidate_id": member.id}, headers=token_headers(w.reps[2])
    )
    assert resp.status_code == 403
    # a message to a room one does not belong to / may only watch
    resp = client.post(f"{base}/messages", json={"text": "hi"}, headers=token_headers(w.reps[2]))
    assert resp.status_code == 403
    resp = client.post(
        f"{base}/messages", json={"text": "旁观"}, headers=token_headers(w.supervisor_main)
    )
    assert resp.status_code == 403 and "旁观" in resp.get_json()["message"]
    refused = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "eval.refused").order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert len(refused) == 4 and {r.object_id for r in refused} == {str(session.id)}
    resp = client.post(f"{base}/advance", headers=token_headers(w.host))
    assert resp.status_code == 409 and "尚未签到" in resp.get_json()["message"]


def test_a_committee_through_the_api_from_forming_to_the_review(client) -> None:  # noqa: ANN001
    w = build()
    host = token_headers(w.host)
    venues = [
        {"invitation_id": inv.id, "venue_centre_id": w.base.centre.id, "seat": f"A{n}"}
        for n, inv in enumerate(w.accepted())
    ]
    body = {
        "venues": venues,
        "purchaser_reps": [
            {"user_id": w.reps[0].id, "venue_centre_id": w.base.centre.id, "seat": "R1"}
        ],
    }
    resp = client.post(f"/api/v1/evaluations/lots/{w.lot.id}", json=body, headers=host)
    assert resp.status_code == 201, resp.get_json()
    state = resp.get_json()
    sid = state["id"]
    assert state["phase"] == "signin" and all(m["name"] is None for m in state["members"])
    staff = token_headers(w.staff_main)
    for m in state["members"]:
        r = client.post(f"/api/v1/evaluations/{sid}/members/{m['id']}/identity", headers=staff)
        assert r.status_code == 200, r.get_json()
    session = db.session.get(EvalSession, sid)
    headers = {m.id: token_headers(m.user) for m in session.members}
    for h in headers.values():
        assert client.post(f"/api/v1/evaluations/{sid}/signin", headers=h).status_code == 200
    assert client.post(f"/api/v1/evaluations/{sid}/advance", headers=host).status_code == 200
    for h in headers.values():
        r = client.post(
            f"/api/v1/evaluations/{sid}/commitment", json={"declare_conflict": False}, headers=h
        )
        assert r.status_code == 200
    state = client.post(f"/api/v1/evaluations/{sid}/advance", headers=host).get_json()
    assert state["phase"] == "election" and state["rounds"][0]["open"]
    leader = next(iter(headers))
    for h in headers.values():
        r = client.post(
            f"/api/v1/evaluations/{sid}/votes", json={"candidate_id": leader}, headers=h
        )
        assert r.status_code == 201
    state = client.post(f"/api/v1/evaluations/{sid}/advance", headers=host).get_json()
    assert state["phase"] == "review" and state["leader_id"] == leader
    assert all(m["name"] for m in state["members"])
    r = client.post(
        f"/api/v1/evaluations/{sid}/messages", json={"text": "开始审查"}, headers=headers[leader]
    )
    assert r.status_code == 201
