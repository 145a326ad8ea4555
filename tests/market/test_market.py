"""The services market through its services: joining, qualifications, selection methods,
award, contract, completion, ratings and credit; every refusal with its reason."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from app.core.realtime import RoomEvent
from app.market import actions, agencies, auction, exits, needs, ratings, selection
from app.market.models import AgencyStatus, Bid, NeedStatus
from tests.market.world import START, add_agency, build, post

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world() -> Any:
    clock.set_now(START)
    return build()


def _actions(name: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == name).order_by(AuditEntry.seq)
        ).scalars()
    )


def test_a_qualified_agency_is_listed_and_its_expired_type_is_hidden(world: Any) -> None:
    short = add_agency(9, valid_days=3)
    db.session.commit()
    assert short.organisation_id in [p.org_id for p in agencies.directory(type_code="ZX01")]
    assert agencies.directory(q="机构9")[0].org.name == "测试中介机构9有限公司"
    clock.set_now(START + dt.timedelta(days=4))
    assert agencies.sweep_validity() == 1
    listed = [p.org_id for p in agencies.directory(type_code="ZX01")]
    assert short.organisation_id not in listed and world.agencies[0].organisation_id in listed
    assert _actions(actions.SERVICES_LISTED)


def test_registration_checks_the_credit_code_and_refuses_a_second_one(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        agencies.register_agency(
            name="某机构",
            credit="911100000000000000",
            username="x-agency",
            password="p" * 12,
            contact_name="甲",
            email="a@example.cn",
        )
    assert exc.value.field == "credit_code"
    code = world.agencies[0].organisation.credit_code
    with pytest.raises(Conflict):
        agencies.register_agency(
            name="某机构",
            credit=code,
            username="y-agency",
            password="p" * 12,
            contact_name="甲",
            email="a@example.cn",
        )


def test_a_government_commissioned_service_cannot_be_chosen_directly(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        post(world, "direct", gov_commissioned=True)
    assert "竞争方式" in str(exc.value.message)
    need = post(world, "direct")
    first = world.agencies[0].organisation_id
    with pytest.raises(ValidationError):
        needs.choose_directly(world.buyer, need, first, "90000", "  ")
    needs.choose_directly(world.buyer, need, first, "90000", "长期合作、熟悉项目")
    db.session.commit()
    assert need.status == NeedStatus.AWARDED and need.winner_org_id == first
    assert need.price == Decimal("90000.00")


def test_the_auction_bids_downward_extends_on_a_late_bid_and_closes_on_the_server_clock(
    world: Any,
) -> None:
    a, b, c = world.agencies
    need = post(world)
    with pytest.raises(TooEarly):
        auction.place_bid(a, need.id, "99000")
    clock.set_now(START + dt.timedelta(minutes=11))
    with pytest.raises(ValidationError):  # above the ceiling (the budget)
        auction.place_bid(a, need.id, "100000.01")
    auction.place_bid(a, need.id, "99000")
    db.session.commit()
    with pytest.raises(ValidationError) as exc:  # must beat the best by the step
        auction.place_bid(b, need.id, "98500")
    assert "1000" in str(exc.value.message)
    auction.place_bid(b, need.id, "98000")
    db.session.commit()
    state_a = auction.state_for(a, needs.get_need(need.id))
    assert state_a["best"] == "98000.00" and state_a["my_rank"] == 2 and state_a["bidders"] == 2
    assert "org" not in json.dumps(state_a).replace("my_", "")
    # A bid in the last five minutes moves the close to five minutes after it.
    late = START + dt.timedelta(minutes=37)
    clock.set_now(late)
    auction.place_bid(a, need.id, "97000")
    db.session.commit()
    need = needs.get_need(need.id)
    assert need.closes_at == late + dt.timedelta(minutes=5) and need.extensions == 1
    assert need.planned_close_at == START + dt.timedelta(minutes=40)
    assert _actions(actions.AUCTION_EXTENDED)
    # Past the planned close but before the extended one: still open.
    clock.set_now(START + dt.timedelta(minutes=41))
    auction.place_bid(b, need.id, "96000")
    db.session.commit()
    need = needs.get_need(need.id)
    assert need.extensions == 2
    clock.set_now(need.closes_at + dt.timedelta(seconds=1))
    with pytest.raises(TooLate):
        auction.place_bid(a, need.id, "90000")
    assert auction.close_due() == 1
    need = needs.get_need(need.id)
    assert need.status == NeedStatus.CLOSED
    # Every event of the room is anonymous and replays to the stored bids.
    events = list(
        db.session.execute(
            select(RoomEvent)
            .where(RoomEvent.room == auction.AUCTION.name(need.id))
            .order_by(RoomEvent.seq)
        ).scalars()
    )
    assert [e.kind for e in events] == ["bid", "bid", "bid", "bid", "closed"]
    assert all("org" not in json.dumps(e.payload) for e in events)
    assert auction.replay_check(need)
    refused = _actions(actions.BID_REFUSED)
    assert len(refused) == 4
    # The lowest qualified price wins when the buyer confirms.
    needs.confirm_auction(world.buyer, need)
    db.session.commit()
    assert need.winner_org_id == b.organisation_id and need.price == Decimal("96000.00")
    assert c.organisation_id not in [x.org_id for x in db.session.execute(select(Bid)).scalars()]


def test_a_suspended_or_expired_agency_cannot_bid(world: Any) -> None:
    a, b, _c = world.agencies
    need = post(world)
    clock.set_now(START + dt.timedelta(minutes=11))
    exits.set_status(
        world.admin, agencies.get_profile(a.organisation_id), AgencyStatus.SUSPENDED, "严重失信"
    )
    db.session.commit()
    with pytest.raises(Forbidden) as exc:
        auction.place_bid(a, need.id, "99000")
    assert "暂停" in str(exc.value.message)
    weak = add_agency(8, level=3)
    db.session.commit()
    with pytest.raises(Forbidden):  # 丙级 below the 乙级 asked for
        auction.place_bid(weak, need.id, "99000")
    short = add_agency(7, valid_days=0)
    db.session.commit()
    clock.set_now(START + dt.timedelta(days=1, minutes=-1))
    need2 = post(world, starts_at=clock.now(), closes_at=clock.now() + dt.timedelta(hours=1))
    with pytest.raises(Forbidden) as exc:
        auction.place_bid(short, need2.id, "99000")
    assert "资质" in str(exc.value.message)
    auction.place_bid(b, need2.id, "99000")


def test_completion_rating_one_reply_and_credit(world: Any) -> None:
    need = post(world, "direct")
    org = world.agencies[0].organisation_id
    needs.choose_directly(world.buyer, need, org, "80000", "紧急")
    with pytest.raises(Conflict):
        needs.record_completion(world.buyer, need, "")
    needs.upload_contract(world.buyer, need, io.BytesIO(b"contract"), "合同.pdf")
    with pytest.raises(Conflict):
        ratings.rate(world.buyer, need, dict.fromkeys(ratings.SCORES, 5))
    needs.record_completion(world.buyer, need, "按期完成")
    with pytest.raises(Forbidden):
        ratings.rate(world.agencies[1], need, dict.fromkeys(ratings.SCORES, 5))
    row = ratings.rate(world.buyer, need, {"quality": 5, "timeliness": 5, "fee": 4, "conduct": 4})
    db.session.commit()
    with pytest.raises(Conflict):
        ratings.rate(world.buyer, need, dict.fromkeys(ratings.SCORES, 1))
    # 60 + 2 × 1 completed + 10 × (4.5 − 3)
    assert agencies.get_profile(org).credit_score == 77
    with pytest.raises(Forbidden):
        ratings.reply(world.agencies[1], row, "谢谢")
    ratings.reply(world.agencies[0], row, "感谢评价")
    with pytest.raises(Conflict):
        ratings.reply(world.agencies[0], row, "再次回复")


def test_a_random_selection_verifies_with_the_draw_verifier(
    app: Any, world: Any, tmp_path: Path
) -> None:
    need = post(world, "random", gov_commissioned=True)
    needs.sign_up(world.agencies[0], need)
    with pytest.raises(ValidationError):
        selection.run_draw(world.buyer, need)
    needs.sign_up(world.agencies[1], need)
    needs.sign_up(world.agencies[2], need)
    item = selection.run_draw(world.buyer, need)
    db.session.commit()
    assert need.status == NeedStatus.AWARDED
    assert need.winner_org_id == item.result[0]["invited"][0]
    assert all(ok for _n, ok in selection.verify(item))
    runner = app.test_cli_runner()
    out = runner.invoke(args=["market", "verify-draw", str(need.id)])
    assert out.exit_code == 0 and "MATCH" in out.output, out.output
    record = json.loads(runner.invoke(args=["market", "export-draw", str(need.id)]).output)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record, ensure_ascii=False))
    ok = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "MATCH" in ok.stdout, ok.stdout + ok.stderr
    others = [i for i in record["eligible"][0] if i != need.winner_org_id]
    record["result"][0]["invited"] = [others[0]]
    path.write_text(json.dumps(record, ensure_ascii=False))
    bad = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
