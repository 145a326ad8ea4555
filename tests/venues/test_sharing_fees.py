"""Shared pools: only the shared part of another centre's pool is drawn; fees follow the
home pool's standard or the higher of the two (就高不就低); the fee sheet as CSV and PDF."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.errors import Forbidden, ValidationError
from app.core.extensions import db
from experts import sharing
from experts.models import Expert
from remote_eval.venues import assistance, fees
from tests.experts.world import make_pool
from tests.factories import login
from tests.remote_eval import committee_world as cw
from tests.venues.test_assistance import SPECIALTY, _ask
from tests.venues.world import build


def test_only_the_shared_specialties_of_another_pool_serve() -> None:
    v = build()
    make_pool(v.other, 6, SPECIALTY)
    assistance.mark_remote(v.w.lot, v.w.agency_staff)
    with pytest.raises(Forbidden):
        sharing.set_share(v.w.agency_staff, v.other.id, {"fee_half_day": "300"})
    sharing.set_share(v.other_staff, v.other.id, {"specialties": ["A08.02"], "fee_half_day": "300"})
    with pytest.raises(ValidationError, match="仅剩 0 人"):
        _ask(v)
    sharing.set_share(v.other_staff, v.other.id, {"specialties": ["A08.01"], "fee_half_day": "300"})
    assert _ask(v).expert_count == 2
    with pytest.raises(ValidationError, match="不存在"):
        sharing.set_share(v.other_staff, v.other.id, {"specialties": ["Z99"], "fee_half_day": "1"})


def _session_with_two_experts_from_the_second_centre() -> tuple[cw.CommitteeWorld, object]:
    w = cw.build()
    session = w.form()
    for m in session.members:
        if m.venue_centre_id == w.second.id and m.expert_id:
            db.session.get(Expert, m.expert_id).centre_id = w.second.id  # type: ignore[union-attr]
    db.session.commit()
    return w, session


def test_fees_follow_the_home_pool_or_the_higher_standard(client) -> None:  # type: ignore[no-untyped-def]
    w, _session = _session_with_two_experts_from_the_second_centre()
    sharing.set_share(w.staff_second, w.second.id, {"fee_half_day": "300.00"})
    sharing.set_share(w.staff_main, w.base.centre.id, {"fee_half_day": "500.00"})
    sheet = fees.fee_sheet(w.lot)
    by_centre = sorted((r.home_centre == w.second.name, r.standard, r.higher) for r in sheet.rows)
    assert by_centre == [
        (False, Decimal("500.00"), False),
        (False, Decimal("500.00"), False),
        (True, Decimal("300.00"), False),
        (True, Decimal("300.00"), False),
    ]
    sharing.set_share(
        w.staff_main, w.base.centre.id, {"fee_half_day": "500.00", "pay_higher": True}
    )
    db.session.commit()
    sheet = fees.fee_sheet(w.lot)
    assert {(r.standard, r.higher) for r in sheet.rows if r.home_centre == w.second.name} == {
        (Decimal("500.00"), True)
    }
    assert sheet.total == Decimal("2000.00")  # 4 experts × 1 half day × 500
    login(client, w.base.agency_staff)
    csv = client.get(f"/lots/{w.lot.id}/expert-fees.csv").get_data(as_text=True)
    assert "就高" in csv and "2000.00" in csv
    resp = client.get(f"/lots/{w.lot.id}/expert-fees.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/lots/{w.lot.id}/expert-fees").get_json()["total"] == "2000.00"
    client.get("/logout")
    login(client, w.supervisor_other)
    assert client.get(f"/lots/{w.lot.id}/expert-fees.csv").status_code == 403
