"""OCDS from the result stages: bid statistics and bids (ocds_bid_extension), a failed lot's
tenderUpdate, and the compiled record (ocdsmerge); all checked against the OCDS 1.1 schema."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing.jsonschema import DRAFT4

from app.core import clock
from app.core.extensions import db
from bidding.results import award, contracts, failure, publicity
from tests.factories import login
from tests.portal.test_ocds import REGISTRY, RELEASE_SCHEMA, SCHEMA_DIR, assert_valid, fetch
from tests.results import world as rw

CST = dt.timezone(dt.timedelta(hours=8))


def _at(*args: int) -> None:
    clock.set_now(dt.datetime(*args, tzinfo=CST))


def _ocid(w: rw.ResultWorld) -> str:
    return f"ocds-th0001-{w.lot.project.trade_id}"


BIDS_SCHEMA = json.loads((SCHEMA_DIR / "bid-extension-schema.json").read_text(encoding="utf-8"))
RECORD_SCHEMA = json.loads((SCHEMA_DIR / "record-package-schema.json").read_text(encoding="utf-8"))
SCHEMAS = REGISTRY.with_resources(
    [(s["id"], DRAFT4.create_resource(s)) for s in (BIDS_SCHEMA, RECORD_SCHEMA)]
)


def _errors(schema: dict[str, Any], instance: Any) -> list[str]:
    found = Draft4Validator(schema, registry=SCHEMAS).iter_errors(instance)
    return [f"{list(e.absolute_path)}: {e.message}" for e in found]


def assert_bids_valid(release: dict[str, Any]) -> None:
    """The release's `bids` against the bid extension, every tenderer among its parties."""
    if "bids" not in release:
        return
    assert not (errors := _errors(BIDS_SCHEMA, release["bids"])), errors
    parties = {p["id"] for p in release.get("parties", [])}
    for bid in release["bids"].get("details", []):
        assert {t["id"] for t in bid["tenderers"]} <= parties


def assert_valid_releases(package: dict[str, Any]) -> None:
    assert_valid(package)
    for release in package["releases"]:
        assert_bids_valid(release)


def assert_valid_record(package: dict[str, Any]) -> None:
    """A 1.1 record package; each embedded release and the compiled release against the
    release schema and the bid extension."""
    assert not (errors := _errors(RECORD_SCHEMA, package)), errors
    for record in package["records"]:
        for release in [*record["releases"], record["compiledRelease"]]:
            assert not (errors := _errors(RELEASE_SCHEMA, release)), errors
            assert_bids_valid(release)
        assert record["compiledRelease"]["tag"] == ["compiled"]
        assert record["compiledRelease"]["ocid"] == record["ocid"]


def test_bid_statistics_at_publicity_and_each_bid_only_with_the_result(client: Any) -> None:
    w = rw.build()
    _at(2026, 4, 1, 10)
    publicity.publish_publicity(w.lot, w.staff)
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/releases/{_ocid(w)}")
    assert_valid_releases(package)
    assert any("ocds_bid_extension" in e for e in package["extensions"])
    (update,) = [r for r in package["releases"] if r["tag"] == ["tenderUpdate"]]
    stats = {s["measure"]: s["value"] for s in update["bids"]["statistics"]}
    assert stats == {"bids": 4, "validBids": 3}
    # during the publicity nobody's price is published as a bid yet
    assert "details" not in update["bids"]
    assert "tenderer" not in {r for p in update["parties"] for r in p["roles"]}

    _at(2026, 4, 9, 10)
    award.confirm_award(w.lot, w.staff)
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/releases/{_ocid(w)}")
    assert_valid_releases(package)
    (awarded,) = [r for r in package["releases"] if r["tag"] == ["award"]]
    details = {d["tenderers"][0]["name"]: d for d in awarded["bids"]["details"]}
    assert details["投标人A有限公司"]["status"] == "valid"
    assert details["投标人A有限公司"]["value"]["amount"] == Decimal("880000.00")
    assert details["投标人D有限公司"]["status"] == "disqualified"
    assert details["投标人D有限公司"]["value"]["amount"] == Decimal("700000.00")
    parties = {p["name"]: p["roles"] for p in awarded["parties"]}
    assert parties["投标人A有限公司"] == ["supplier", "tenderer"]
    assert parties["投标人D有限公司"] == ["tenderer"]


