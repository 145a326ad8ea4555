"""tenderhall-seal against a live platform: it reads the opening key the server publishes,
seals to it, and the server accepts what it sealed. One schema serves both ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.crypto.opening_key import (
    OpeningKeyDocument,
    OpeningKeyMismatch,
    read_opening_key,
)
from app.core.extensions import db
from bidding.bids.models import Bid
from tests.bids.conftest import World
from tests.bids.test_sealed_bids import upload


def _seal_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.core.crypto.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_seals_to_the_key_the_platform_serves_and_the_platform_accepts_it(
    client: Any, world: World, live_server: str, tmp_path: Path
) -> None:
    org = world.orgs[0]
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"total_price": "4500000.00", "duration_days": 180}), "utf-8")
    (tmp_path / "技术标.pdf").write_bytes(b"%PDF-1.4 technical bid" * 50)
    out = tmp_path / "bid.thsb"
    done = _seal_cli(
        "seal",
        "--url",
        f"{live_server}/api/v1/lots/{world.lot.id}/opening-key",
        "--lot",
        str(world.lot.id),
        "--bidder",
        org.credit_code,
        "--bidder-org-id",
        str(org.id),
        "--price-form",
        str(form),
        "-o",
        str(out),
        str(tmp_path / "技术标.pdf"),
    )
    assert done.returncode == 0, done.stderr
    resp = upload(client, world.headers(world.suppliers[0]), world.lot, out.read_bytes())
    assert resp.status_code in (200, 201), resp.get_json()
    bid = db.session.query(Bid).one()
    assert bid.supplier_id == org.id


def test_cli_refuses_a_key_for_another_lot(world: World, live_server: str, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text("{}", "utf-8")
    (tmp_path / "a.txt").write_text("x", "utf-8")
    done = _seal_cli(
        "seal",
        "--url",
        f"{live_server}/api/v1/lots/{world.lot.id}/opening-key",
        "--lot",
        str(world.lot.id + 1),
        "--bidder",
        world.orgs[0].credit_code,
        "--price-form",
        str(form),
        "-o",
        str(tmp_path / "bid.thsb"),
        str(tmp_path / "a.txt"),
    )
    assert done.returncode == 2
    assert "开标公钥属于另一个标段" in done.stderr


def test_cli_reports_the_servers_refusal(live_server: str, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text("{}", "utf-8")
    (tmp_path / "a.txt").write_text("x", "utf-8")
    done = _seal_cli(
        "seal",
        "--url",
        f"{live_server}/api/v1/lots/999999/opening-key",
        "--lot",
        "999999",
        "--bidder",
        "91150900MA0N000X7Q",
        "--price-form",
        str(form),
        "-o",
        str(tmp_path / "bid.thsb"),
        str(tmp_path / "a.txt"),
    )
    assert done.returncode == 2
    assert "HTTP 404" in done.stderr and "Traceback" not in done.stderr


def test_served_document_is_the_shared_schema_and_its_fingerprint_is_checked(
    client: Any, world: World
) -> None:
    body = client.get(f"/api/v1/lots/{world.lot.id}/opening-key").get_json()
    assert set(body) == set(OpeningKeyDocument().fields)
    assert read_opening_key(body)["lot_id"] == world.lot.id
    spec = client.get("/api/v1/openapi.json").get_json()
    served = spec["components"]["schemas"]["OpeningKeyDocument"]
    assert set(served["properties"]) == set(OpeningKeyDocument().fields)
    tampered = {**body, "key_sha256": "0" * 64}
    with pytest.raises(OpeningKeyMismatch):
        read_opening_key(tampered)
