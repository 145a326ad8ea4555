"""A secondary venue hands its records over within 5 working days; reminded, then flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import clock
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from remote_eval.models import Phase
from remote_eval.venues import assistance, handover, jobs
from tests.factories import token_headers
from tests.remote_eval import committee_world as cw


def test_handover_due_in_five_working_days_reminded_and_flagged(client) -> None:  # type: ignore[no-untyped-def]
    w = cw.build()
    assistance.mark_remote(w.lot, w.host)
    session = w.form()
    # The evaluation ends on Tuesday 2026-03-03 (the test setup stands in for the phases).
    session.phase = Phase.DONE
    session.finished_at = clock.now()
    db.session.commit()
    out = jobs.sweep_faults()
    assert out["handovers_opened"] == 1 and out["reminded"] == 0
    (row,) = handover.handovers_of(session)
    # Five working days after Tuesday (not counted): due at the end of the next Tuesday.
    assert clock.to_cst(row.due_at).isoformat() == "2026-03-11T00:00:00+08:00"
    clock.set_now(row.due_at - dt.timedelta(hours=12))
    assert jobs.sweep_faults()["reminded"] == 1
    clock.set_now(row.due_at + dt.timedelta(minutes=1))
    out = jobs.sweep_faults()
    assert out["late"] == 1 and out["reminded"] == 0
    assert jobs.sweep_faults()["late"] == 0
    with pytest.raises(Forbidden):
        handover.hand_over(row, w.staff_main, "签到表扫描件")
    from tests.factories import login

    login(client, w.staff_second)
    wb = client.get("/api/v1/workbench").get_json()
    assert "venues.handovers" in str(wb)
    html = client.get(f"/evaluations/{session.id}/faults").get_data(as_text=True)
    assert "已逾期" in html and "登记移交" in html
    client.get("/logout")
    resp = client.post(
        f"/api/v1/venue-handovers/{row.id}",
        json={"note": "签到表扫描件 2 页、录像 1 份，经政务外网传输"},
        headers=token_headers(w.staff_second),
    )
    assert resp.status_code == 200 and resp.get_json()["late"] is True
    with pytest.raises(Conflict):
        handover.hand_over(row, w.staff_second, "再次移交")
