"""竞争性谈判 in rounds: sealed quotes read at once when the round closes, amendments
between rounds, a supplier dropped, the final quote, and the price the room evaluates."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from app.archive import contents
from app.core.extensions import db
from app.core.notify import Notification
from app.core.rooms import may_join
from remote_eval import flow, summary
from remote_eval.models import Phase
from remote_eval.negotiation.events import NEGO
from remote_eval.negotiation.models import (
    NegotiationDrop,
    NegotiationQuote,
    NegotiationRound,
)
from tests.negotiation import world as nw
from tests.remote_eval import review_world as rw


def _quotes() -> int:
    return db.session.execute(select(func.count(NegotiationQuote.id))).scalar_one()


def test_two_rounds_and_a_final_quote_end_in_the_lowest_final_price(client: Any, app: Any) -> None:
    w = nw.negotiation_world()
    r1 = nw.open_round(w, client)
    assert r1.status_code == 201, r1.json
    assert r1.json["number"] == 1 and not r1.json["final"]
    # every remaining supplier is told in its inbox
    assert db.session.execute(select(func.count(Notification.id))).scalar_one() == 3

    a = nw.quote(w, client, 0, 1, "440000.00")
    assert a.status_code == 201, a.json
    assert set(a.json) == {"round", "sha256", "submitted_at"}
    assert nw.quote(w, client, 1, 1, "425000.00").status_code == 201

    # sealed until the round closes: not in the group's view, the supplier's view, the rows
    # or the audit log
    view = nw.group(w, client).json
    assert view["open_round"]["sealed_count"] == 2
    assert all(s["quotes"] == [] for s in view["suppliers"])
    assert "440000" not in str(view) and "425000" not in str(view)
    own = client.get(f"{nw.URL}/negotiations/{w.bids[0].id}", headers=w.headers(w.bidders[0]))
    assert own.status_code == 200 and own.json["quotes"][0]["price"] is None
    assert own.json["quotes"][0]["sha256"] == a.json["sha256"]
    for row in db.session.execute(select(NegotiationQuote)).scalars():
        assert row.price is None and "440000" not in row.sealed and "425000" not in row.sealed
    assert "440000" not in str(nw.actions("nego.")) and "425000" not in str(nw.actions("nego."))
    # neither the group's page nor the supplier's page shows an amount yet
    page = client.get(f"/evaluations/{w.session.id}/negotiation", headers=w.headers(w.leader.user))
    assert page.status_code == 200 and "440,000" not in page.text and "密封中" in page.text

    closed = nw.close_round(w, client, r1.json["id"])
    assert closed.status_code == 200, closed.json
    view = nw.group(w, client).json
    prices = {s["supplier"]: [q["price"] for q in s["quotes"]] for s in view["suppliers"]}
    assert prices == {
        "投标人A有限公司": ["440000.00"],
        "投标人B有限公司": ["425000.00"],
        "投标人C有限公司": [],
    }
    closing = [d for a_, d in nw.actions("nego.round_closed")]
    assert sorted(q["price"] for q in closing[0]["quotes"]) == ["425000.00", "440000.00"]

    # between rounds: a written amendment to every remaining supplier, C dropped
    before = db.session.execute(select(func.count(Notification.id))).scalar_one()
    amended = client.post(
        f"{nw.URL}/evaluations/{w.session.id}/negotiation/amendments",
        json={"text": "交货期由 60 天缩短为 45 天。"},
        headers=w.headers(w.leader.user),
    )
    assert amended.status_code == 201, amended.json
    after = db.session.execute(select(func.count(Notification.id))).scalar_one()
    assert after - before == 3
    dropped = client.post(
        f"{nw.URL}/evaluations/{w.session.id}/negotiation/drops",
        json={"bid_id": w.bids[2].id, "reason": "不能满足缩短后的交货期。"},
        headers=w.headers(w.leader.user),
    )
    assert dropped.status_code == 201, dropped.json
    supplier_c = client.get(
        f"{nw.URL}/negotiations/{w.bids[2].id}", headers=w.headers(w.bidders[2])
    ).json
    assert supplier_c["dropped"] and supplier_c["amendments"][0]["text"].startswith("交货期")

    # the final quote
    r2 = nw.open_round(w, client, final=True)
    assert r2.status_code == 201 and r2.json["number"] == 2 and r2.json["final"]
    assert nw.quote(w, client, 0, 2, "420000.00").status_code == 201
    assert nw.quote(w, client, 1, 2, "422000.00").status_code == 201
    # the review cannot end before the final quotes are read
    rw.pass_all(w)
    assert any("谈判尚未完成" in str(p) for p in flow.exit_problems(w.session))
    assert nw.close_round(w, client, r2.json["id"]).status_code == 200
    assert flow.exit_problems(w.session) == []

    # the room evaluates the final quotes; the dropped supplier is out with its reason
    _inputs, evaluation = summary.compute(w.session)
    ranked = [(r.name, str(r.price)) for r in evaluation.candidates]
    assert ranked[0] == ("投标人A有限公司", "420000.00")
    c = next(r for r in evaluation.results if r.bid_id == w.bids[2].id)
    assert not c.valid
    assert [a_ for a_, _d in nw.actions("nego.")] == [
        "nego.round_opened",
        "nego.quote_sealed",
        "nego.quote_sealed",
        "nego.round_closed",
        "nego.amended",
        "nego.supplier_dropped",
        "nego.round_opened",
        "nego.quote_sealed",
        "nego.quote_sealed",
        "nego.round_closed",
    ]
    rw.move(w, Phase.SUMMARY)

    # every round, amendment and drop is in the lot's archive, with its audit entries
    files, refs = contents.items(w.lot)
    record = next(f for f in files if f.path == f"evaluation/{w.session.id}/negotiation.json")
    body = json.loads(record.data or b"{}")
    assert [len(r["quotes"]) for r in body["rounds"]] == [2, 2]
    assert body["rounds"][1]["final"] and "420000.00" in str(body["rounds"][1])
    assert body["drops"][0]["reason"] == "不能满足缩短后的交货期。"
    assert body["amendments"][0]["after_round"] == 1
    archived = {e.action for e in contents._entries(refs)}
    assert {"nego.round_closed", "nego.amended", "nego.supplier_dropped"} <= archived


def test_bad_quotes_are_refused_audited_and_leave_nothing(client: Any, app: Any) -> None:
    w = nw.negotiation_world()
    rid = nw.open_round(w, client).json["id"]
    assert nw.quote(w, client, 0, 1, "440000.00").status_code == 201
    saved = _quotes()

    second = nw.quote(w, client, 0, 1, "430000.00")
    assert second.status_code == 409 and "每轮只能报价一次" in second.json["message"]
    foreign = nw.quote(w, client, 1, 1, "1.00", user=w.bidders[0])
    assert foreign.status_code == 403
    outsider = nw.quote(w, client, 1, 1, "1.00", user=w.outsider)
    assert outsider.status_code == 403
    zero = nw.quote(w, client, 1, 1, "0")
    assert zero.status_code == 422 and "大于 0" in zero.json["message"]
    above = nw.quote(w, client, 1, 1, "500000.01")
    assert above.status_code == 422 and "最高限价" in above.json["message"]
    assert _quotes() == saved

    assert nw.close_round(w, client, rid).status_code == 200
    late = nw.quote(w, client, 1, 1, "429000.00")
    assert late.status_code == 409 and "已经结束" in late.json["message"]
    assert _quotes() == saved

    # the group's commands by a non-member or a member who is not the leader
    assert nw.open_round(w, client, user=w.outsider).status_code == 403
    assert nw.open_round(w, client, user=w.members[1].user).status_code == 403
    assert nw.open_round(w, client, user=w.bidders[0]).status_code == 403
    assert db.session.execute(select(func.count(NegotiationRound.id))).scalar_one() == 1
    drop = client.post(
        f"{nw.URL}/evaluations/{w.session.id}/negotiation/drops",
        json={"bid_id": w.bids[2].id, "reason": "x"},
        headers=w.headers(w.members[2].user),
    )
    assert drop.status_code == 403
    assert db.session.execute(select(func.count(NegotiationDrop.id))).scalar_one() == 0

    # a dropped supplier cannot quote in the next round
    client.post(
        f"{nw.URL}/evaluations/{w.session.id}/negotiation/drops",
        json={"bid_id": w.bids[2].id, "reason": "资格不符。"},
        headers=w.headers(w.leader.user),
    )
    nw.open_round(w, client)
    gone = nw.quote(w, client, 2, 2, "400000.00")
    assert gone.status_code == 403 and "资格不符" in gone.json["message"]
    # a quote while no such round exists
    assert nw.quote(w, client, 0, 9, "1.00").status_code == 404

    refused = [d["command"] for a_, d in nw.actions("eval.refused")]
    assert refused.count("negotiation_quote") == 8
    assert refused.count("negotiation_round") == 3
    assert refused.count("negotiation_drop") == 1


def test_rounds_are_not_for_other_methods_and_amendments_wait_for_the_round(
    client: Any, app: Any
) -> None:
    w = rw.build_world("lowest_price", ["1.00", "2.00", "3.00"])
    refused = nw.open_round(w, client)
    assert refused.status_code == 409 and "不进行多轮谈判" in refused.json["message"]
    assert flow.exit_problems(w.session) != []  # (the review's own checks only)

    w2 = nw.negotiation_world()
    nw.open_round(w2, client)
    mid = client.post(
        f"{nw.URL}/evaluations/{w2.session.id}/negotiation/amendments",
        json={"text": "变更"},
        headers=w2.headers(w2.leader.user),
    )
    assert mid.status_code == 409 and "进行中" in mid.json["message"]
    twice = nw.open_round(w2, client)
    assert twice.status_code == 409


def test_each_supplier_talks_with_the_group_alone(client: Any, app: Any) -> None:
    w = nw.negotiation_world()
    room_a = NEGO.name(w.bids[0].id)
    assert may_join(w.bidders[0], room_a)
    assert may_join(w.members[1].user, room_a)
    assert not may_join(w.bidders[1], room_a)
    assert not may_join(w.outsider, room_a)
    assert not may_join(w.supervisor, room_a)

    said = client.post(
        f"{nw.URL}/negotiations/{w.bids[0].id}/messages",
        json={"text": "请说明售后网点的位置。"},
        headers=w.headers(w.members[1].user),
    )
    assert said.status_code == 201 and said.json["from_group"]
    answer = client.post(
        f"{nw.URL}/negotiations/{w.bids[0].id}/messages",
        json={"text": "本市设有两个网点。"},
        headers=w.headers(w.bidders[0]),
    )
    assert answer.status_code == 201 and not answer.json["from_group"]
    intruder = client.post(
        f"{nw.URL}/negotiations/{w.bids[0].id}/messages",
        json={"text": "冒充"},
        headers=w.headers(w.bidders[1]),
    )
    assert intruder.status_code == 403
    mine = client.get(f"{nw.URL}/negotiations/{w.bids[0].id}", headers=w.headers(w.bidders[0]))
    assert [m["text"] for m in mine.json["messages"]] == [
        "请说明售后网点的位置。",
        "本市设有两个网点。",
    ]
    other = client.get(f"{nw.URL}/negotiations/{w.bids[1].id}", headers=w.headers(w.bidders[1]))
    assert other.json["messages"] == []
    assert (
        client.get(
            f"{nw.URL}/negotiations/{w.bids[0].id}", headers=w.headers(w.bidders[1])
        ).status_code
        == 403
    )


def test_consultation_scores_the_final_quotes(client: Any, app: Any) -> None:
    """竞争性磋商: the same rounds; the comprehensive scoring's price is the final quote."""
    from bidding.models import Method

    w = nw.negotiation_world(Method.CONSULTATION, "comprehensive")
    before = [i.price for i in summary.bidder_inputs(w.session)]
    assert [str(p) for p in before] == ["450000.00", "430000.00", "480000.00"]
    rid = nw.open_round(w, client, final=True).json["id"]
    for i, price in enumerate(("441000.00", "436000.00", "470000.00")):
        assert nw.quote(w, client, i, 1, price).status_code == 201
    # sealed: the room still evaluates the opened prices until the close
    assert [i.price for i in summary.bidder_inputs(w.session)] == before
    assert nw.close_round(w, client, rid).status_code == 200
    after = [str(i.price) for i in summary.bidder_inputs(w.session)]
    assert after == ["441000.00", "436000.00", "470000.00"]
    assert all(i.passed for i in summary.bidder_inputs(w.session))


def test_a_supplier_with_a_round_to_quote_has_it_on_its_workbench(client: Any, app: Any) -> None:
    w = nw.negotiation_world()

    def todo() -> str:
        resp = client.get("/api/v1/workbench", headers=w.headers(w.bidders[0]))
        assert resp.status_code == 200
        return json.dumps(resp.json, ensure_ascii=False)

    assert "谈判报价" not in todo()
    nw.open_round(w, client)
    assert "提交第 1 轮谈判报价" in todo()
    assert nw.quote(w, client, 0, 1, "440000.00").status_code == 201
    assert "谈判报价" not in todo()
