"""OCDS feed: every release and package validates; tags, ids, amounts and parties are right."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from app.core.extensions import db
from bidding.models import AnnouncementKind, LotStatus
from tests.portal.factories import make_announcement, make_project

# The official 1.1 files are used when a directory holding them is named; otherwise the
# transcription kept beside this test (no registry package ships the official files).
SCHEMA_DIR = Path(os.environ.get("TENDERHALL_OCDS_SCHEMA_DIR") or Path(__file__).parent / "schema")


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


RELEASE_SCHEMA = _load("release-schema.json")
PACKAGE_SCHEMA = _load("release-package-schema.json")
REGISTRY = Registry().with_resources(
    [(s["id"], DRAFT4.create_resource(s)) for s in (RELEASE_SCHEMA, PACKAGE_SCHEMA)]
)


def assert_valid(package: dict[str, Any]) -> None:
    errors = list(Draft4Validator(PACKAGE_SCHEMA, registry=REGISTRY).iter_errors(package))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    for release in package["releases"]:
        errors = list(Draft4Validator(RELEASE_SCHEMA, registry=REGISTRY).iter_errors(release))
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
        for path in ("date",):
            dt.datetime.fromisoformat(release[path].replace("Z", "+00:00"))


def fetch(client: Any, url: str) -> dict[str, Any]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:300]
    # Amounts must survive as exact decimals, so parse floats as Decimal.
    return json.loads(resp.get_data(as_text=True), parse_float=Decimal)


def lifecycle() -> dict[str, Any]:
    p = make_project(lots=2, budget=Decimal("1234567.89"))
    intent = make_announcement(p, kind=AnnouncementKind.INTENT, lot=None, title="采购意向")
    tender = make_announcement(p, kind=AnnouncementKind.TENDER, title="招标公告")
    clar = make_announcement(
        p, kind=AnnouncementKind.CLARIFICATION, title="澄清公告", supersedes=tender
    )
    term = make_announcement(
        p, kind=AnnouncementKind.TERMINATION, title="终止公告", fields={"reason": "需求变更"}
    )
    result = make_announcement(p, kind=AnnouncementKind.RESULT, title="结果公告")
    draft = make_announcement(p, kind=AnnouncementKind.TENDER, published_at=None)
    db.session.commit()
    return locals()


def test_every_release_validates_against_ocds_1_1(client: Any) -> None:
    w = lifecycle()
    package = fetch(client, "/api/v1/ocds/releases")
    assert_valid(package)
    assert package["version"] == "1.1"
    assert package["publisher"]["name"] == "Tender Hall"
    assert len(package["releases"]) == 5  # the draft is not in the feed
    by_project = fetch(client, f"/api/v1/ocds/releases/ocds-th0001-{w['p'].trade_id}")
    assert_valid(by_project)


def test_tags_follow_the_announcement_kind_and_ids_are_unique(client: Any) -> None:
    w = lifecycle()
    releases = fetch(client, f"/api/v1/ocds/releases/ocds-th0001-{w['p'].trade_id}")["releases"]
    assert [r["tag"] for r in releases] == [
        ["planning"],
        ["tender"],
        ["tenderAmendment"],
        ["tenderCancellation"],
        ["award"],
    ]
    assert len({r["id"] for r in releases}) == 5
    assert {r["ocid"] for r in releases} == {f"ocds-th0001-{w['p'].trade_id}"}
    amendment = releases[2]["tender"]["amendments"][0]
    assert amendment["amendsReleaseID"] == releases[1]["id"]
    assert releases[3]["tender"]["status"] == "cancelled"
    assert releases[3]["tender"]["statusDetails"] == "需求变更"


def test_tender_release_has_periods_parties_amounts_and_lots(client: Any) -> None:
    w = lifecycle()
    releases = fetch(client, f"/api/v1/ocds/releases/ocds-th0001-{w['p'].trade_id}")["releases"]
    tender = releases[1]["tender"]
    lot = w["p"].lots[0]
    assert tender["value"] == {"amount": Decimal("1234567.89"), "currency": "CNY"}
    assert tender["lots"][0]["value"]["amount"] == Decimal("1234567.89")
    assert tender["submissionMethod"] == ["electronicSubmission"]
    assert tender["tenderPeriod"]["endDate"] == lot.bid_deadline.isoformat().replace("+00:00", "Z")
    assert tender["enquiryPeriod"]["endDate"] < tender["tenderPeriod"]["endDate"]
    assert tender["mainProcurementCategory"] == "works"
    roles = {p["name"]: p["roles"] for p in releases[1]["parties"]}
    assert roles[w["p"].purchaser.name] == ["buyer"]
    assert roles[w["p"].agency.name] == ["procuringEntity"]
    assert tender["procuringEntity"]["name"] == w["p"].agency.name
    planning = releases[0]["planning"]
    assert planning["budget"]["amount"]["amount"] == Decimal("2469135.78")


def test_amounts_are_json_numbers_not_strings(client: Any) -> None:
    lifecycle()
    text = client.get("/api/v1/ocds/releases").get_data(as_text=True)
    assert '"amount":1234567.89' in text
    assert '"amount":"' not in text


def test_feed_is_paginated_newest_first_with_links(client: Any) -> None:
    p = make_project(lot_status=LotStatus.PUBLISHED)
    made = [make_announcement(p, title=f"公告{i}") for i in range(5)]
    db.session.commit()
    first = fetch(client, "/api/v1/ocds/releases?per_page=2")
    assert [r["id"].rsplit("-", 1)[1] for r in first["releases"]] == [
        str(made[4].id),
        str(made[3].id),
    ]
    assert "page=2" in first["links"]["next"] and "prev" not in first["links"]
    last = fetch(client, "/api/v1/ocds/releases?per_page=2&page=3")
    assert len(last["releases"]) == 1 and "next" not in last["links"]
    assert_valid(first)


def test_page_past_the_end_is_404_not_an_empty_package(client: Any) -> None:
    p = make_project(lot_status=LotStatus.PUBLISHED)
    make_announcement(p, title="公告")
    db.session.commit()
    resp = client.get("/api/v1/ocds/releases?per_page=2&page=2")
    assert resp.status_code == 404
    assert "第 2 页" in resp.get_json()["message"]


def test_empty_feed_is_404_because_a_package_needs_a_release(client: Any) -> None:
    resp = client.get("/api/v1/ocds/releases")
    assert resp.status_code == 404
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.get_json()["message"])


def test_schema_check_rejects_a_package_without_releases(client: Any) -> None:
    lifecycle()
    package = fetch(client, "/api/v1/ocds/releases")
    package["releases"] = []
    with pytest.raises(AssertionError):
        assert_valid(package)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=1000"])
def test_bad_feed_paging_is_refused_in_chinese(client: Any, query: str) -> None:
    resp = client.get(f"/api/v1/ocds/releases?{query}")
    assert resp.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.get_json()["message"])


def test_unknown_ocid_is_404(client: Any) -> None:
    resp = client.get("/api/v1/ocds/releases/ocds-th0001-NOPE")
    assert resp.status_code == 404
    assert "ocid" in resp.get_json()["message"]


def test_feed_endpoints_are_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/ocds/releases" in spec["paths"]
    assert "/api/v1/ocds/releases/{ocid}" in spec["paths"]
    assert "/api/v1/announcements" in spec["paths"]


def test_schema_check_rejects_a_release_breaking_the_standard(client: Any) -> None:
    lifecycle()
    package = fetch(client, "/api/v1/ocds/releases")
    package["releases"][0]["tag"] = ["notATag"]
    with pytest.raises(AssertionError):
        assert_valid(package)


def test_award_and_contract_releases_from_the_result_services(client: Any) -> None:
    import datetime as dt_

    from app.core import clock
    from bidding.results import award, contracts, publicity
    from tests.results import world as rw

    w = rw.build()
    cst = dt_.timezone(dt_.timedelta(hours=8))
    clock.set_now(dt_.datetime(2026, 4, 1, 10, tzinfo=cst))
    publicity.publish_publicity(w.lot, w.staff)
    clock.set_now(dt_.datetime(2026, 4, 8, 10, tzinfo=cst))  # after the publicity
    award.confirm_award(w.lot, w.staff)
    clock.set_now(dt_.datetime(2026, 4, 9, 10, tzinfo=cst))
    args = {"signed_on": "2026-04-08", "filename": "c.pdf"}
    contracts.file_contract(
        w.lot,
        w.staff,
        number="HT-7",
        lot_code=w.lot.code,
        supplier_id=w.bidders[0].organisation_id,
        price="880000.00",
        stream=rw.pdf_file(),
        **args,
    )
    contracts.amend_contract(
        w.lot, w.staff, reason="增加数量", price="900000.00", stream=rw.pdf_file("b"), **args
    )
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/releases/ocds-th0001-{w.lot.project.trade_id}")
    assert_valid(package)
    by_tag = {r["tag"][0]: r for r in package["releases"]}
    assert set(by_tag) == {"tenderUpdate", "award", "contract", "contractAmendment"}
    won = by_tag["award"]["awards"][0]
    assert won["value"]["amount"] == Decimal("880000.00")
    assert won["suppliers"][0]["name"] == "投标人A有限公司"
    assert "supplier" in {r for p in by_tag["award"]["parties"] for r in p["roles"]}
    signed = by_tag["contract"]["contracts"][0]
    assert signed["awardID"] == won["id"] and signed["id"] == "HT-7"
    amended = by_tag["contractAmendment"]["contracts"][0]
    assert amended["value"]["amount"] == Decimal("900000.00")
    assert amended["amendments"][0]["amendsReleaseID"] == by_tag["contract"]["id"]
