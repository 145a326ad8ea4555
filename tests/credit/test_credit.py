"""Credit records: the 失信 rule, the bar on documents and bids, experts kept out of draws,
the public list, JSON and CSV, and refused attempts audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.credit import records
from app.credit.models import CreditRecord
from bidding.documents.models import DocumentDownload
from experts import draws
from experts.models import CreditEntry
from experts.models import CreditKind as ExpertKind
from tests.bidding_docs.world import make_world, upload
from tests.experts.world import build_world, make_expert, make_pool, request
from tests.factories import make_org, make_user, token_headers

BAN = {
    "kind": "blacklist",
    "authority": "测试市财政局",
    "basis": "《政府采购法》第七十七条；测财采罚〔2026〕3号",
    "result": "禁止参加政府采购活动两年",
}


def _refusals(action: str = "participation.refused") -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(r.data) for r in rows]


def test_blacklist_needs_a_basis_and_an_end_one_to_three_years_on(client: Any) -> None:
    w = make_world()
    org = make_org(OrgKind.SUPPLIER)
    start = dt.date(2026, 3, 2)
    with pytest.raises(ValidationError, match="依据"):
        records.add_supplier_record(w.supervisor, org, BAN | {"basis": " "})
    with pytest.raises(ValidationError, match="截止日期"):
        records.add_supplier_record(w.supervisor, org, BAN | {"start_date": start})
    for end in (dt.date(2027, 2, 28), dt.date(2029, 3, 2)):  # under a year, over three
        with pytest.raises(ValidationError, match="1–3 年") as err:
            records.add_supplier_record(
                w.supervisor, org, BAN | {"start_date": start, "end_date": end}
            )
        assert "2027-03-01" in str(err.value.message) and "2029-03-01" in str(err.value.message)
    for bounds in (dt.date(2027, 3, 1), dt.date(2029, 3, 1)):
        item = records.add_supplier_record(
            w.supervisor, org, BAN | {"start_date": start, "end_date": bounds}
        )
        # ends at 24:00 China time of its last day
        assert clock.to_cst(item.end_at).date() == bounds + dt.timedelta(days=1)
    # an ordinary bad-conduct record needs no end
    records.add_supplier_record(w.supervisor, org, BAN | {"kind": "bad", "basis": ""})
    # over the API: refused with the message, nothing written
    before = db.session.execute(select(func.count()).select_from(CreditRecord)).scalar_one()
    db.session.commit()
    resp = client.post(
        "/api/v1/credit/records",
        json=BAN | {"organisation_id": org.id},
        headers=token_headers(w.supervisor),
    )
    assert resp.status_code == 422 and "截止日期" in resp.json["message"]
    assert db.session.execute(select(func.count()).select_from(CreditRecord)).scalar_one() == before


def test_only_supervisors_enter_records_and_only_for_suppliers(client: Any) -> None:
    w = make_world()
    supplier = make_org(OrgKind.SUPPLIER)
    with pytest.raises(Forbidden):
        records.add_supplier_record(w.staff, supplier, BAN)
    with pytest.raises(ValidationError, match="供应商"):
        records.add_supplier_record(w.supervisor, w.agency, BAN | {"end_date": "2028-01-01"})
    db.session.commit()
    resp = client.post(
        "/api/v1/credit/records",
        json=BAN | {"organisation_id": supplier.id, "end_date": "2028-01-01"},
        headers=token_headers(w.staff),
    )
    assert resp.status_code == 403


def test_banned_supplier_is_refused_the_documents_and_the_refusal_is_audited(client: Any) -> None:
    w = make_world()
    upload(w)
    user = w.supplier()
    item = records.add_supplier_record(
        w.supervisor, user.organisation, BAN | {"end_date": "2028-06-30"}
    )
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(user))
    assert resp.status_code == 403
    message = resp.json["message"]
    assert "测试市财政局" in message and "失信" in message and "2028-06-30（含当日）" in message
    assert db.session.execute(select(func.count()).select_from(DocumentDownload)).scalar_one() == 0
    (entry,) = _refusals()
    assert entry["activity"] == "download" and entry["lot_id"] == w.lot.id
    assert entry["bars"][0]["source"] == f"credit_record:{item.id}"
    # lifted (信用修复): the supplier may download again, the record stays published
    records.lift(w.supervisor, item, "信用修复决定书 测财信修〔2026〕1号")
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(user))
    assert resp.status_code == 200
    with pytest.raises(Conflict):
        records.lift(w.supervisor, item, "again")
    listed = client.get("/api/v1/credit/records").json
    assert listed[0]["lifted_at"] and listed[0]["in_force"] is False


def test_ban_ends_with_its_period(client: Any) -> None:
    w = make_world()
    upload(w)
    user = w.supplier()
    records.add_supplier_record(
        w.supervisor,
        user.organisation,
        BAN | {"start_date": "2025-01-01", "end_date": "2026-03-01"},
    )
    db.session.commit()
    # T0 is 2026-03-02: the ban ended at 24:00 of 2026-03-01
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(user))
    assert resp.status_code == 200


def test_banned_supplier_cannot_bid_and_is_told_until_when(client: Any) -> None:
    from bidding.bids.eligibility import ensure_can_bid

    w = make_world()
    user = w.supplier()
    records.add_supplier_record(w.supervisor, user.organisation, BAN | {"end_date": "2027-12-31"})
    db.session.commit()
    with pytest.raises(Conflict, match="2027-12-31"):
        ensure_can_bid(w.lot, user)
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/uploads", json={"size": 10}, headers=token_headers(user)
    )
    assert resp.status_code == 409 and "测试市财政局" in resp.json["message"]
    assert [e["activity"] for e in _refusals()] == ["bid"]


def test_expert_blacklist_goes_into_the_pool_record_and_keeps_them_out_of_draws() -> None:
    w = build_world()
    make_pool(w.centre, 7)
    banned = make_expert(w.centre)
    supervisor = make_user(Role.SUPERVISOR, centre=w.centre)
    entry = records.add_expert_record(
        supervisor, banned, BAN | {"start_date": "2026-01-01", "end_date": "2027-12-31"}
    )
    assert entry.kind == ExpertKind.BAN and entry.authority == "测试市财政局"
    assert db.session.execute(select(func.count()).select_from(CreditEntry)).scalar_one() == 1
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    assert banned.id not in item.eligible[0]
    # a supervisor of another centre may not write this pool's records
    other = make_user(Role.SUPERVISOR, centre=build_world().centre)
    with pytest.raises(Forbidden):
        records.add_expert_record(other, banned, BAN | {"kind": "bad", "basis": ""})


def test_public_pages_json_and_csv_show_suppliers_but_never_experts(client: Any) -> None:
    w = make_world()
    user = w.supplier(name="失信示例建材有限公司")
    records.add_supplier_record(w.supervisor, user.organisation, BAN | {"end_date": "2028-01-01"})
    records.add_supplier_record(
        w.supervisor, w.supplier().organisation, BAN | {"kind": "good", "result": "守信激励"}
    )
    from experts.pool import seed_specialties

    seed_specialties()
    expert = make_expert(w.centre)
    records.add_expert_record(w.supervisor, expert, BAN | {"kind": "bad", "result": "迟到"})
    db.session.commit()
    page = client.get("/credit/?kind=blacklist").get_data(as_text=True)
    assert "失信示例建材有限公司" in page and "守信激励" not in page and "迟到" not in page
    assert "失信（禁止参加）</span>" in page and ">blacklist<" not in page
    data = client.get("/api/v1/credit/records?in_force=true").json
    assert {r["kind"] for r in data} == {"blacklist", "good"}
    csv_text = client.get("/credit/records.csv").get_data(as_text=True)
    assert "失信示例建材有限公司" in csv_text and "迟到" not in csv_text
    assert "失信（禁止参加）" in csv_text
    assert client.get("/api/v1/credit/expert-records").status_code in (401, 403)
    experts = client.get("/api/v1/credit/expert-records", headers=token_headers(w.supervisor))
    assert [e["result"] for e in experts.json] == ["迟到"]
    assert (
        client.get("/api/v1/credit/expert-records", headers=token_headers(user)).status_code == 403
    )
