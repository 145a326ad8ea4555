"""The results API and pages: each action through HTTP, refusals as 4xx with a message,
and what each role may see (a bidder its own filings, supervisors their centre's)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest

from app.core import clock
from app.core.clock import CST
from app.core.crypto import platform_public_key, verify_json
from app.core.extensions import db
from bidding.models import LotStatus
from tests.factories import csrf_from, login
from tests.results import world as rw
from tests.results.world import ResultWorld


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


@pytest.fixture
def w() -> ResultWorld:
    return rw.build()


def url(w: ResultWorld, tail: str = "") -> str:
    return f"/api/v1/lots/{w.lot.id}/result{tail}"


def test_the_result_through_the_api(client: Any, w: ResultWorld) -> None:
    staff, b = w.headers(w.staff), w.headers(w.bidders[1])
    a = w.headers(w.bidders[0])
    # before the publicity a bidder sees no candidates; outsiders and other centres nothing
    body = client.get(url(w), headers=b).get_json()
    assert body["candidates"] == [] and body["report_sha256"] is None
    for who in (w.outsider, w.other_supervisor):
        resp = client.get(url(w), headers=w.headers(who))
        assert resp.status_code == 403 and resp.get_json()["message"]
    resp = client.post(url(w, "/publicity"), json={"days": 2}, headers=staff)
    assert resp.status_code == 422
    clock.set_now(cst(2026, 4, 1, 10, 0))
    resp = client.post(url(w, "/publicity"), json={}, headers=b)
    assert resp.status_code == 403
    resp = client.post(url(w, "/publicity"), json={}, headers=staff)
    assert resp.status_code == 201 and resp.get_json()["kind"] == "candidates"
    assert [c["rank"] for c in client.get(url(w), headers=b).get_json()["candidates"]] == [1, 2, 3]
    # an objection with an attachment, seen by its filer, the agency and the supervisors only
    resp = client.post(
        url(w, "/filings"),
        data={
            "kind": "objection",
            "text": "技术分有误",
            "attachments": (io.BytesIO(b"%PDF-1.4 x"), "证据.pdf"),
        },
        headers=b,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    filing = resp.get_json()
    assert filing["attachments"][0]["name"] == "证据.pdf" and filing["status"] == "pending"
    assert client.get(url(w, "/filings"), headers=a).get_json() == []
    seen = client.get(url(w, "/filings"), headers=w.headers(w.supervisor)).get_json()
    assert [f["supplier_name"] for f in seen] == ["投标人B有限公司"]
    assert client.get(f"/api/v1/result-filings/{filing['id']}", headers=a).status_code == 403
    resp = client.post(
        url(w, "/filings"),
        data={"kind": "objection", "text": "x"},
        headers=w.headers(w.outsider),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403
    # the award waits for the answer, then goes through
    clock.set_now(cst(2026, 4, 8, 9, 0))  # 3 days from 1 April, past the weekend and 清明
    resp = client.post(
        url(w, "/filings"),
        data={"kind": "objection", "text": "晚了"},
        headers=a,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 409 and "2026-04-08 00:00" in resp.get_json()["message"]
    resp = client.post(url(w, "/award"), json={}, headers=staff)
    assert resp.status_code == 409 and "异议" in resp.get_json()["message"]
    resp = client.post(
        f"/api/v1/result-filings/{filing['id']}/answer", json={"answer": "无误"}, headers=staff
    )
    assert resp.status_code == 200 and resp.get_json()["answer"] == "无误"
    resp = client.post(url(w, "/award"), json={"rank": 2}, headers=staff)
    assert resp.status_code == 422
    resp = client.post(url(w, "/award"), json={}, headers=staff)
    assert resp.status_code == 201 and resp.get_json()["kind"] == "result"
    mine = client.get(url(w), headers=a).get_json()["notices"]
    assert [n["kind"] for n in mine] == ["award"]
    others = client.get(url(w), headers=b).get_json()["notices"]
    assert client.get(f"/api/v1/result-notices/{others[0]['id']}", headers=a).status_code == 403
    doc = client.get(f"/api/v1/result-notices/{mine[0]['id']}", headers=a).get_json()
    assert verify_json(doc["body"], doc["signature"], platform_public_key().pem)
    pdf = client.get(f"/api/v1/result-notices/{mine[0]['id']}/pdf", headers=a)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # the contract: a mismatch refused with a message, then filed by the purchaser
    form = {
        "number": "HT-1",
        "lot_code": w.lot.code,
        "supplier_id": str(w.bidders[0].organisation_id),
        "price": "880000.00",
        "signed_on": "2026-04-08",
    }
    clock.set_now(cst(2026, 4, 9, 9, 0))
    p = w.headers(w.purchaser_staff)
    resp = client.post(
        url(w, "/contracts"),
        data={**form, "price": "800000.00", "file": (rw.pdf_file(), "c.pdf")},
        headers=p,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "中标金额" in resp.get_json()["message"]
    resp = client.post(
        url(w, "/contracts"),
        data={**form, "file": (rw.pdf_file(), "c.pdf")},
        headers=p,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    assert w.lot.status == LotStatus.CONTRACTED
    assert len(client.get(url(w, "/contracts"), headers=b).get_json()) == 1


def _post_form(client: Any, path: str, page: str, data: dict[str, Any]) -> Any:
    return client.post(
        path,
        data={**data, "csrf_token": csrf_from(client, page)},
        content_type="multipart/form-data",
    )


def test_pages_for_staff_and_bidders(client: Any, w: ResultWorld) -> None:
    page = f"/results/lots/{w.lot.id}"
    login(client, w.staff)
    html = client.get(page).get_data(as_text=True)
    assert "发布中标候选人公示" in html and "投标人A有限公司" in html
    assert (
        re.search(r"\bobjection\b|\bpublicity\b|\bevaluated\b", re.sub(r"<[^>]+>", " ", html))
        is None
    )
    clock.set_now(cst(2026, 4, 1, 10, 0))
    resp = _post_form(client, f"/results/lots/{w.lot.id}/publicity", page, {"days": "3"})
    assert resp.status_code == 302
    assert "候选人公示中" in client.get(page).get_data(as_text=True)
    assert w.lot.id in [
        int(x)
        for x in re.findall(r"/results/lots/(\d+)", client.get("/results/").get_data(as_text=True))
    ]
    client.get("/logout")
    login(client, w.bidders[2])
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="filing-form"' in html and "报价低于成本" in html
    resp = _post_form(
        client, f"/results/lots/{w.lot.id}/filings", page, {"kind": "objection", "text": "评分有误"}
    )
    assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "评分有误" in html and "待答复" in html
    client.get("/logout")
    login(client, w.outsider)
    assert client.get(page).status_code == 403
