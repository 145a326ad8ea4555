"""Signed PDF records and the published keys: what a bidder or a reader checks on their own.

Every check here uses only what the platform publishes (GET /api/v1/platform-keys): the PDF
signatures validate with pyHanko against the published certificate and break when a byte
changes; a real bid receipt verifies with `tenderhall-seal verify-receipt` and the published
key, and fails when the receipt is changed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.core import pdf
from app.core.crypto import pades
from app.core.extensions import db
from tests.bidding_docs.world import make_world
from tests.bids.conftest import World, fast_scrypt, seal, upload, world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _published(client: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/platform-keys")
    assert resp.status_code == 200
    return resp.get_json()


def _flip_signed_byte(data: bytes) -> bytes:
    """Change one byte in the middle of the first range the signature covers."""
    m = re.search(rb"/ByteRange \[\s*0 (\d+) (\d+) (\d+)\s*\]", data)
    assert m, "no /ByteRange"
    bad = bytearray(data)
    bad[int(m.group(1)) // 2] ^= 0x01
    return bytes(bad)


def test_signed_record_validates_against_the_published_certificate(
    client: Any, tmp_path: Path
) -> None:
    record = pdf.Record(
        title="测试记录",
        blocks=[pdf.Fields([("项目", "测试")]), pdf.Signatures(["经办人", "监督人员"])],
    )
    signed = pdf.record_pdf(record, reason="测试")
    published = _published(client)["pdf_certificate"]
    check = pades.validate_pdf(signed, published["certificate_pem"])
    assert check.valid and check.intact and check.trusted, check.message
    assert "Tender Hall" in check.signer
    # One changed byte inside the signed range (the original document) breaks it.
    assert not pades.validate_pdf(_flip_signed_byte(signed), published["certificate_pem"]).valid
    # Another certificate (not the platform's) is not trusted.
    other = pades.load_or_create_identity(tmp_path / "other-signer.pem")
    assert not pades.validate_pdf(signed, other.cert_pem).valid
    # The fingerprint published is that of the certificate published.
    info = pades.certificate_info()
    assert published["sha256"] == info.sha256
    download = client.get(published["download"])
    assert download.status_code == 200 and download.data.decode() == info.pem


def test_an_unsigned_or_damaged_pdf_is_invalid_not_an_error(client: Any) -> None:
    cert = _published(client)["pdf_certificate"]["certificate_pem"]
    plain = pdf.render(pdf.Record(title="未签名"))
    assert not pades.validate_pdf(plain, cert).valid
    assert not pades.validate_pdf(b"not a pdf", cert).valid


def test_receipt_verifies_end_to_end_with_the_published_key(
    client: Any,
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    user, org = world.suppliers[0], world.orgs[0]
    resp = upload(client, world.headers(user), world.lot, seal(world.lot, org))
    assert resp.status_code == 201, resp.get_json()
    bid_id = resp.get_json()["receipt"]["bid"]["id"]
    # The bidder downloads the receipt as the receipt page offers it ...
    receipt = client.get(f"/bids/receipts/{bid_id}.json", headers=world.headers(user))
    assert receipt.status_code == 200
    (tmp_path / "receipt.json").write_bytes(receipt.data)
    # ... and the key from the published keys, without logging in.
    key = _published(client.application.test_client())["receipt_key"]
    assert key["key_id"] == json.loads(receipt.data)["key_id"]
    pem = client.application.test_client().get(key["download"]).data
    assert pem.decode() == key["public_key_pem"]
    (tmp_path / "platform-ed25519.pem").write_bytes(pem)

    def verify(receipt_file: str, key_arg: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.core.crypto.cli", "verify-receipt", receipt_file]
            + ["--public-key", key_arg],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    ok = verify(str(tmp_path / "receipt.json"), str(tmp_path / "platform-ed25519.pem"))
    assert ok.returncode == 0, ok.stderr
    assert "回执签名有效" in ok.stdout
    assert verify(str(tmp_path / "receipt.json"), key["raw_hex"]).returncode == 0
    doc = json.loads(receipt.data)
    doc["receipt"]["size"] += 1
    (tmp_path / "changed.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    bad = verify(str(tmp_path / "changed.json"), str(tmp_path / "platform-ed25519.pem"))
    assert bad.returncode == 1 and "无效" in bad.stderr

    # The receipt's PDF carries the platform's PAdES signature.
    signed = client.get(f"/bids/receipts/{bid_id}.pdf", headers=world.headers(user))
    assert signed.status_code == 200 and signed.mimetype == "application/pdf"
    cert = _published(client)["pdf_certificate"]["certificate_pem"]
    assert pades.validate_pdf(signed.data, cert).valid
    # Another supplier gets nothing.
    other = client.get(f"/bids/receipts/{bid_id}.pdf", headers=world.headers(world.suppliers[1]))
    assert other.status_code == 404


def test_keys_page_says_how_to_verify(client: Any) -> None:
    html = client.get("/keys").get_data(as_text=True)
    published = _published(client)
    assert published["receipt_key"]["sha256"] in html
    assert published["pdf_certificate"]["sha256_colons"] in html
    assert "tenderhall-seal verify-receipt receipt.json --public-key platform-ed25519.pem" in html
    assert 'data-testid="keys-link"' in client.get("/").get_data(as_text=True)


def test_announcement_pdf_is_signed_and_the_page_prints_cleanly(client: Any) -> None:
    from app.core import clock
    from bidding.models import Announcement, AnnouncementKind

    w = make_world()
    a = Announcement(
        project_id=w.project.id,
        lot_id=w.lot.id,
        kind=AnnouncementKind.TENDER,
        title="市第一中学教学楼修缮工程招标公告",
        body="一、项目概况\n二、投标人资格要求",
        fields={"budget": "1000000.00", "project_code": w.project.code},
        centre_id=w.centre.id,
        method=w.project.method,
        category_code="A08",
        published_at=clock.now(),
        created_by_id=w.staff.id,
        created_at=clock.now(),
    )
    db.session.add(a)
    db.session.commit()
    page = client.get(f"/announcements/{a.id}").get_data(as_text=True)
    assert 'media="print"' in page and "css/print.css" in page
    assert f"/announcements/{a.id}.pdf" in page
    resp = client.get(f"/announcements/{a.id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    cert = _published(client)["pdf_certificate"]["certificate_pem"]
    assert pades.validate_pdf(resp.data, cert).valid
    assert client.get("/announcements/999999.pdf").status_code == 404
    css = (ROOT / "app" / "static" / "css" / "print.css").read_text("utf-8")
    for rule in ("@page", "A4", ".masthead", ".topbar", "display: none"):
        assert rule in css


def test_draw_record_pdf_is_signed_for_those_who_see_the_draw(client: Any) -> None:
    from tests.experts.world import build_world, make_pool, request, run
    from tests.factories import login, make_user

    w = build_world()
    make_pool(w.centre, 10)
    item = run(w, request(w, groups=[{"specialty": "A08", "count": 5, "reserves": 2}]))
    outsider = make_user("supplier")
    db.session.commit()
    login(client, w.agency_staff)
    page = client.get(f"/experts/draws/{item.id}").get_data(as_text=True)
    assert f"/experts/draws/{item.id}/record.pdf" in page
    resp = client.get(f"/experts/draws/{item.id}/record.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    cert = _published(client)["pdf_certificate"]["certificate_pem"]
    assert pades.validate_pdf(resp.data, cert).valid
    other = client.application.test_client()
    login(other, outsider)
    assert other.get(f"/experts/draws/{item.id}/record.pdf").status_code == 403


def test_records_are_signed_and_checked_from_inside_a_running_event_loop(
    tmp_path: Path,
) -> None:
    """A caller driven by an asyncio loop (the rooms server's thread, a browser driver) still
    gets a signed record: pyHanko's own asyncio.run would refuse there."""
    import asyncio

    ident = pades.load_or_create_identity(tmp_path / "signer.pem")
    unsigned = pdf.render(pdf.Record(title="测试记录", blocks=[pdf.Fields([("项目", "测试")])]))

    async def inside() -> tuple[bytes, pades.PdfCheck]:
        signed = pades.sign_pdf(unsigned, reason="测试", identity=ident)
        return signed, pades.validate_pdf(signed, ident.cert_pem)

    signed, check = asyncio.run(inside())
    assert signed.startswith(unsigned)  # an incremental update over the record
    assert check.valid and check.intact and check.trusted, check.message
