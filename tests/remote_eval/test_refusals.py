"""Refused attempts against an evaluation: a 4xx in the caller's language, the room
untouched, and exactly one `eval.refused` audit entry each, whichever API refused it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from remote_eval import actions, clarifications, committee
from remote_eval.models import Phase, Score, Verdict
from tests.factories import token_headers
from tests.remote_eval.committee_world import active, build, to_election
from tests.remote_eval.review_world import ReviewWorld, build_world, move, pass_all


def _refused() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == actions.REFUSED).order_by(AuditEntry.seq)
    ).scalars()
    return [{"actor": e.actor_id, "session": e.object_id, **json.loads(e.data)} for e in rows]


def _once(client: Any, method: str, url: str, user: Any, status: int, **kw: Any) -> dict[str, Any]:
    """Call, expect `status`, and return the one refusal entry the call left."""
    before = len(_refused())
    resp = client.open(url, method=method, headers=token_headers(user), **kw)
    assert resp.status_code == status, resp.get_data(as_text=True)
    after = _refused()
    assert len(after) == before + 1, after[before:]
    entry = after[-1]
    assert entry["actor"] == user.id
    assert entry["message"] == resp.get_json()["message"]
    return {**entry, "answer": resp.get_json()["message"]}


def _world() -> ReviewWorld:
    return build_world("comprehensive", ["800000.00", "900000.00", "950000.00"])


def test_review_refusals_each_audited_once(client: Any, app: Any) -> None:
    w = _world()
    sid, bid = w.session.id, w.bids[0].id
    verdict = f"/api/v1/evaluations/{sid}/bids/{bid}/verdicts/Q1"
    # a non-member
    e = _once(client, "PUT", verdict, w.outsider, 403, json={"passed": True})
    assert e["command"] == "verdict" and e["session"] == str(sid) and "不是" in e["answer"]
    # input the schema refuses, before any command runs
    e = _once(client, "PUT", verdict, w.members[0].user, 422, json={"reason": "x"})
    assert e["error"] == "invalid" and "VerdictResource" in e["command"]
    # a step out of order: scores during the review
    scores = f"/api/v1/evaluations/{sid}/bids/{bid}/scores"
    e = _once(client, "PUT", scores, w.members[0].user, 409, json={"scores": {"T1": "30"}})
    assert e["command"] == "scores" and e["error"] == "conflict"
    # the leader's majority call where nobody disagrees
    decide = f"/api/v1/evaluations/{sid}/bids/{bid}/items/K1/decision"
    assert _once(client, "POST", decide, w.members[1].user, 403)["command"] == "decision"
    assert db.session.scalar(select(func.count()).select_from(Verdict)) == 0


def test_scoring_refusals_in_the_callers_language(client: Any, app: Any) -> None:
    w = _world()
    pass_all(w)
    move(w, Phase.SCORING)
    sid, bid = w.session.id, w.bids[0].id
    scores = f"/api/v1/evaluations/{sid}/bids/{bid}/scores"
    e = _once(
        client, "PUT", scores + "?lang=en", w.members[0].user, 422, json={"scores": {"T1": "41"}}
    )
    assert e["command"] == "scores" and "must be between 0 and 40" in e["answer"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in e["answer"].replace("技术方案", ""))
    e = _once(client, "PUT", scores, w.members[0].user, 422, json={"scores": {"T2": "7"}})
    assert "T2" in e["answer"]
    assert db.session.scalar(select(func.count()).select_from(Score)) == 0
    # a verdict after the review is over
    verdict = f"/api/v1/evaluations/{sid}/bids/{bid}/verdicts/Q1"
    e = _once(client, "PUT", verdict, w.members[0].user, 409, json={"passed": False})
    assert e["command"] == "verdict"
    # a sheet submitted with nothing in it, and the summary read by an outsider
    assert (
        _once(client, "POST", scores.replace("scores", "sheet"), w.members[1].user, 422)["command"]
        == "sheet"
    )
    summary = f"/api/v1/evaluations/{sid}/summary"
    assert _once(client, "GET", summary, w.outsider, 403)["command"] == "summary_read"


def test_a_clarification_answered_by_another_bidder(client: Any, app: Any) -> None:
    w = _world()
    item = clarifications.ask(
        w.session, w.members[0], w.bids[0], "请说明交货期", clock.now() + dt.timedelta(hours=2)
    )
    db.session.commit()
    url = f"/api/v1/evaluations/clarifications/{item.id}/answer"
    e = _once(client, "POST", url, w.bidders[1], 403, json={"text": "不是我的澄清"})
    assert e["command"] == "answer" and e["session"] == str(w.session.id)
    missing = "/api/v1/evaluations/clarifications/999999/answer"
    e = _once(client, "POST", missing, w.bidders[0], 404, json={"text": "答复"})
    assert e["command"] == "answer" and e["session"] == ""


def test_election_refusals_second_vote_and_out_of_order(client: Any, app: Any) -> None:
    w = build()
    session = w.form()
    members = active(session)
    url = f"/api/v1/evaluations/{session.id}/votes"
    e = _once(client, "POST", url, members[0].user, 409, json={"candidate_id": members[0].id})
    assert e["command"] == "vote" and "阶段" in e["answer"]
    to_election(w, session)
    ok = client.post(
        url, json={"candidate_id": members[1].id}, headers=token_headers(members[0].user)
    )
    assert ok.status_code == 201
    e = _once(client, "POST", url, members[0].user, 409, json={"candidate_id": members[2].id})
    assert e["command"] == "vote"
    e = _once(client, "POST", url, w.supervisor_main, 403, json={"candidate_id": members[2].id})
    assert e["command"] == "vote"
    # the host's step out of order: the election cannot end without a leader
    advance = f"/api/v1/evaluations/{session.id}/advance"
    assert _once(client, "POST", advance, w.host, 409)["command"] == "advance"
    assert committee.get_session(session.id).phase == Phase.ELECTION


def test_report_and_signing_refusals(client: Any, app: Any) -> None:
    w = _world()
    sid = w.session.id
    e = _once(client, "POST", f"/api/v1/evaluations/{sid}/report", w.members[0].user, 403)
    assert e["command"] == "report"
    e = _once(
        client,
        "POST",
        f"/api/v1/evaluations/{sid}/report/refusal",
        w.members[0].user,
        409,
        json={"text": "不同意"},
    )
    assert e["command"] == "signature_refusal"
