"""Sealed-bid rules: eligibility, uploads, receipts, replacement, the deadline freeze, 流标."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.audit.chain import leaf_hash, verify_inclusion
from app.core.auth.models import Role
from app.core.crypto import platform_public_key, verify_receipt
from app.core.extensions import db
from bidding.bids.eligibility import bid_problems
from bidding.bids.freeze import freeze_entries, sweep_deadlines
from bidding.bids.models import Bid, BidStatus, BidUpload, LotFreeze
from bidding.models import Lot, LotStatus
from tests.bids.conftest import DEADLINE, World, make_supplier, seal, upload


def test_bid_uploaded_in_chunks_gets_a_signed_receipt_anchored_in_the_audit_log(
    client: Any, world: World
) -> None:
    user, org = world.suppliers[0], world.orgs[0]
    data = seal(world.lot, org)
    resp = upload(client, world.headers(user), world.lot, data)
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()
    assert verify_receipt(doc, platform_public_key())
    body = doc["receipt"]
    import hashlib

    assert body["ciphertext_sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data)
    assert body["company"]["credit_code"] == org.credit_code
    audit = body["audit"]
    proof = [bytes.fromhex(p) for p in audit["inclusion_proof"]]
    assert verify_inclusion(
        audit["leaf_index"],
        audit["tree_size"],
        leaf_hash(audit["entry_hash"]),
        proof,
        bytes.fromhex(audit["root"]),
    )
    doc["receipt"]["size"] += 1
    assert not verify_receipt(doc, platform_public_key())


def test_resumed_upload_is_told_the_offset_the_server_has(client: Any, world: World) -> None:
    user = world.suppliers[0]
    headers = world.headers(user)
    data = seal(world.lot, world.orgs[0], body=b"%PDF" + b"x" * 8000)
    token = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": len(data)}, headers=headers
    ).get_json()["token"]
    ok = client.put(f"/api/v1/uploads/{token}?offset=0", data=data[:3000], headers=headers)
    assert ok.get_json()["received"] == 3000
    stale = client.put(f"/api/v1/uploads/{token}?offset=0", data=data[:3000], headers=headers)
    assert stale.status_code == 409
    assert stale.get_json()["details"]["expected_offset"] == "3000"
    assert client.get(f"/api/v1/uploads/{token}", headers=headers).get_json()["received"] == 3000
    client.put(f"/api/v1/uploads/{token}?offset=3000", data=data[3000:], headers=headers)
    assert client.post(f"/api/v1/uploads/{token}/finish", headers=headers).status_code == 201


def test_container_for_another_lot_is_refused_at_the_first_chunk(client: Any, world: World) -> None:
    data = seal(world.lot, world.orgs[0], lot_id=world.lot.id + 99, lot_code="OTHER-LOT")
    resp = upload(client, world.headers(world.suppliers[0]), world.lot, data)
    assert resp.status_code == 422
    assert "标段" in resp.get_json()["message"]
    assert db.session.query(Bid).count() == 0


def test_container_sealed_for_another_bidder_is_refused(client: Any, world: World) -> None:
    data = seal(world.lot, world.orgs[1])
    resp = upload(client, world.headers(world.suppliers[0]), world.lot, data)
    assert resp.status_code == 422
    assert "投标人" in resp.get_json()["message"]


def test_truncated_container_is_refused_at_finish_and_no_bid_exists(
    client: Any, world: World
) -> None:
    data = seal(world.lot, world.orgs[0], body=b"x" * 20000)
    resp = upload(client, world.headers(world.suppliers[0]), world.lot, data[:-100])
    assert resp.status_code == 422
    assert "不完整" in resp.get_json()["message"]
    assert db.session.query(Bid).count() == 0


def test_upload_over_the_lot_size_limit_is_refused(client: Any, world: World) -> None:
    headers = world.headers(world.suppliers[0])
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads",
        json={"size": world.lot.max_bid_bytes + 1},
        headers=headers,
    )
    assert resp.status_code == 422
    assert "上限" in resp.get_json()["message"]
    # Declared small, sent large: the bytes past the declared size are refused.
    data = seal(world.lot, world.orgs[0], body=b"x" * 8000)
    token = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": 100}, headers=headers
    ).get_json()["token"]
    over = client.put(f"/api/v1/uploads/{token}?offset=0", data=data[:4000], headers=headers)
    assert over.status_code == 422
    assert client.get(f"/api/v1/uploads/{token}", headers=headers).get_json()["received"] == 0


def test_upload_started_before_the_deadline_and_finished_after_it_is_refused(
    client: Any, world: World
) -> None:
    headers = world.headers(world.suppliers[0])
    data = seal(world.lot, world.orgs[0])
    clock.set_now(DEADLINE - dt.timedelta(minutes=1))
    token = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": len(data)}, headers=headers
    ).get_json()["token"]
    client.put(f"/api/v1/uploads/{token}?offset=0", data=data, headers=headers)
    clock.set_now(DEADLINE)
    resp = client.post(f"/api/v1/uploads/{token}/finish", headers=headers)
    assert resp.status_code == 409
    assert "截止" in resp.get_json()["message"]
    assert db.session.query(Bid).count() == 0


def test_new_upload_after_the_deadline_is_refused_whatever_the_client_says(
    client: Any, world: World
) -> None:
    clock.set_now(DEADLINE + dt.timedelta(seconds=1))
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads",
        json={"size": 10},
        headers={**world.headers(world.suppliers[0]), "Date": "Mon, 01 Jan 2024 00:00:00 GMT"},
    )
    assert resp.status_code == 409


def test_replacing_a_bid_keeps_every_version_and_the_last_counts(client: Any, world: World) -> None:
    user, org = world.suppliers[0], world.orgs[0]
    headers = world.headers(user)
    first = upload(client, headers, world.lot, seal(world.lot, org, price="4600000.00"))
    second = upload(client, headers, world.lot, seal(world.lot, org, price="4400000.00"))
    assert first.status_code == second.status_code == 201
    assert second.get_json()["receipt"]["bid"]["version"] == 2
    bids = client.get(f"/api/v1/lots/{world.lot.id}/my-bids", headers=headers).get_json()
    assert [(b["version"], b["status"]) for b in bids] == [(2, "submitted"), (1, "replaced")]


def test_withdrawn_bid_is_not_frozen(client: Any, world: World) -> None:
    headers = world.headers(world.suppliers[0])
    upload(client, headers, world.lot, seal(world.lot, world.orgs[0]))
    resp = client.post(f"/api/v1/lots/{world.lot.id}/withdraw", headers=headers)
    assert resp.get_json()["status"] == "withdrawn"
    assert freeze_entries(world.lot) == []


def test_supplier_without_download_bond_or_with_blacklist_cannot_bid(
    client: Any, world: World
) -> None:
    no_download = make_supplier(world.lot, world.staff, download=False)
    no_bond = make_supplier(world.lot, world.staff, bond=False)
    banned = make_supplier(world.lot, world.staff)
    banned.organisation.blacklisted_until = DEADLINE + dt.timedelta(days=365)  # type: ignore[union-attr]
    db.session.commit()
    for user, word in ((no_download, "下载"), (no_bond, "保证金"), (banned, "失信")):
        resp = client.post(
            f"/api/v1/lots/{world.lot.id}/uploads", json={"size": 10}, headers=world.headers(user)
        )
        assert resp.status_code == 409, resp.get_json()
        assert word in resp.get_json()["message"]


def test_a_bond_paid_short_does_not_open_the_gate(world: World) -> None:
    from tests.bids.conftest import pay_bond
    from tests.factories import make_org, make_user

    user = make_user(Role.SUPPLIER, organisation=make_org())
    pay_bond(world.lot, user, amount="100.00")
    assert any("保证金" in p for p in bid_problems(world.lot, user.organisation))


def _three_bids(client: Any, world: World) -> None:
    for user, org in zip(world.suppliers, world.orgs, strict=True):
        assert (
            upload(client, world.headers(user), world.lot, seal(world.lot, org)).status_code == 201
        )


def test_deadline_sweep_freezes_current_bid_hashes_once(client: Any, world: World) -> None:
    _three_bids(client, world)
    clock.set_now(DEADLINE + dt.timedelta(seconds=5))
    assert sweep_deadlines() == 1
    db.session.commit()
    assert sweep_deadlines() == 0  # idempotent
    freeze = db.session.query(LotFreeze).one()
    assert freeze.bid_count == 3 and not freeze.failed
    assert db.session.get(Lot, world.lot.id).status == LotStatus.CLOSED  # type: ignore[union-attr]
    shown = client.get(
        f"/api/v1/lots/{world.lot.id}/freeze", headers=world.headers(world.supervisor)
    ).get_json()
    assert shown["list_hash"] == freeze.list_hash
    hashes = {b.ciphertext_sha256 for b in db.session.query(Bid)}
    assert {e["sha256"] for e in shown["entries"]} == hashes


def test_fewer_than_three_bids_fail_the_lot_and_staff_may_retender(
    client: Any, world: World
) -> None:
    upload(client, world.headers(world.suppliers[0]), world.lot, seal(world.lot, world.orgs[0]))
    clock.set_now(DEADLINE + dt.timedelta(hours=2))  # the scheduler was down: it catches up
    sweep_deadlines()
    db.session.commit()
    lot = db.session.get(Lot, world.lot.id)
    assert lot is not None and lot.status == LotStatus.FAILED
    assert "不足" in lot.status_reason
    resp = client.post(f"/api/v1/lots/{lot.id}/retender", headers=world.headers(world.staff))
    assert resp.status_code == 201
    copy = db.session.get(Lot, resp.get_json()["id"])
    assert copy is not None and copy.status == LotStatus.DRAFT and copy.budget == lot.budget
    again = client.post(f"/api/v1/lots/{lot.id}/retender", headers=world.headers(world.staff))
    assert again.status_code == 409


def test_only_staff_of_the_lot_may_retender(client: Any, world: World) -> None:
    clock.set_now(DEADLINE + dt.timedelta(seconds=1))
    sweep_deadlines()
    db.session.commit()
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/retender", headers=world.headers(world.supervisor)
    )
    assert resp.status_code == 403


def test_open_upload_sessions_are_closed_by_the_freeze(client: Any, world: World) -> None:
    headers = world.headers(world.suppliers[0])
    client.post(f"/api/v1/lots/{world.lot.id}/uploads", json={"size": 10}, headers=headers)
    clock.set_now(DEADLINE)
    sweep_deadlines()
    db.session.commit()
    assert db.session.query(BidUpload).one().status.value == "failed"


def test_only_suppliers_may_upload(client: Any, world: World) -> None:
    for user in (world.staff, world.supervisor, world.admin):
        resp = client.post(
            f"/api/v1/lots/{world.lot.id}/uploads", json={"size": 10}, headers=world.headers(user)
        )
        assert resp.status_code == 403
    assert world.admin.role == Role.ADMIN


def test_public_opening_key_is_served_as_pem(client: Any, world: World) -> None:
    resp = client.get(f"/api/v1/lots/{world.lot.id}/opening-key")
    body = resp.get_json()
    assert body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert (body["k"], body["n"]) == (2, 3)
    assert "PRIVATE" not in resp.get_data(as_text=True)


def test_bid_status_never_changes_to_decrypted_by_upload(client: Any, world: World) -> None:
    upload(client, world.headers(world.suppliers[0]), world.lot, seal(world.lot, world.orgs[0]))
    bid = db.session.query(Bid).one()
    assert bid.status == BidStatus.SUBMITTED and bid.price_form is None


def test_key_ceremony_needs_two_or_more_custodians_and_threshold_at_least_two(
    client: Any, world: World
) -> None:
    from tests.factories import make_centre, make_org, make_user

    lot = world.lot
    other = Lot(
        project_id=lot.project_id,
        seq=2,
        code="TH-2026-001-02",
        name="施工二标段",
        category_code="A08",
        budget=lot.budget,
        bid_bond=lot.bid_bond,
        evaluation_method=lot.evaluation_method,
        status=LotStatus.DRAFT,
        bid_deadline=DEADLINE,
    )
    db.session.add(other)
    db.session.commit()
    assert make_centre and make_org  # factories used above in the world
    staff = world.headers(world.staff)
    url = f"/api/v1/lots/{other.id}/opening-key"
    ids = [u.id for u in world.custodians]
    solo = client.post(
        url,
        json={
            "custodians": [{"user_id": i, "passphrase": "long-enough-pass"} for i in ids],
            "k": 1,
        },
        headers=staff,
    )
    assert solo.status_code == 422
    short = client.post(
        url,
        json={"custodians": [{"user_id": i, "passphrase": "short"} for i in ids]},
        headers=staff,
    )
    assert short.status_code == 422 and "过短" in short.get_json()["message"]
    supplier = make_user(Role.SUPPLIER, organisation=world.orgs[0])
    db.session.commit()
    wrong = client.post(
        url,
        json={
            "custodians": [
                {"user_id": i, "passphrase": "long-enough-pass"} for i in (ids[0], supplier.id)
            ]
        },
        headers=staff,
    )
    assert wrong.status_code == 422
    ok = client.post(
        url,
        json={"custodians": [{"user_id": i, "passphrase": f"passphrase-{i}-xyz"} for i in ids]},
        headers=staff,
    )
    assert ok.status_code == 201, ok.get_json()
    assert (ok.get_json()["k"], ok.get_json()["n"]) == (2, 3)
    again = client.post(
        url,
        json={"custodians": [{"user_id": i, "passphrase": f"passphrase-{i}-xyz"} for i in ids]},
        headers=staff,
    )
    assert again.status_code == 409
    stranger = client.post(
        url,
        json={"custodians": [{"user_id": i, "passphrase": "long-enough-pass"} for i in ids]},
        headers=world.headers(world.supervisor),
    )
    assert stranger.status_code == 403
