"""Correction (更正公告) and withdrawal (终止) of a prequalification notice: the clocks
counted again from the correction and refused with the earliest lawful date, applicants
told, the portal linking each to the notice it changes, every step audited; late or
post-review attempts refused with nothing half-saved."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.extensions import db
from app.core.notify import Notification
from bidding.models import Announcement, AnnouncementKind, LotStatus
from bidding.prequal.models import Prequalification, PrequalStatus
from tests.factories import csrf_from, login, token_headers
from tests.prequal.world import DEADLINE, OFFER_END, PrequalWorld, apply, build, publish


@pytest.fixture(autouse=True)
def _request(app: Any) -> Any:
    with app.test_request_context("/"):
        yield


def _at(*args: int) -> None:
    clock.set_now(dt.datetime(*args, tzinfo=CST))


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        ).scalars()
    )


def _correct(client: Any, w: PrequalWorld, file: bytes | None = None, **form: Any) -> Any:
    data: dict[str, Any] = {"content": "资格要求第 2 条更正为：近三年无重大质量、安全事故。"}
    data.update({k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in form.items()})
    if file is not None:
        data["file"] = (io.BytesIO(file), "资格预审文件（更正）.pdf")
    return client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/corrections",
        data=data,
        headers=token_headers(w.base.staff),
        content_type="multipart/form-data",
    )


def _withdraw(client: Any, w: PrequalWorld, reason: str) -> Any:
    return client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/withdrawal",
        json={"reason": reason},
        headers=token_headers(w.base.staff),
    )


def _clarifications() -> int:
    return db.session.scalar(
        select(func.count(Announcement.id)).where(
            Announcement.kind == AnnouncementKind.CLARIFICATION
        )
    )


def _opened(client: Any) -> tuple[PrequalWorld, Prequalification]:
    w = build(client)
    assert publish(client, w).status_code == 201
    item = db.session.execute(select(Prequalification)).scalar_one()
    return w, item


def test_a_correction_counts_the_clocks_again_and_links_to_the_notice(client: Any) -> None:
    w, item = _opened(client)
    _at(2026, 3, 4, 10, 0)
    assert apply(client, w, 0).status_code == 201
    _at(2026, 3, 5, 10, 0)  # Thursday
    # The documents are on offer again from the correction: ≥ 5 days from 5 March.
    short = _correct(client, w)
    assert short.status_code == 422, short.get_json()
    assert "发售期不得少于 5 日" in short.get_json()["message"]
    assert "2026年03月10日" in short.get_json()["message"]
    # 10 March + 5 days is Sunday 15 March: the last day moves to Monday 16 March.
    early = _correct(
        client,
        w,
        offer_end_at=dt.datetime(2026, 3, 10, 17, 0, tzinfo=CST),
        application_deadline=dt.datetime(2026, 3, 15, 9, 0, tzinfo=CST),
    )
    assert early.status_code == 422
    assert "申请截止最早可定在 2026年03月16日" in early.get_json()["message"]
    db.session.expire_all()
    assert (item.offer_end_at, item.application_deadline) == (OFFER_END, DEADLINE)
    assert _clarifications() == 0 and _entries("prequal.corrected") == []

    new_end = dt.datetime(2026, 3, 10, 17, 0, tzinfo=CST)
    new_deadline = dt.datetime(2026, 3, 17, 9, 0, tzinfo=CST)
    ok = _correct(
        client,
        w,
        file=b"%PDF-1.4 corrected documents",
        offer_end_at=new_end,
        application_deadline=new_deadline,
    )
    assert ok.status_code == 201, ok.get_json()
    body = ok.get_json()
    assert body["kind"] == "clarification"
    assert body["supersedes_id"] == item.announcement_id
    assert body["fields"]["prequal_id"] == item.id
    assert body["fields"]["application_deadline_moved"] is True
    assert body["fields"]["document_replaced"] is True
    db.session.expire_all()
    assert item.offer_end_at == new_end and item.application_deadline == new_deadline
    assert item.document_name == "资格预审文件（更正）.pdf"
    [entry] = _entries("prequal.corrected")
    data = json.loads(entry.data)
    assert data["announcement_id"] == body["id"] and data["supersedes_id"] == item.announcement_id
    assert data["old_application_deadline"] == DEADLINE.astimezone(dt.UTC).isoformat()
    # The applicant is told; the supplier page and the portal link both ways.
    titles = [
        n.title
        for n in db.session.execute(
            select(Notification).where(Notification.user_id == w.accounts[0].id)
        ).scalars()
    ]
    assert any(t.startswith("资格预审更正") for t in titles)
    original = client.get(f"/announcements/{item.announcement_id}").get_data(as_text=True)
    assert 'data-testid="superseded"' in original and body["title"] in original
    correction = client.get(f"/announcements/{body['id']}").get_data(as_text=True)
    assert 'data-testid="supersedes"' in correction and "更正内容" in correction
    assert "原资格预审申请截止时间" in correction
    listed = client.get(
        f"/api/v1/lots/{w.lot.id}/prequalification/corrections",
        headers=token_headers(w.base.staff),
    )
    assert [c["id"] for c in listed.get_json()] == [body["id"]]
    login(client, w.accounts[1])
    page = client.get(f"/prequal/{item.id}").get_data(as_text=True)
    assert 'data-testid="prequal-corrections"' in page
    # The corrected documents are what a supplier now downloads.
    doc = client.get(f"/prequal/{item.id}/document")
    assert doc.get_data() == b"%PDF-1.4 corrected documents"
    # A second correction supersedes the first.
    _at(2026, 3, 6, 10, 0)
    again = _correct(
        client,
        w,
        offer_end_at=dt.datetime(2026, 3, 11, 17, 0, tzinfo=CST),
        application_deadline=dt.datetime(2026, 3, 17, 9, 0, tzinfo=CST),
    )
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["supersedes_id"] == body["id"]


def test_a_correction_after_the_deadline_is_refused_and_nothing_is_saved(client: Any) -> None:
    w, item = _opened(client)
    clock.set_now(DEADLINE)
    resp = _correct(
        client,
        w,
        file=b"%PDF late",
        offer_end_at=dt.datetime(2026, 3, 20, 17, 0, tzinfo=CST),
        application_deadline=dt.datetime(2026, 3, 30, 9, 0, tzinfo=CST),
    )
    assert resp.status_code == 409
    assert "截止后不能再发布更正公告" in resp.get_json()["message"]
    db.session.expire_all()
    assert item.application_deadline == DEADLINE and item.document_name == "资格预审文件.pdf"
    assert _clarifications() == 0 and _entries("prequal.corrected") == []
    other = client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/corrections",
        data={"content": "更正"},
        headers=token_headers(w.accounts[0]),
        content_type="multipart/form-data",
    )
    assert other.status_code == 403


def test_a_withdrawal_terminates_the_tender_and_tells_the_applicants(client: Any) -> None:
    w, item = _opened(client)
    _at(2026, 3, 4, 10, 0)
    assert apply(client, w, 0).status_code == 201
    assert apply(client, w, 1).status_code == 201
    _at(2026, 3, 6, 10, 0)
    blank = _withdraw(client, w, "  ")
    assert blank.status_code == 422 and blank.get_json()["field"] == "reason"
    db.session.expire_all()
    assert item.status == PrequalStatus.OPEN and item.lot.status == LotStatus.DRAFT
    reason = "采购人预算调整，本项目暂停实施。"
    resp = _withdraw(client, w, reason)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kind"] == "termination" and body["supersedes_id"] == item.announcement_id
    assert "已获取资格预审文件" in body["body"]
    db.session.expire_all()
    assert item.status == PrequalStatus.WITHDRAWN
    assert item.lot.status == LotStatus.TERMINATED and item.lot.status_reason == reason
    [entry] = _entries("prequal.withdrawn")
    assert json.loads(entry.data)["applicants"] == 2
    assert len(_entries("lot.terminated")) == 1
    for account in w.accounts[:2]:
        notes = db.session.execute(
            select(Notification).where(Notification.user_id == account.id)
        ).scalars()
        assert any(n.title.startswith("资格预审终止") and reason in n.body for n in notes)
    # No more applications, corrections or withdrawals.
    late = apply(client, w, 2)
    assert late.status_code == 409 and "已终止" in late.get_json()["message"]
    assert _correct(client, w).status_code == 409
    assert _withdraw(client, w, reason).status_code == 409
    original = client.get(f"/announcements/{item.announcement_id}").get_data(as_text=True)
    assert 'data-testid="superseded"' in original
    login(client, w.base.staff)
    page = client.get(f"/prequal/lots/{w.lot.id}").get_data(as_text=True)
    assert 'data-testid="prequal-withdrawn"' in page and reason in page
    assert 'data-testid="prequal-withdraw-form"' not in page


def test_a_withdrawal_once_the_review_started_is_refused(client: Any) -> None:
    from tests.prequal.world import draw_committee

    w, item = _opened(client)
    _at(2026, 3, 4, 10, 0)
    for i in range(3):
        assert apply(client, w, i).status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(hours=1))
    drawn = draw_committee(w)
    seated = client.post(
        f"/api/v1/prequalifications/{item.id}/committee",
        json={"draw_id": drawn.id, "representative_ids": [w.representative.id]},
        headers=token_headers(w.base.staff),
    )
    assert seated.status_code == 201, seated.get_json()
    announcements = db.session.scalar(select(func.count(Announcement.id)))
    resp = _withdraw(client, w, "采购人预算调整，本项目暂停实施。")
    assert resp.status_code == 409
    assert "审查已经开始" in resp.get_json()["message"]
    db.session.expire_all()
    assert item.status == PrequalStatus.REVIEWING and item.lot.status == LotStatus.DRAFT
    assert db.session.scalar(select(func.count(Announcement.id))) == announcements
    assert _entries("prequal.withdrawn") == [] and _entries("lot.terminated") == []


def test_the_agency_corrects_and_withdraws_from_its_page(client: Any) -> None:
    w, item = _opened(client)
    _at(2026, 3, 5, 10, 0)
    login(client, w.base.staff)
    url = f"/prequal/lots/{w.lot.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="prequal-correct-form"' in page
    token = csrf_from(client, url)
    refused = client.post(
        f"{url}/correct",
        data={"content": "更正申请截止时间。", "csrf_token": token},
        follow_redirects=True,
    )
    assert "2026年03月10日" in refused.get_data(as_text=True)
    done = client.post(
        f"{url}/correct",
        data={
            "content": "更正申请截止时间。",
            "offer_end_at": "2026-03-10T17:00",
            "application_deadline": "2026-03-17T09:00",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert 'data-testid="prequal-corrections"' in done.get_data(as_text=True)
    db.session.expire_all()
    assert item.application_deadline == dt.datetime(2026, 3, 17, 9, 0, tzinfo=CST)
    gone = client.post(
        f"{url}/withdraw",
        data={"reason": "项目取消，终止招标。", "csrf_token": token},
        follow_redirects=True,
    )
    assert 'data-testid="prequal-withdrawn"' in gone.get_data(as_text=True)
