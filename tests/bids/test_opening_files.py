"""The opened bids' files are kept under the hash computed when they are hashed after the
ceremony, for the evaluation committee; a bid that fails to open leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from app.core import clock
from app.core.extensions import db
from app.core.storage import STAGING_DIR, get_store
from bidding.bids import file_hashes
from bidding.bids.models import Bid, BidStatus
from tests.bids.conftest import DEADLINE, PASSPHRASES, World, seal, upload


def _open(client: Any, world: World) -> None:
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
    assert state["status"] == "reading", state
    # The file pass runs off the ceremony's critical path (a thread in production).
    file_hashes.check_lot(world.lot.id)
    db.session.expire_all()


def test_each_decrypted_file_is_kept_under_its_hash(client: Any, world: World) -> None:
    bodies = [f"%PDF-1.4 technical bid of bidder {n} ".encode() * (200 + n) for n in range(3)]
    for user, org, body in zip(world.suppliers, world.orgs, bodies, strict=True):
        assert (
            upload(client, world.headers(user), world.lot, seal(world.lot, org, body=body))
        ).status_code == 201
    _open(client, world)
    store = get_store()
    for bid, body in zip(db.session.query(Bid).order_by(Bid.supplier_id), bodies, strict=True):
        assert bid.status == BidStatus.DECRYPTED
        (entry,) = bid.plaintext_files or []
        assert entry["name"] == "技术标.pdf" and entry["size"] == len(body)
        assert store.path_for(entry["sha256"]).read_bytes() == body
        assert store.verify(entry["sha256"])
    staging = store.root / STAGING_DIR
    assert not staging.exists() or not any(staging.iterdir()), sorted(staging.iterdir())


def test_a_bid_that_fails_to_open_leaves_no_file(client: Any, world: World) -> None:
    bodies = [
        b"%PDF-1.4 good bid",
        b"%PDF-1.4 bid whose ciphertext is damaged " * 300,
        b"%PDF-1.4 another good bid",
    ]
    for user, org, body in zip(world.suppliers, world.orgs, bodies, strict=True):
        assert (
            upload(client, world.headers(user), world.lot, seal(world.lot, org, body=body))
        ).status_code == 201
    victim = db.session.query(Bid).filter_by(supplier_id=world.orgs[1].id).one()
    path = get_store().path_for(victim.ciphertext_sha256)
    raw = bytearray(path.read_bytes())
    raw[-40] ^= 0x01  # the last chunk: the file's first bytes were already decrypted
    path.write_bytes(bytes(raw))
    _open(client, world)
    victim = db.session.get(Bid, victim.id)
    assert victim is not None and victim.status == BidStatus.RETRACTED
    assert victim.plaintext_files is None
    assert not get_store().exists(hashlib.sha256(bodies[1]).hexdigest())
    good = db.session.query(Bid).filter_by(supplier_id=world.orgs[0].id).one()
    assert get_store().exists(good.plaintext_files[0]["sha256"])  # type: ignore[index]
    staging = get_store().root / STAGING_DIR
    assert not staging.exists() or not any(staging.iterdir()), sorted(staging.iterdir())
