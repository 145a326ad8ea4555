"""单一来源: the one supplier's response stays sealed until the publicity has run its five
working days and every objection filed during it has been answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.clock import CST
from app.core.extensions import db
from bidding.bids.hold import hold_reason
from bidding.bids.models import Opening
from bidding.documents import objections
from bidding.models import Method
from tests.bidding_docs.world import T0, make_world, upload
from tests.factories import token_headers
from tests.negotiation.world import actions


def test_the_response_is_held_until_the_publicity_ends_without_open_objections(
    client: Any,
) -> None:
    w = make_world()
    upload(w)
    w.lot.project.method = Method.SINGLE_SOURCE
    w.lot.doc_start_at = T0  # the publicity ends at 24:00 of Monday 9 March (CST)
    w.lot.bid_deadline = T0 + dt.timedelta(days=2)
    db.session.commit()

    # after the response deadline but inside the publicity: nothing is opened
    clock.set_now(dt.datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/hall/decrypt", json={}, headers=token_headers(w.staff)
    )
    assert resp.status_code == 409, resp.json
    assert "公示期尚未结束" in resp.json["message"] and "2026-03-09 24:00" in resp.json["message"]
    assert db.session.execute(select(func.count(Opening.id))).scalar_one() == 0
    held = actions("bid.opening_held")
    assert len(held) == 1 and "公示期尚未结束" in held[0][1]["reason"]

    # an objection filed on the last day keeps it held after the publicity
    obj = objections.file_objection(w.lot, w.supplier(), "本单位同样具备原厂维保资质。")
    db.session.commit()
    clock.set_now(dt.datetime(2026, 3, 10, 9, 0, tzinfo=CST))
    assert "1 件异议尚未答复" in hold_reason(w.lot)
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/hall/decrypt", json={}, headers=token_headers(w.staff)
    )
    assert resp.status_code == 409 and "异议尚未答复" in resp.json["message"]
    assert len(actions("bid.opening_held")) == 2

    objections.answer_objection(obj, w.staff, "经核实，仅该供应商具备原厂授权。")
    db.session.commit()
    assert hold_reason(w.lot) == ""


def test_other_methods_are_never_held(app: Any) -> None:
    w = make_world()
    db.session.commit()
    assert hold_reason(w.lot) == ""
