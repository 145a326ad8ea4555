"""Worked examples end to end through the services, ranked by hand (arithmetic in comments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from remote_eval import clarifications, flow, review, summary
from remote_eval.models import Phase
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld
from tests.remote_eval.test_scoring import scoring_world, sheet

comprehensive = rw.comprehensive
lowest = rw.lowest
URL = "/api/v1/evaluations"


def rows(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"][3]: r for r in table["bidders"]}  # "投标人A有限公司" → "A"


# 综合评分法, weight 30, ceiling 1 000 000.00, members m1 m2 m3
#   A 800 000.00; B 1 000 000.00 (at the ceiling: valid); C 1 000 000.01 → above the
#   ceiling, rejected; D failed the compliance item 投标有效期.
# Base price = lowest valid = 800 000: A 30.00; B 800 000 / 1 000 000 × 30 = 24.00.
# A: T1 30, 31.5, 10; T2 5 each; C1 10 each.
#   T1 mean = 71.5 / 3 = 23.83; limit 0.2 × 40 = 8; m3 is 13.83 away → dispersion alert.
#   technical = (35 + 36.5 + 15) / 3 = 86.5 / 3 = 28.83; commercial 10.00;
#   total = 28.83 + 10.00 + 30.00 = 68.83
# B: T1 38, 39, 40; T2 10; C1 20 → technical (48 + 49 + 50) / 3 = 49.00, commercial
#   20.00, total = 49 + 20 + 24 = 93.00
# Ranking: B 1, A 2.
def test_comprehensive_end_to_end(client: Any, comprehensive: ReviewWorld) -> None:
    w = scoring_world(comprehensive)
    (m1, m2, m3), (a, b, _c, _d) = w.members, w.bids
    sheet(w, m1, a, "30", "5", "10")
    sheet(w, m2, a, "31.5", "5", "10")
    sheet(w, m3, a, "10", "5", "10")
    for m, t1 in zip(w.members, ("38", "39", "40"), strict=True):
        sheet(w, m, b, t1, "10", "20")
    rw.move(w, Phase.SUMMARY)
    table = summary.summary_table(w.session, w.host)
    r = rows(table)
    assert (r["A"]["technical"], r["A"]["commercial"], r["A"]["price_score"], r["A"]["total"]) == (
        "28.83",
        "10.00",
        "30.00",
        "68.83",
    )
    assert (r["B"]["technical"], r["B"]["price_score"], r["B"]["total"]) == (
        "49.00",
        "24.00",
        "93.00",
    )
    assert r["A"]["spread"] == {"T1": "21.50", "T2": "0.00", "C1": "0.00"}
    assert r["A"]["members"][str(m3.id)]["total"] == "25.00"
    assert r["A"]["dispersion_alerts"] == [
        {"item_id": "T1", "member_id": m3.id, "justified": False}
    ]
    assert r["C"]["rejected_reason"] == "报价 1000000.01 元超过最高限价 1000000.00 元。"
    assert r["D"]["rejected_reason"] == "符合性审查“投标有效期”不通过：投标有效期不足"
    assert (r["B"]["rank"], r["A"]["rank"], r["C"]["rank"]) == (1, 2, None)
    assert table["candidates"] == [b.id, a.id]
    # the lock waits for the justification
    with pytest.raises(Conflict, match="偏离提示尚未说明理由"):
        summary.lock_summary(w.session, m1)
    with pytest.raises(Conflict, match="未触发偏离提示"):
        summary.write_justification(w.session, m1, a.id, "T1", "无")
    with pytest.raises(Forbidden, match="组长"):
        summary.lock_summary(w.session, m3)
    resp = client.post(
        f"{URL}/{w.session.id}/justifications",
        json={"bid_id": a.id, "item_id": "T1", "text": "技术方案未响应第 3.2 条关键指标。"},
        headers=w.headers(m3.user),
    )
    assert resp.status_code == 201, resp.get_json()
    resp = client.post(f"{URL}/{w.session.id}/summary/lock", headers=w.headers(m1.user))
    assert resp.status_code == 200, resp.get_json()
    db.session.refresh(w.session)
    assert w.session.summary_locked_at is not None
    assert flow.exit_problems(w.session) == []
    resp = client.get(f"{URL}/{w.session.id}/summary", headers=w.headers(w.supervisor))
    assert resp.get_json()["candidates"] == [b.id, a.id]
    resp = client.get(f"{URL}/{w.session.id}/summary", headers=w.headers(w.bidders[0]))
    assert resp.status_code == 403
    resp = client.put(
        f"{URL}/{w.session.id}/bids/{a.id}/scores",
        json={"scores": {"T1": "1"}},
        headers=w.headers(m1.user),
    )
    assert resp.status_code == 409 and "汇总已锁定" in resp.get_json()["message"]


def lowest_review(w: ReviewWorld) -> None:
    e = w.bids[4]
    for m in w.members:
        review.record_verdict(w.session, m, e, "K1", False, "未提供投标保证金")
        review.record_verdict(w.session, m, e, "Q1", True, "")
    rw.pass_all(w, except_bids=(e.id,))
    rw.move(w, flow.next_phase(w.session))  # no scored items: straight to the summary
    assert w.session.phase == Phase.SUMMARY


# 最低评标价法, ceiling 500 000: A 450 000 (10:00), B 430 000 (10:05), C 430 000 (09:50),
# D 510 000 → above the ceiling; E failed the compliance item; F 180 000.
# Valid: A B C F, average 1 490 000 / 4 = 372 500, threshold × 0.5 = 186 250: F is
# abnormally low and must explain before its price counts.
# Explained: F 1, C 2 (tie with B at 430 000: C submitted earlier), B 3, A 4.
# Not explained: F rejected; C 1, B 2, A 3.
@pytest.mark.parametrize("accepted", [True, False])
def test_lowest_price_end_to_end(client: Any, lowest: ReviewWorld, accepted: bool) -> None:
    w = lowest
    lowest_review(w)
    a, b, c, d, e, f = w.bids
    leader = w.leader
    table = summary.summary_table(w.session, leader.user)
    assert rows(table)["F"]["price_pending"] is True and table["candidates"] == []
    with pytest.raises(Conflict, match="异常低价尚未澄清"):
        summary.lock_summary(w.session, leader)
    due = rw.T0 + dt.timedelta(hours=2)
    resp = client.post(
        f"{URL}/{w.session.id}/clarifications",
        json={
            "bid_id": f.id,
            "question": "请说明报价明显低于其他报价的合理性，并提供成本构成。",
            "due_at": due.isoformat(),
            "kind": "abnormal_price",
        },
        headers=w.headers(w.members[1].user),
    )
    assert resp.status_code == 201, resp.get_json()
    cid = resp.get_json()["id"]
    resp = client.post(
        f"{URL}/clarifications/{cid}/answer",
        json={"text": "我公司为生产厂家，无中间环节，成本构成见附件。"},
        headers=w.headers(w.bidders[5]),
    )
    assert resp.status_code == 200, resp.get_json()
    resp = client.post(
        f"{URL}/clarifications/{cid}/finding",
        json={"accepted": accepted},
        headers=w.headers(leader.user),
    )
    assert resp.status_code == 200, resp.get_json()
    table = summary.summary_table(w.session, leader.user)
    r = rows(table)
    assert r["D"]["rejected_reason"] == "报价 510000.00 元超过最高限价 500000.00 元。"
    assert r["E"]["rejected_reason"] == "符合性审查“投标有效期”不通过：未提供投标保证金"
    if accepted:
        assert table["candidates"] == [f.id, c.id, b.id]
        assert [r[k]["rank"] for k in "ABCDEF"] == [4, 3, 2, None, None, 1]
    else:
        assert r["F"]["rejected_reason"] == (
            "报价低于有效报价平均值的 50%（异常低价），且未能说明其合理性。"
        )
        assert table["candidates"] == [c.id, b.id, a.id]
    summary.lock_summary(w.session, leader)
    db.session.commit()
    assert clarifications.pending_abnormal(w.session) == []
    assert flow.exit_problems(w.session) == []
