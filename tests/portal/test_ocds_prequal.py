"""OCDS of a prequalification: the notice as the tender release (selective, eligibility and
selection criteria, the application deadline, the documents and their price), a correction
as a tenderAmendment, a withdrawal as a tenderCancellation, the end of the review as a
tenderUpdate naming and counting nobody, and the counts (applied, passed, failed) among
the bid statistics only once the bids are frozen; every release, record and compiled
release valid against OCDS 1.1 and the extensions' fields it uses."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy import select

from app.core import clock
from app.core.clock import CST
from app.core.extensions import db
from bidding.bids.freeze import sweep_deadlines
from bidding.models import LotStatus
from bidding.prequal.models import PrequalApplication, Prequalification
from bidding.results.failure import announce_failure
from tests.factories import token_headers
from tests.portal.test_ocds import fetch
from tests.portal.test_ocds_results import assert_valid_record, assert_valid_releases
from tests.prequal.world import DEADLINE, PrequalWorld, apply, build, draw_committee, publish

# The fields this feed takes from the selection criteria, second stage and participation
# fee extensions, with the constraints those extensions put on them.
_TEXT = {"type": "string", "minLength": 1}
PREQUAL_TENDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "eligibilityCriteria": _TEXT,
        "expressionOfInterestDeadline": {"type": "string", "format": "date-time"},
        "selectionCriteria": {
            "type": "object",
            "minProperties": 1,
            "properties": {"description": _TEXT},
        },
        "secondStage": {
            "type": "object",
            "minProperties": 1,
            "properties": {"maximumCandidates": {"type": "number"}},
        },
        "participationFees": {
            "type": "array",
            "uniqueItems": True,
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {
                        "type": "array",
                        "items": {"enum": ["document", "deposit", "submission", "win"]},
                    },
                    "value": {
                        "type": "object",
                        "properties": {
                            "amount": {"type": "number"},
                            "currency": {"type": "string"},
                        },
                    },
                    "description": {"type": "string"},
                },
            },
        },
    },
}


@pytest.fixture(autouse=True)
def _request(app: Any) -> Any:
    with app.test_request_context("/"):
        yield


def _at(*args: int) -> None:
    clock.set_now(dt.datetime(*args, tzinfo=CST))


def _ocid(w: PrequalWorld) -> str:
    return f"ocds-th0001-{w.lot.project.trade_id}"


def assert_prequal_valid(release: dict[str, Any]) -> None:
    found = Draft4Validator(PREQUAL_TENDER_SCHEMA, format_checker=FormatChecker()).iter_errors(
        release.get("tender", {})
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in found]
    assert not errors, errors


def _releases(client: Any, w: PrequalWorld) -> list[dict[str, Any]]:
    package = fetch(client, f"/api/v1/ocds/releases/{_ocid(w)}")
    assert_valid_releases(package)
    for release in package["releases"]:
        assert_prequal_valid(release)
    assert any("ocds_selectionCriteria_extension" in e for e in package["extensions"])
    return package["releases"]


def _record(client: Any, w: PrequalWorld) -> dict[str, Any]:
    package = fetch(client, f"/api/v1/ocds/records/{_ocid(w)}")
    assert_valid_record(package)
    compiled = package["records"][0]["compiledRelease"]
    assert_prequal_valid(compiled)
    return compiled


def _correct(client: Any, w: PrequalWorld, deadline: dt.datetime) -> None:
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/corrections",
        data={
            "content": "申请截止时间顺延。",
            "offer_end_at": dt.datetime(2026, 3, 10, 17, 0, tzinfo=CST).isoformat(),
            "application_deadline": deadline.isoformat(),
        },
        headers=token_headers(w.base.staff),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()


def test_notice_correction_and_withdrawal_are_tender_amendment_and_cancellation(
    client: Any,
) -> None:
    w = build(client, method="open")
    resp = publish(client, w, review_method="limited", max_passed="5", document_price="200")
    assert resp.status_code == 201, resp.get_json()
    [notice] = _releases(client, w)
    tender = notice["tender"]
    assert notice["tag"] == ["tender"]
    assert tender["status"] == "active"
    assert [lot["status"] for lot in tender["lots"]] == ["active"]
    assert tender["procurementMethod"] == "selective"
    assert tender["procurementMethodDetails"] == "公开招标（资格预审）"
    assert tender["expressionOfInterestDeadline"] == "2026-03-16T01:00:00Z"
    assert "tenderPeriod" not in tender and "enquiryPeriod" not in tender
    assert "建筑工程施工总承包二级" in tender["eligibilityCriteria"]
    assert "不接受联合体申请" in tender["eligibilityCriteria"]
    assert tender["selectionCriteria"]["description"].startswith("有限数量制")
    assert tender["secondStage"] == {"maximumCandidates": 5}
    assert tender["participationFees"][0]["value"]["amount"] == 200
    assert tender["documents"][0]["datePublished"] == "2026-03-02T01:00:00Z"

    _at(2026, 3, 5, 10, 0)
    _correct(client, w, dt.datetime(2026, 3, 17, 9, 0, tzinfo=CST))
    notice_r, amendment = _releases(client, w)
    assert amendment["tag"] == ["tenderAmendment"]
    assert amendment["tender"]["expressionOfInterestDeadline"] == "2026-03-17T01:00:00Z"
    [change] = amendment["tender"]["amendments"]
    assert change["amendsReleaseID"] == notice_r["id"]
    compiled = _record(client, w)
    assert compiled["tender"]["expressionOfInterestDeadline"] == "2026-03-17T01:00:00Z"

    _at(2026, 3, 6, 10, 0)
    gone = client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/withdrawal",
        json={"reason": "采购需求发生重大变化，终止招标。"},
        headers=token_headers(w.base.staff),
    )
    assert gone.status_code == 201, gone.get_json()
    *_, cancellation = _releases(client, w)
    assert cancellation["tag"] == ["tenderCancellation"]
    assert cancellation["tender"]["status"] == "cancelled"
    assert cancellation["tender"]["statusDetails"] == "采购需求发生重大变化，终止招标。"
    assert cancellation["tender"]["procurementMethod"] == "selective"
    assert _record(client, w)["tender"]["status"] == "cancelled"


def _conclude(client: Any, w: PrequalWorld, item: Prequalification) -> None:
    """Four apply; a drawn committee passes three and fails one; the three are invited."""
    _at(2026, 3, 10, 10, 0)
    for i in range(4):
        assert apply(client, w, i).status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(hours=1))
    drawn = draw_committee(w)
    staff = token_headers(w.base.staff)
    seated = client.post(
        f"/api/v1/prequalifications/{item.id}/committee",
        json={"draw_id": drawn.id, "representative_ids": [w.representative.id]},
        headers=staff,
    )
    assert seated.status_code == 201, seated.get_json()
    db.session.refresh(item)
    failing = w.suppliers[1].id
    for row in db.session.execute(select(PrequalApplication)).scalars():
        for member in item.members:
            passed = row.supplier_id != failing
            resp = client.put(
                f"/api/v1/prequal-applications/{row.id}/verdict",
                json={"passed": passed, "reason": "" if passed else "业绩证明不足"},
                headers=token_headers(member.user),
            )
            assert resp.status_code == 200, resp.get_json()
    done = client.post(f"/api/v1/lots/{w.lot.id}/prequalification/conclusion", headers=staff)
    assert done.status_code == 201, done.get_json()
    invited = client.post(f"/api/v1/lots/{w.lot.id}/invitees/prequalified", json={}, headers=staff)
    assert invited.status_code == 201, invited.get_json()


def test_the_end_of_the_review_names_nobody_and_the_counts_wait_for_the_bids(
    client: Any,
) -> None:
    w = build(client)
    assert publish(client, w).status_code == 201
    item = db.session.execute(select(Prequalification)).scalar_one()
    _conclude(client, w, item)
    names = [s.name for s in w.suppliers]
    *_, update = _releases(client, w)
    assert update["tag"] == ["tenderUpdate"]
    assert update["tender"]["status"] == "active"
    assert update["tender"]["procurementMethod"] == "selective"
    assert "bids" not in update
    text = client.get(f"/api/v1/ocds/releases/{_ocid(w)}").get_data(as_text=True)
    assert not any(name in text for name in names)
    assert "qualifiedBidders" not in text and "requests" not in text
    public = client.get(f"/announcements/{update['id'].rsplit('-', 1)[1]}")
    assert public.status_code == 200
    assert not any(name in public.get_data(as_text=True) for name in names)

    # The invited tender: its notice, the deadline passes with no bid, 流标 is announced.
    _at(2026, 3, 17, 9, 0)
    staff = token_headers(w.base.staff)
    lot = client.get(f"/api/v1/lots/{w.lot.id}", headers=staff).get_json()
    times = {
        "doc_start_at": dt.datetime(2026, 3, 18, 9, 0, tzinfo=CST).isoformat(),
        "doc_end_at": dt.datetime(2026, 3, 25, 17, 0, tzinfo=CST).isoformat(),
        "bid_deadline": dt.datetime(2026, 4, 8, 9, 30, tzinfo=CST).isoformat(),
    }
    patched = client.patch(
        f"/api/v1/lots/{w.lot.id}", json={**times, "version": lot["version"]}, headers=staff
    )
    assert patched.status_code == 200, patched.get_json()
    notice = client.post(
        f"/api/v1/lots/{w.lot.id}/tender-notice",
        json={
            "requirements": "施工总承包，详见招标文件。",
            "qualifications": "通过本项目资格预审的申请人。",
        },
        headers=staff,
    )
    assert notice.status_code == 201, notice.get_json()
    tender_release = _releases(client, w)[-1]
    assert tender_release["tender"]["procurementMethod"] == "selective"
    assert "qualifiedBidders" not in str(tender_release)
    _at(2026, 4, 8, 9, 31)
    sweep_deadlines()
    db.session.commit()
    db.session.refresh(w.lot)
    assert w.lot.status == LotStatus.FAILED
    announce_failure(w.lot, w.base.staff)
    db.session.commit()
    failure = _releases(client, w)[-1]
    stats = {s["measure"]: s for s in failure["bids"]["statistics"]}
    assert stats["bids"]["value"] == 0
    assert stats["requests"]["value"] == 4
    assert stats["qualifiedBidders"]["value"] == 3
    assert stats["disqualifiedBidders"]["value"] == 1
    assert stats["qualifiedBidders"]["relatedLot"] == w.lot.code
    text = client.get(f"/api/v1/ocds/releases/{_ocid(w)}").get_data(as_text=True)
    assert w.suppliers[1].name not in text
    compiled = _record(client, w)
    assert {s["id"] for s in compiled["bids"]["statistics"]} >= {
        f"{w.lot.code}-prequal-qualifiedBidders",
        f"{w.lot.code}-bids",
    }


def test_document_bytes_are_not_part_of_the_feed(client: Any) -> None:
    """The documents entry names the file's hash, never its contents or a private link."""
    w = build(client)
    data = {
        "requirements": "具备相应资质。",
        "review_method": "pass_fail",
        "document_price": "0",
        "offer_start_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST).isoformat(),
        "offer_end_at": dt.datetime(2026, 3, 9, 17, 0, tzinfo=CST).isoformat(),
        "application_deadline": DEADLINE.isoformat(),
        "file": (io.BytesIO(b"%PDF-1.4 secret-ish body"), "资格预审文件.pdf"),
    }
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification",
        data=data,
        headers=token_headers(w.base.staff),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    [notice] = _releases(client, w)
    assert "participationFees" not in notice["tender"]
    assert notice["tender"]["selectionCriteria"]["description"] == "合格制"
    assert "secondStage" not in notice["tender"]
    doc = notice["tender"]["documents"][0]
    assert resp.get_json()["document_sha256"] in doc["description"]
    assert "url" not in doc
    assert "secret-ish" not in client.get("/api/v1/ocds/releases").get_data(as_text=True)
