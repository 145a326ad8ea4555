"""Scoring: independent first, objective items agreeing, bad scores refused with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from remote_eval import flow, review, scoring
from remote_eval.models import Phase, Score
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld

comprehensive = rw.comprehensive
D = rw.D
URL = "/api/v1/evaluations"


def _count() -> int:
    return db.session.execute(select(func.count(Score.id))).scalar_one()


def scoring_world(world: ReviewWorld) -> ReviewWorld:
    """A passes, B passes, C passes the review (its price is above the ceiling), D fails K1."""
    d = world.bids[3]
    for m in world.members:
        review.record_verdict(world.session, m, d, "K1", False, "投标有效期不足")
    rw.pass_all(world, except_bids=(d.id,))
    for m in world.members:
        review.record_verdict(world.session, m, d, "Q1", True, "")
    db.session.commit()
    rw.move(world, Phase.SCORING)
    return world


def sheet(world: ReviewWorld, member: Any, bid: Any, t1: str, t2: str, c1: str) -> None:
    scoring.save_scores(world.session, member, bid, {"T1": t1, "T2": t2, "C1": c1})
    scoring.submit_sheet(world.session, member, bid)
    db.session.commit()


def test_independent_first_for_members_and_no_values_for_the_host(
    client: Any, comprehensive: ReviewWorld
) -> None:
    w = scoring_world(comprehensive)
    (m1, m2, _m3), a = w.members, w.bids[0]
    scoring.save_scores(w.session, m1, a, {"T1": "30", "T2": "5", "C1": "10"})
    sheet(w, m2, a, "31.5", "5", "10")
    db.session.commit()
    h1 = w.headers(m1.user)
    body = client.get(f"{URL}/{w.session.id}/bids/{a.id}/scores", headers=h1).get_json()
    # m1 has not submitted: sees their own draft only, and that m2 has submitted
    assert body["submitted"] == [m2.id]
    assert body["scores"] == {str(m1.id): {"C1": "10.00", "T1": "30.00", "T2": "5.00"}}
    host = client.get(f"{URL}/{w.session.id}/bids/{a.id}/scores", headers=w.headers(w.host))
    assert host.get_json() == {"bid_id": a.id, "submitted": [m2.id], "scores": {}}
    sup = client.get(f"{URL}/{w.session.id}/bids/{a.id}/scores", headers=w.headers(w.supervisor))
    assert sup.get_json()["scores"] == {}
    resp = client.get(f"{URL}/{w.session.id}/bids/{a.id}/scores", headers=w.headers(w.bidders[0]))
    assert resp.status_code == 403
    assert client.post(f"{URL}/{w.session.id}/bids/{a.id}/sheet", headers=h1).status_code == 201
    body = client.get(f"{URL}/{w.session.id}/bids/{a.id}/scores", headers=h1).get_json()
    assert set(body["scores"]) == {str(m1.id), str(m2.id)}
    assert body["scores"][str(m2.id)]["T1"] == "31.50"
    # the room heard who submitted, never a value
    from app.core.realtime import RoomEvent

    payloads = [
        e.payload
        for e in db.session.execute(
            select(RoomEvent).where(RoomEvent.room == f"eval:{w.session.id}")
        ).scalars()
    ]
    assert {"session_id": w.session.id, "member_id": m1.id, "bid_id": a.id} in payloads
    assert not any("value" in p or "scores" in p or "T1" in p for p in payloads)
    # a frozen sheet
    with pytest.raises(Conflict, match="已提交"):
        scoring.save_scores(w.session, m1, a, {"T1": "40"})


def test_bad_scores_are_refused_naming_the_item_and_nothing_is_written(
    client: Any, comprehensive: ReviewWorld
) -> None:
    w = scoring_world(comprehensive)
    m1, (a, _b, c, d) = w.members[0], w.bids
    h1 = w.headers(m1.user)
    url = f"{URL}/{w.session.id}/bids/{a.id}/scores"
    cases = [
        ({"T1": "41"}, 422, "“技术方案”（T1）的评分 41 无效：应在 0–40 分之间。"),
        (
            {"T1": "30", "T2": "3"},
            422,
            "“实施方案”（T2）的评分 3 无效：应为以下分值之一：0、5、10。",
        ),
        ({"T1": "30.3"}, 422, "应为 0.5 分的整数倍"),
        ({"T1": "-1"}, 422, "应在 0–40 分之间"),
        ({"X9": "1"}, 422, "评分办法中没有评分项“X9”"),
    ]
    for scores, status, message in cases:
        resp = client.put(url, json={"scores": scores}, headers=h1)
        assert resp.status_code == status, resp.get_json()
        assert message in resp.get_json()["message"]
    assert client.put(url, json={"scores": {"T1": "NaN"}}, headers=h1).status_code == 422
    # a bid already out: failed review (D) or price above the ceiling (C)
    resp = client.put(
        f"{URL}/{w.session.id}/bids/{d.id}/scores", json={"scores": {"T1": "1"}}, headers=h1
    )
    assert resp.status_code == 409 and "已被否决" in resp.get_json()["message"]
    resp = client.put(
        f"{URL}/{w.session.id}/bids/{c.id}/scores", json={"scores": {"T1": "1"}}, headers=h1
    )
    assert resp.status_code == 409 and "超过最高限价" in resp.get_json()["message"]
    # a non-member, a member not signed in
    resp = client.put(url, json={"scores": {"T1": "1"}}, headers=w.headers(w.outsider))
    assert resp.status_code == 403 and "不是本项目评标委员会" in resp.get_json()["message"]
    m3 = w.members[2]
    m3.signed_in_at, m3.status = None, rw.MemberStatus.EXPECTED
    db.session.commit()
    resp = client.put(url, json={"scores": {"T1": "1"}}, headers=w.headers(m3.user))
    assert resp.status_code == 403 and "尚未签到" in resp.get_json()["message"]
    # an incomplete sheet
    resp = client.post(f"{URL}/{w.session.id}/bids/{a.id}/sheet", headers=h1)
    assert resp.status_code == 422 and "技术方案" in resp.get_json()["message"]
    assert _count() == 0


def test_score_after_the_summary_is_locked_is_refused(comprehensive: ReviewWorld) -> None:
    w = scoring_world(comprehensive)
    w.session.summary_locked_at = rw.T0
    db.session.commit()
    with pytest.raises(Conflict, match="汇总已锁定"):
        scoring.save_scores(w.session, w.members[0], w.bids[0], {"T1": "1"})
    assert _count() == 0


def test_an_objective_disagreement_blocks_until_the_member_reopens_and_corrects(
    comprehensive: ReviewWorld,
) -> None:
    w = scoring_world(comprehensive)
    (m1, m2, m3), a, b = w.members, w.bids[0], w.bids[1]
    for m in w.members:
        sheet(w, m, b, "38", "10", "20")
    sheet(w, m1, a, "30", "5", "10")
    with pytest.raises(Conflict, match="只有全部评分表提交后"):
        scoring.reopen_sheet(w.session, m1, a)
    sheet(w, m2, a, "31", "10", "10")  # T2 differs: 10 against 5
    sheet(w, m3, a, "32", "5", "10")
    problems = [str(p) for p in flow.exit_problems(w.session)]
    assert problems == ["“投标人A有限公司”的客观分“实施方案”各评委打分不一致。"]
    scoring.reopen_sheet(w.session, m2, a)
    with pytest.raises(Conflict, match="只能修改客观分"):
        scoring.save_scores(w.session, m2, a, {"T1": "35"})
    scoring.save_scores(w.session, m2, a, {"T2": "5"})
    assert [str(p) for p in flow.exit_problems(w.session)] == [
        "“投标人A有限公司”的评分表尚未全部提交。"
    ]
    scoring.submit_sheet(w.session, m2, a)
    db.session.commit()
    assert flow.exit_problems(w.session) == []


def test_two_members_saving_at_once_keep_their_own_rows(comprehensive: ReviewWorld) -> None:
    w = scoring_world(comprehensive)
    (m1, m2, _m3), a = w.members, w.bids[0]
    scoring.save_scores(w.session, m1, a, {"T1": "30"})
    scoring.save_scores(w.session, m2, a, {"T1": "20"})
    db.session.commit()
    given = scoring.scores(w.session, a.id)
    assert given[m1.id]["T1"] == D("30") and given[m2.id]["T1"] == D("20")


def test_a_duplicate_insert_race_answers_409(
    client: Any, comprehensive: ReviewWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = scoring_world(comprehensive)
    m1, a = w.members[0], w.bids[0]
    ids = (w.session.id, w.session.cycle, m1.id, a.id)
    headers = w.headers(m1.user)
    real_clock = scoring.clock

    class RacingClock:
        raced = False

        def now(self) -> dt.datetime:
            # The same member's other tab commits the same score between our read and insert.
            if not self.raced:
                self.raced = True
                with db.engine.begin() as conn:
                    conn.execute(
                        Score.__table__.insert().values(
                            session_id=ids[0],
                            cycle=ids[1],
                            member_id=ids[2],
                            bid_id=ids[3],
                            item_id="T1",
                            value=D("1"),
                            at=real_clock.now(),
                        )
                    )
            return real_clock.now()

    monkeypatch.setattr(scoring, "clock", RacingClock())
    resp = client.put(
        f"{URL}/{w.session.id}/bids/{a.id}/scores", json={"scores": {"T1": "30"}}, headers=headers
    )
    assert resp.status_code == 409, resp.get_json()
    db.session.rollback()
    assert scoring.scores(w.session, a.id)[m1.id]["T1"] == D("1")  # the other write stands


def test_scoring_refuses_a_watcher_acting(comprehensive: ReviewWorld) -> None:
    w = scoring_world(comprehensive)
    with pytest.raises(Forbidden):
        scoring.save_scores(w.session, None, w.bids[0], {"T1": "1"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="至少"):
        scoring.save_scores(w.session, w.members[0], w.bids[0], {})
