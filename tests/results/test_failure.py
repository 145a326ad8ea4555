"""Failed lots: the evaluation that leaves too few valid bids fails the lot (废标); staff
publish the 流标/废标公告 with the reason (portal, PDF, audit) and tender the lot again from
the results page, the new lot linking back to the failed one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from app.core.notify import Notification
from bidding import notice_fields
from bidding.bids import freeze
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Method
from bidding.results import failure
from tests.factories import csrf_from, login
from tests.results import world as rw


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


def test_too_few_valid_bids_fail_an_open_tender_at_the_hand_off() -> None:
    w = rw.build(valid=2)
    assert w.lot.status == LotStatus.FAILED
    assert w.lot.status_reason == "评标后有效投标不足 3 家（实际 2 家），缺乏竞争，本标段废标。"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.result_failed").order_by(AuditEntry.seq)
    ).scalar_one()
    assert json.loads(entry.data)["candidates"] == 2 and json.loads(entry.data)["rejected"] == 2
    note = db.session.execute(
        select(Notification).where(Notification.user_id == w.staff.id)
    ).scalar_one()
    assert "废标" in note.body


def test_every_bid_rejected_fails_the_lot_and_negotiation_keeps_two_valid_bids() -> None:
    w = rw.build(valid=0)
    assert w.lot.status == LotStatus.FAILED
    assert "否决了全部投标" in w.lot.status_reason
    # competitive negotiation keeps the committee's two candidates (its own special cases)
    n = rw.build(method=Method.NEGOTIATION, valid=2)
    assert n.lot.status == LotStatus.EVALUATED


def test_staff_announce_the_failure_with_its_reason() -> None:
    w = rw.build(valid=2)
    clock.set_now(cst(2026, 4, 1, 15, 0))
    with pytest.raises(Forbidden):
        failure.announce_failure(w.lot, w.bidders[0])
    db.session.rollback()
    ann = failure.announce_failure(w.lot, w.staff, next_step="将重新组织招标。")
    db.session.commit()
    assert ann.kind == AnnouncementKind.FAILURE and ann.lot_id == w.lot.id
    assert ann.title.endswith("废标公告")
    assert "有效投标不足 3 家（实际 2 家）" in ann.body and "将重新组织招标。" in ann.body
    assert "投标人C有限公司：未按要求提交投标保证金" in ann.body
    f = ann.fields
    assert (f["stage"], f["bid_count"], f["valid_count"]) == ("evaluation", 4, 2)
    assert notice_fields.undeclared_keys("failure", f) == set()
    entry = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "result.failure_published")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    data = json.loads(entry.data)
    assert data["announcement_id"] == ann.id and data["stage"] == "evaluation"
    # every bidder is told
    for bidder in w.bidders:
        assert db.session.execute(
            select(Notification).where(Notification.user_id == bidder.id)
        ).scalar_one_or_none()
    # once only
    with pytest.raises(Conflict, match="已经发布"):
        failure.announce_failure(w.lot, w.staff)


def test_a_lot_that_did_not_fail_cannot_be_announced_or_retendered() -> None:
    w = rw.build()
    with pytest.raises(Conflict, match="只有流标或废标的标段可以发布"):
        failure.announce_failure(w.lot, w.staff)
    with pytest.raises(Conflict, match="只有流标或废标的标段可以重新招标"):
        freeze.retender(w.lot, w.staff)
    assert freeze.retender_refusal(w.lot) is not None


def test_failure_notice_and_retender_through_the_api(client: Any) -> None:
    w = rw.build(valid=0)
    staff = w.headers(w.staff)
    url = f"/api/v1/lots/{w.lot.id}/result"
    body = client.get(url, headers=staff).get_json()
    assert body["failed"] and body["failure_stage"] == "evaluation"
    assert body["actions"]["announce_failure"] and body["actions"]["retender"]
    resp = client.post(f"{url}/failure", json={"reason": ""}, headers=w.headers(w.bidders[0]))
    assert resp.status_code == 403 and resp.get_json()["message"]
    resp = client.post(f"{url}/failure", json={"reason": "x" * 2001}, headers=staff)
    assert resp.status_code == 422
    resp = client.post(
        f"{url}/failure",
        json={"reason": "评标委员会否决了全部投标（报价均超过最高限价）。"},
        headers=staff,
    )
    assert resp.status_code == 201 and resp.get_json()["kind"] == "failure"
    ann_id = resp.get_json()["id"]
    again = client.post(f"{url}/failure", json={}, headers=staff)
    assert again.status_code == 409 and "已经发布" in again.get_json()["message"]
    # public: the portal's JSON, page and signed PDF
    public = client.get(f"/api/v1/announcements/{ann_id}").get_json()
    assert public["kind_label"] == "流标/废标公告"
    page = client.get(f"/announcements/{ann_id}").get_data(as_text=True)
    assert "报价均超过最高限价" in page and "流标/废标原因" in page and "stage" not in page
    pdf = client.get(f"/announcements/{ann_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # the re-tender: one rule (bidding.bids.freeze), the new lot links back
    resp = client.post(f"/api/v1/lots/{w.lot.id}/retender", headers=staff)
    assert resp.status_code == 201
    new_id = resp.get_json()["id"]
    again = client.post(f"/api/v1/lots/{w.lot.id}/retender", headers=staff)
    assert again.status_code == 409 and "已发起重新招标" in again.get_json()["message"]
    new = db.session.get(Lot, new_id)
    assert new.status == LotStatus.DRAFT and new.budget == w.lot.budget
    assert freeze.retendered_from(new).id == w.lot.id
    body = client.get(url, headers=staff).get_json()
    assert body["retendered_as"]["id"] == new_id and not body["actions"]["retender"]
    history = client.get(f"/api/v1/lots/{new_id}/result", headers=staff).get_json()
    assert history["retendered_from"]["id"] == w.lot.id
    assert history["retendered_from"]["status_label"] == "流标"
    retendered = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.retendered").order_by(AuditEntry.seq)
    ).scalar_one()
    assert json.loads(retendered.data)["reason"].startswith("评标委员会否决了全部投标")


def test_failure_and_retender_from_the_results_page(client: Any) -> None:
    w = rw.build(valid=2)
    login(client, w.staff)
    page = f"/results/lots/{w.lot.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="failure-form"' in html and 'data-testid="retender"' in html
    assert "有效投标不足 3 家" in html
    # the agency's workbench asks for the notice until it is out
    todo = client.get("/api/v1/workbench").get_json()
    (item,) = [i for g in todo["groups"] for i in g["items"] if g["kind"] == "bidding.failures"]
    assert item["title"].startswith("发布流标/废标公告") and item["url"] == page
    assert f"/results/lots/{w.lot.id}" in client.get("/results/").get_data(as_text=True)
    token = csrf_from(client, page)
    resp = client.post(
        f"{page}/failure", data={"csrf_token": token, "reason": "  ", "next_step": ""}
    )
    assert resp.status_code == 302
    ann = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.FAILURE)
    ).scalar_one()
    assert ann.fields["reason"] == w.lot.status_reason  # blank: the recorded reason
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="failure-form"' not in html and f"/announcements/{ann.id}" in html
    todo = client.get("/api/v1/workbench").get_json()
    assert "bidding.failures" not in {g["kind"] for g in todo["groups"]}
    resp = client.post(f"/bids/lots/{w.lot.id}/retender", data={"csrf_token": token})
    assert resp.status_code == 302
    new = db.session.get(Lot, freeze.get_freeze(w.lot).retendered_lot_id)
    project_page = client.get(f"/projects/{new.project_id}").get_data(as_text=True)
    assert 'data-testid="lot-history"' in project_page and 'data-testid="lot-retendered-as"' in (
        project_page
    )
    assert f'href="/results/lots/{w.lot.id}"' in project_page
    assert "已重新招标，请在新标段继续办理。" in project_page
    # the bidders see the failure and its notice, not the staff's forms
    client.get("/logout")
    login(client, w.bidders[0])
    html = client.get(page).get_data(as_text=True)
    assert "有效投标不足 3 家" in html and 'data-testid="failure-form"' not in html
