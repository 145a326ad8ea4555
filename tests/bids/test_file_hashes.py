"""Plaintext file hashes after the prices are read: they always complete, and they are real."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.bids import actions, file_hashes
from bidding.bids.models import Bid, FilesCheck, LotCustodian
from tests.bids.conftest import DEADLINE, PASSPHRASES, World, seal, upload

BODIES = [b"%PDF-1.4 /Author (Li Si) bid " + bytes([n]) * (9000 + n) for n in range(3)]


def _open(client: Any, world: World) -> None:
    for user, org, body in zip(world.suppliers, world.orgs, BODIES, strict=True):
        data = seal(world.lot, org, price=f"{4_000_000 + len(body)}.00", body=body)
        assert upload(client, world.headers(user), world.lot, data).status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    for who in (0, 1):
        resp = client.post(
            f"/api/v1/lots/{world.lot.id}/hall/shares",
            json={"passphrase": PASSPHRASES[who]},
            headers=world.headers(world.custodians[who]),
        )
        assert resp.status_code == 200, resp.get_json()
    state = client.post(
        f"/api/v1/lots/{world.lot.id}/hall/decrypt", json={}, headers=world.headers(world.staff)
    ).get_json()
    assert state["status"] == "reading"


def _expected() -> set[str]:
    return {hashlib.sha256(b).hexdigest() for b in BODIES}


def test_prices_come_first_and_the_sweep_hashes_every_file_then_wipes_the_shares(
    client: Any, world: World
) -> None:
    _open(client, world)
    bids = db.session.query(Bid).filter_by(lot_id=world.lot.id).all()
    assert all(b.price_form and b.files_check == FilesCheck.PENDING for b in bids)
    assert all(b.files_checked_at is None for b in bids)
    assert not file_hashes.files_checked(world.lot)
    kept = db.session.query(LotCustodian).filter(LotCustodian.presented_share.is_not(None))
    assert kept.count() == 2  # still sealed to the server: the pass can always resume

    assert file_hashes.check_pending() == 3
    db.session.expire_all()
    bids = db.session.query(Bid).filter_by(lot_id=world.lot.id).all()
    assert {b.files_check for b in bids} == {FilesCheck.CONFIRMED}
    assert all(b.files_checked_at is not None for b in bids)
    actual = {f["sha256_actual"] for b in bids for f in b.plaintext_files}
    assert actual == {f["sha256"] for b in bids for f in b.plaintext_files} == _expected()
    assert file_hashes.files_checked(world.lot)
    assert kept.count() == 0
    entries = (
        db.session.query(AuditEntry)
        .filter_by(action=actions.BID_FILES_CHECKED)
        .order_by(AuditEntry.seq)
        .all()
    )
    assert len(entries) == 3
    # A second run (a sweep after the thread, or two processes) records nothing twice.
    assert file_hashes.check_pending() == 0
    assert db.session.query(AuditEntry).filter_by(action=actions.BID_FILES_CHECKED).count() == 3


def test_the_thread_started_after_the_ceremony_completes_on_its_own(
    app: Any, client: Any, world: World
) -> None:
    app.config["BID_FILES_CHECK_THREAD"] = True
    try:
        _open(client, world)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.expire_all()
            if file_hashes.files_checked(world.lot):
                break
            time.sleep(0.1)
    finally:
        app.config["BID_FILES_CHECK_THREAD"] = False
    db.session.expire_all()
    bids = db.session.query(Bid).filter_by(lot_id=world.lot.id).all()
    assert {b.files_check for b in bids} == {FilesCheck.CONFIRMED}
    assert {f["sha256_actual"] for b in bids for f in b.plaintext_files} == _expected()
    assert (
        db.session.query(LotCustodian).filter(LotCustodian.presented_share.is_not(None)).count()
        == 0
    )


def test_a_bid_whose_stored_bytes_changed_after_the_ceremony_is_flagged(
    client: Any, world: World
) -> None:
    from app.core.storage import get_store

    _open(client, world)
    bid = db.session.query(Bid).filter_by(lot_id=world.lot.id).order_by(Bid.id).first()
    assert bid is not None
    path = get_store().path_for(bid.ciphertext_sha256)
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    file_hashes.check_pending()
    db.session.expire_all()
    states = {b.id: b.files_check for b in db.session.query(Bid).filter_by(lot_id=world.lot.id)}
    assert states.pop(bid.id) == FilesCheck.MISMATCH
    assert set(states.values()) == {FilesCheck.CONFIRMED}
    entry = (
        db.session.query(AuditEntry)
        .filter_by(action=actions.BID_FILES_CHECKED, object_id=str(bid.id))
        .one()
    )
    assert '"mismatch"' in entry.data and '"storage"' in entry.data
