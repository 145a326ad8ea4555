"""Qualification and compliance review: verdicts, majority votes, dissents, the exit check."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.realtime import RoomEvent
from remote_eval import flow, review
from remote_eval.models import MemberStatus, Phase, Verdict
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld

lowest = rw.lowest


def _verdicts() -> int:
    return db.session.execute(select(func.count(Verdict.id))).scalar_one()


def _events(world: ReviewWorld, kind: str) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(RoomEvent)
        .where(RoomEvent.room == f"eval:{world.session.id}", RoomEvent.kind == kind)
        .order_by(RoomEvent.seq)
    ).scalars()
    return [r.payload for r in rows]


def test_a_fail_needs_a_reason_and_a_member_may_change_their_verdict(lowest: ReviewWorld) -> None:
    s, m1, bid = lowest.session, lowest.members[0], lowest.bids[0]
    with pytest.raises(ValidationError, match="必须填写理由"):
        review.record_verdict(s, m1, bid, "Q1", False, "  ")
    review.record_verdict(s, m1, bid, "Q1", False, "营业执照已过期")
    review.record_verdict(s, m1, bid, "Q1", True, "")  # changed their mind
    db.session.commit()
    assert _verdicts() == 1
    assert _events(lowest, "verdict_recorded")[-1] == {
        "session_id": s.id,
        "member_id": m1.id,
        "bid_id": bid.id,
        "item_id": "Q1",
        "passed": True,
    }
    with pytest.raises(Exception, match="没有审查项"):
        review.record_verdict(s, m1, bid, "NOPE", True, "")


def test_verdict_by_a_non_member_or_a_member_not_signed_in_is_refused(lowest: ReviewWorld) -> None:
    s, bid = lowest.session, lowest.bids[0]
    other = lowest.members[2]
    other.status = MemberStatus.EXPECTED
    db.session.commit()
    with pytest.raises(Forbidden, match="尚未签到"):
        review.record_verdict(s, other, bid, "Q1", True, "")
    with pytest.raises(Forbidden, match="不是本项目评标委员会"):
        review.record_verdict(s, None, bid, "Q1", True, "")  # type: ignore[arg-type]
    db.session.rollback()
    assert _verdicts() == 0


def test_majority_vote_minority_dissent_and_the_exit_check(lowest: ReviewWorld) -> None:
    s, (m1, m2, m3) = lowest.session, lowest.members
    e = lowest.bids[4]
    review.record_verdict(s, m1, e, "K1", False, "投标有效期不足 90 天")
    review.record_verdict(s, m2, e, "K1", False, "有效期 60 天")
    with pytest.raises(Conflict, match="全部表态后"):
        review.decide_by_majority(s, m1, e, "K1")
    review.record_verdict(s, m3, e, "K1", True, "")
    with pytest.raises(Forbidden, match="组长"):
        review.decide_by_majority(s, m2, e, "K1")
    problems = [str(p) for p in flow.exit_problems(s)]
    assert any("投标人E有限公司" in p and "投标有效期" in p for p in problems)
    decision = review.decide_by_majority(s, m1, e, "K1")
    assert decision.passed is False
    db.session.commit()
    assert _events(lowest, "item_decided")[-1]["minority"] == [m3.id]
    with pytest.raises(Conflict, match="不能再更改"):
        review.record_verdict(s, m3, e, "K1", False, "改变意见")
    with pytest.raises(Conflict, match="少数方"):
        review.write_dissent(s, m2, e, "K1", "我同意多数")
    problems = [str(p) for p in flow.exit_problems(s)]
    assert any("书面说明不同意见" in p for p in problems)
    review.write_dissent(s, m3, e, "K1", "投标函载明有效期 90 天，附件笔误不影响实质响应。")
    with pytest.raises(Conflict, match="已就该审查项"):
        review.write_dissent(s, m3, e, "K1", "再说一次")
    review.record_verdict(s, m1, e, "Q1", True, "")
    review.record_verdict(s, m2, e, "Q1", True, "")
    review.record_verdict(s, m3, e, "Q1", True, "")
    passed, reasons = review.bid_outcome(s, e)
    assert passed is False
    assert reasons == ["符合性审查“投标有效期”不通过：投标有效期不足 90 天；有效期 60 天"]
    from tests.remote_eval.review_world import pass_all

    pass_all(lowest, except_bids=(e.id,))
    assert flow.exit_problems(s) == []


def test_a_tie_is_refused_until_a_member_reconsiders(app: Any) -> None:
    from tests.remote_eval.review_world import build_world

    world = build_world("lowest_price", ["100.00"], members=4)
    s, (m1, m2, m3, m4), bid = world.session, world.members, world.bids[0]
    for m, ok in ((m1, True), (m2, True), (m3, False), (m4, False)):
        review.record_verdict(s, m, bid, "Q1", ok, "" if ok else "缺少资质证书")
    with pytest.raises(Conflict, match="各 2 票"):
        review.decide_by_majority(s, m1, bid, "Q1")
    review.record_verdict(s, m4, bid, "Q1", True, "")
    assert review.decide_by_majority(s, m1, bid, "Q1").passed is True


def test_review_refuses_steps_out_of_phase_and_while_paused(lowest: ReviewWorld) -> None:
    s, m1, bid = lowest.session, lowest.members[0], lowest.bids[0]
    s.paused, s.pause_reason = True, "网络故障"
    with pytest.raises(Conflict, match="暂停"):
        review.record_verdict(s, m1, bid, "Q1", True, "")
    s.paused = False
    s.phase = Phase.SCORING
    with pytest.raises(Conflict, match="阶段"):
        review.record_verdict(s, m1, bid, "Q1", True, "")