def test_a_failed_evaluation_is_a_tender_update_unsuccessful_with_its_bids(client: Any) -> None:
    w = rw.build(valid=2)
    _at(2026, 4, 1, 10)
    failure.announce_failure(w.lot, w.staff)
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/releases/{_ocid(w)}")
    assert_valid_releases(package)
    (release,) = package["releases"]
    assert release["tag"] == ["tenderUpdate"]
    assert release["tender"]["status"] == "unsuccessful"
    assert "有效投标不足 3 家（实际 2 家）" in release["tender"]["statusDetails"]
    assert release["tender"]["lots"][0]["status"] == "unsuccessful"
    stats = {s["measure"]: s["value"] for s in release["bids"]["statistics"]}
    assert stats == {"bids": 4, "validBids": 2}
    statuses = sorted(d["status"] for d in release["bids"]["details"])
    assert statuses == ["disqualified", "disqualified", "valid", "valid"]


def test_the_compiled_record_of_a_lot_merges_its_releases(client: Any) -> None:
    w = rw.build()
    _at(2026, 4, 1, 10)
    publicity.publish_publicity(w.lot, w.staff)
    _at(2026, 4, 9, 10)
    award.confirm_award(w.lot, w.staff)
    _at(2026, 4, 10, 10)
    contracts.file_contract(
        w.lot,
        w.staff,
        number="HT-9",
        lot_code=w.lot.code,
        supplier_id=w.bidders[0].organisation_id,
        price="880000.00",
        signed_on="2026-04-10",
        filename="c.pdf",
        stream=rw.pdf_file(),
    )
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/records/{_ocid(w)}")
    assert_valid_record(package)
    (record,) = package["records"]
    assert [r["tag"] for r in record["releases"]] == [["tenderUpdate"], ["award"], ["contract"]]
    compiled = record["compiledRelease"]
    # the latest values win; objects with an id merge across releases
    assert compiled["awards"][0]["value"]["amount"] == Decimal("880000.00")
    assert compiled["contracts"][0]["id"] == "HT-9"
    stats = {s["measure"]: s["value"] for s in compiled["bids"]["statistics"]}
    assert stats == {"bids": 4, "validBids": 3}
    assert len(compiled["bids"]["details"]) == 4
    assert compiled["date"] == record["releases"][-1]["date"]
    # the same record from the lot, linked from its results page and its notices
    by_lot = fetch(client, f"/api/v1/ocds/lots/{w.lot.id}/record")
    assert by_lot["records"][0]["compiledRelease"] == compiled
    notice = w.result.result_id
    page = client.get(f"/announcements/{notice}").get_data(as_text=True)
    assert f'href="/api/v1/ocds/records/{_ocid(w)}"' in page
    login(client, w.staff)
    page = client.get(f"/results/lots/{w.lot.id}").get_data(as_text=True)
    assert f'href="/api/v1/ocds/lots/{w.lot.id}/record"' in page


def test_schema_check_rejects_a_compiled_release_breaking_the_standard(client: Any) -> None:
    w = rw.build(valid=2)
    _at(2026, 4, 1, 10)
    failure.announce_failure(w.lot, w.staff)
    db.session.commit()
    package = fetch(client, f"/api/v1/ocds/records/{_ocid(w)}")
    assert_valid_record(package)
    package["records"][0]["compiledRelease"]["tender"]["status"] = "failed"
    with pytest.raises(AssertionError):
        assert_valid_record(package)
    package = fetch(client, f"/api/v1/ocds/records/{_ocid(w)}")
    package["records"][0]["compiledRelease"]["bids"]["details"][0]["status"] = "rejected"
    with pytest.raises(AssertionError):
        assert_valid_record(package)


def test_records_of_unknown_processes_are_404_and_documented(client: Any) -> None:
    resp = client.get("/api/v1/ocds/records/ocds-th0001-NOPE")
    assert resp.status_code == 404 and "ocid" in resp.get_json()["message"]
    assert client.get("/api/v1/ocds/lots/999999/record").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/ocds/records/{ocid}" in spec["paths"]
    assert "/api/v1/ocds/lots/{lot_id}/record" in spec["paths"]
