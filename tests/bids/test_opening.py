"""The opening hall: custody refused before the deadline, decryption, tampering, the record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app.core import clock
from app.core.crypto import pades
from app.core.extensions import db
from app.core.realtime import RoomEvent
from app.core.storage import get_store
from bidding.bids import file_hashes
from bidding.bids.custody import opening_key
from bidding.bids.freeze import sweep_deadlines
from bidding.bids.models import Bid, BidStatus, LotCustodian, Opening
from tests.bids.conftest import DEADLINE, PASSPHRASES, World, seal, upload

PRICES = ("4500000.00", "4300000.00", "4700000.00")


def _bid_all(client: Any, world: World) -> None:
    for user, org, price in zip(world.suppliers, world.orgs, PRICES, strict=True):
        resp = upload(client, world.headers(user), world.lot, seal(world.lot, org, price=price))
        assert resp.status_code == 201


def _present(client: Any, world: World, who: int) -> Any:
    return client.post(
        f"/api/v1/lots/{world.lot.id}/hall/shares",
        json={"passphrase": PASSPHRASES[who]},
        headers=world.headers(world.custodians[who]),
    )


def test_before_the_deadline_the_server_refuses_every_share(client: Any, world: World) -> None:
    _bid_all(client, world)
    clock.set_now(DEADLINE - dt.timedelta(seconds=1))
    for who in range(3):
        resp = _present(client, world, who)
        assert resp.status_code == 409
        assert "拒绝" in resp.get_json()["message"]
    assert (
        db.session.query(LotCustodian).filter(LotCustodian.presented_share.isnot(None)).count() == 0
    )


def test_before_the_deadline_no_path_yields_plaintext(client: Any, world: World) -> None:
    _bid_all(client, world)
    clock.set_now(DEADLINE - dt.timedelta(minutes=5))
    for user in (world.admin, world.staff, world.supervisor, *world.custodians):
        h = world.headers(user)
        answers = [
            client.get(f"/api/v1/lots/{world.lot.id}/hall", headers=h),
            client.post(f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=h),
            client.get(f"/api/v1/lots/{world.lot.id}/freeze", headers=h),
            client.get(f"/api/v1/bids/{db.session.query(Bid).first().id}/receipt", headers=h),  # type: ignore[union-attr]
            client.post(f"/api/v1/lots/{world.lot.id}/hall/record/sign", headers=h),
        ]
        for resp in answers:
            text = resp.get_data(as_text=True)
            assert resp.status_code < 500
            for price in PRICES:
                assert price not in text
            assert "technical bid" not in text
    assert all(b.price_form is None for b in db.session.query(Bid))


def test_wrong_passphrase_is_detected_and_never_used(client: Any, world: World) -> None:
    _bid_all(client, world)
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/shares",
        json={"passphrase": "not-the-passphrase"},
        headers=world.headers(world.custodians[0]),
    )
    assert resp.status_code == 422
    assert "口令" in resp.get_json()["message"]
    one = _present(client, world, 0)
    assert one.get_json()["shares_present"] == 1
    early = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=world.headers(world.staff)
    )
    assert early.status_code == 409 and "至少需要 2" in early.get_json()["message"]


def test_full_opening_reads_prices_in_a_fixed_random_order_and_publishes_a_record(
    client: Any, world: World
) -> None:
    _bid_all(client, world)
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    for user in world.suppliers:
        assert (
            client.post(
                f"/api/v1/lots/{world.lot.id}/hall/signin", headers=world.headers(user)
            ).status_code
            == 200
        )
    _present(client, world, 0)
    _present(client, world, 2)
    staff = world.headers(world.staff)
    state = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=staff
    ).get_json()
    assert state["status"] == "reading"
    assert sorted(line["total_price"] for line in state["lines"]) == sorted(PRICES)
    assert all(line["status"] == "decrypted" for line in state["lines"])
    # Prices are read; the files' own hashes follow off the critical path, and the shares
    # (sealed to the server) are wiped only once they are done.
    assert all(b.files_check == "pending" for b in db.session.query(Bid))
    assert file_hashes.check_pending() == len(PRICES)
    assert all(c.presented_share is None for c in db.session.query(LotCustodian))
    bid = db.session.query(Bid).first()
    assert bid is not None and bid.plaintext_files[0]["author"] == "Zhang San"  # type: ignore[index]
    objection = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/objections",
        json={"text": "第二名报价单位签到时间有误"},
        headers=world.headers(world.suppliers[0]),
    ).get_json()["objections"][0]
    blocked = client.post(f"/api/v1/lots/{world.lot.id}/hall/record/sign", headers=staff)
    assert blocked.status_code == 409 and "异议" in blocked.get_json()["message"]
    client.post(
        f"/api/v1/lots/{world.lot.id}/hall/objections/{objection['id']}/answer",
        json={"answer": "经核对签到记录无误"},
        headers=staff,
    )
    for user in world.suppliers:
        client.post(f"/api/v1/lots/{world.lot.id}/hall/confirm", headers=world.headers(user))
    signed = client.post(f"/api/v1/lots/{world.lot.id}/hall/record/sign", headers=staff)
    assert signed.status_code == 200, signed.get_json()
    opening = db.session.query(Opening).one()
    pdf = get_store().path_for(opening.record_pdf_sha256 or "").read_bytes()
    assert pdf.startswith(b"%PDF")
    # Signed as a PDF (PAdES) by the platform: valid against the certificate it publishes.
    cert = client.get("/api/v1/platform-keys").get_json()["pdf_certificate"]["certificate_pem"]
    assert pades.validate_pdf(pdf, cert).valid
    html = get_store().path_for(opening.record_sha256 or "").read_text("utf-8")
    assert "4300000.00" in html
    # The record states the opening time, who took part and has a line for each signature.
    assert "开标时间" in html and "参加人员" in html and "签字" in html
    for org in world.orgs:
        assert html.count(org.name) >= 2  # on a price line and on a signature line
    assert ">decrypted<" not in html and "解密成功" in html
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "records"
    artifacts.mkdir(parents=True, exist_ok=True)  # for a person to look at
    (artifacts / "opening-record.pdf").write_bytes(pdf)
    (artifacts / "opening-record.html").write_text(html, "utf-8")
    published = client.post(f"/api/v1/lots/{world.lot.id}/hall/record/publish", headers=staff)
    assert published.get_json()["status"] == "published"
    hall_room = RoomEvent.room == f"hall:{world.lot.id}"  # supervision has a room of its own
    kinds = [e.kind for e in db.session.query(RoomEvent).filter(hall_room).order_by(RoomEvent.seq)]
    assert kinds[0] == "frozen" and "reading" in kinds and kinds[-1] == "published"


def test_tampered_stored_ciphertext_is_detected_at_opening(client: Any, world: World) -> None:
    _bid_all(client, world)
    victim = db.session.query(Bid).filter_by(supplier_id=world.orgs[1].id).one()
    path = get_store().path_for(victim.ciphertext_sha256)
    raw = bytearray(path.read_bytes())
    raw[-40] ^= 0x01
    path.write_bytes(bytes(raw))
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    _present(client, world, 0)
    _present(client, world, 1)
    state = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=world.headers(world.staff)
    ).get_json()
    db.session.expire_all()
    victim = db.session.get(Bid, victim.id)
    assert victim is not None and victim.status == BidStatus.RETRACTED
    assert "平台" in victim.failure_reason
    others = [line for line in state["lines"] if line["bid_id"] != victim.id]
    assert all(line["status"] == "decrypted" for line in others)


def test_interrupted_opening_resumes_and_ends_with_the_same_record(
    client: Any, world: World
) -> None:
    _bid_all(client, world)
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    _present(client, world, 1)
    _present(client, world, 2)
    staff = world.headers(world.staff)
    partial = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={"max_bids": 1}, headers=staff
    ).get_json()
    assert partial["status"] == "decrypting" and partial["lines"] == []
    assert db.session.query(Bid).filter(Bid.opened_at.isnot(None)).count() == 1
    # The process died here: a new request picks up the presented shares and continues.
    db.session.remove()
    done = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=staff
    ).get_json()
    assert done["status"] == "reading"
    again = client.get(f"/api/v1/lots/{world.lot.id}/hall", headers=staff).get_json()
    assert again["lines"] == done["lines"] and again["order_seed"] == done["order_seed"]


def test_a_custodian_alone_cannot_decrypt(world: World) -> None:
    import pytest

    from app.core.crypto import CustodyError, recover_private_key, unseal_share

    custodian = db.session.query(LotCustodian).first()
    assert custodian is not None
    share = unseal_share(custodian.sealed_share, PASSPHRASES[0])
    key = opening_key(world.lot)
    with pytest.raises(CustodyError):
        recover_private_key(key.wrapped_private, [share])


def test_pages_show_receipt_freeze_and_hall_to_the_right_people(client: Any, world: World) -> None:
    from tests.factories import login

    _bid_all(client, world)
    bid = db.session.query(Bid).filter_by(supplier_id=world.orgs[0].id).one()
    login(client, world.suppliers[0])
    assert client.get(f"/bids/lots/{world.lot.id}").status_code == 200
    page = client.get(f"/bids/receipts/{bid.id}").get_data(as_text=True)
    assert bid.ciphertext_sha256 in page
    assert client.get(f"/bids/receipts/{bid.id}.json").get_json()["receipt"]["bid"]["id"] == bid.id
    other = db.session.query(Bid).filter_by(supplier_id=world.orgs[1].id).one()
    assert client.get(f"/bids/receipts/{other.id}").status_code == 404
    clock.set_now(DEADLINE + dt.timedelta(seconds=1))
    sweep_deadlines()
    db.session.commit()
    freeze = client.get(f"/bids/lots/{world.lot.id}/freeze").get_data(as_text=True)
    assert other.ciphertext_sha256 in freeze
    assert client.get(f"/bids/lots/{world.lot.id}/hall").status_code == 200
