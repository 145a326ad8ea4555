"""单一来源: objections to the publicity (reason and supplier) are taken from any supplier
for its ≥5 working days, counted as every period, and refused after with the end date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.errors import TooLate
from app.core.extensions import db
from bidding import clocks
from bidding.documents import objections
from bidding.documents.models import Objection
from bidding.models import LotStatus, Method
from tests.bidding_docs.world import T0, make_world, upload
from tests.factories import token_headers


def _world() -> Any:
    w = make_world()
    upload(w)
    w.lot.project.method = Method.SINGLE_SOURCE
    w.lot.doc_start_at = T0  # the publicity went out on Monday 2 March 2026, 09:00
    db.session.commit()
    return w


def test_the_publicity_window_is_five_working_days() -> None:
    from app.core.clock import WorkCalendar

    calendar = WorkCalendar()
    end = clocks.publicity_objection_end(T0, 5, calendar)
    # Tue 3 … Fri 6, Mon 9 March: the publicity ends at 24:00 of Monday 9 March.
    assert end == dt.datetime(2026, 3, 10, tzinfo=CST)


def test_any_supplier_objects_during_the_publicity_and_the_lot_waits(app: Any) -> None:
    w = _world()
    assert objections.objection_last_moment(w.lot) == dt.datetime(2026, 3, 10, tzinfo=CST)
    clock.set_now(dt.datetime(2026, 3, 9, 23, 59, tzinfo=CST))
    objector = w.supplier()  # never downloaded anything
    obj = objections.file_objection(w.lot, objector, "本单位同样具备该设备的原厂维保资质。")
    db.session.commit()
    assert obj.id is not None and w.lot.status == LotStatus.SUSPENDED


def test_an_objection_after_the_publicity_is_refused_with_its_end(client: Any) -> None:
    w = _world()
    clock.set_now(dt.datetime(2026, 3, 10, 0, 0, tzinfo=CST))
    with pytest.raises(TooLate, match="2026-03-09 24:00"):
        objections.file_objection(w.lot, w.supplier(), "异议")
    db.session.rollback()
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/objections",
        json={"text": "本单位同样具备原厂维保资质。"},
        headers=token_headers(w.supplier()),
    )
    assert resp.status_code == 409 or resp.status_code == 410, resp.json
    assert "单一来源公示期为 5 个工作日" in resp.json["message"]
    assert db.session.execute(select(Objection.id)).first() is None
    assert (
        db.session.execute(
            select(AuditEntry.seq).where(AuditEntry.action == "objection.file")
        ).first()
        is None
    )


def test_a_supplier_objects_on_the_lot_page_without_downloading(client: Any) -> None:
    from tests.factories import csrf_from, login

    w = _world()
    user = w.supplier()
    db.session.commit()
    login(client, user)
    page = client.get(f"/supplier/lots/{w.lot.id}").get_data(as_text=True)
    assert 'data-testid="publicity-objection-hint"' in page and "2026-03-09 24:00" in page
    token = csrf_from(client, f"/supplier/lots/{w.lot.id}")
    resp = client.post(
        f"/supplier/lots/{w.lot.id}/objections",
        data={"text": "本单位同样具备原厂维保资质。", "csrf_token": token},
    )
    assert resp.status_code == 302
    assert db.session.execute(select(Objection.supplier_id)).scalar_one() == user.organisation_id
