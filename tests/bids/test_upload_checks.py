"""An upload is checked and hashed chunk by chunk; its finish trusts that check only when it
saw exactly the bytes the staging file holds."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import upload_checks, uploads
from bidding.bids.models import BidUpload
from tests.bids.conftest import World, seal

OCTETS = {"Content-Type": "application/octet-stream"}


def _start(client: Any, world: World, data: bytes) -> tuple[str, dict[str, str]]:
    headers = world.headers(world.suppliers[0])
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": len(data)}, headers=headers
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["token"], headers


def _put(
    client: Any, headers: dict[str, str], token: str, data: bytes, start: int, end: int
) -> None:
    resp = client.put(
        f"/api/v1/uploads/{token}?offset={start}",
        data=data[start:end],
        headers={**headers, **OCTETS},
    )
    assert resp.status_code == 200, resp.get_json()


def _finish(client: Any, headers: dict[str, str], token: str) -> dict[str, Any]:
    resp = client.post(f"/api/v1/uploads/{token}/finish", headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["receipt"]


def _bid_data(world: World) -> bytes:
    return seal(world.lot, world.orgs[0], body=b"%PDF" + bytes(range(256)) * 60)


def test_the_finish_takes_the_check_made_while_the_chunks_arrived(
    client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    for start in range(0, len(data), 4000):
        _put(client, headers, token, data, start, start + 4000)
    path = get_store().staging_path(token)
    check = upload_checks.finished(token, path, len(data))
    assert check is not None and check.passed
    assert check.sha256 == hashlib.sha256(data).hexdigest()

    receipt = _finish(client, headers, token)
    assert receipt["ciphertext_sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt["size"] == len(data)
    assert get_store().verify(receipt["ciphertext_sha256"])
    assert upload_checks.finished(token, path, len(data)) is None  # forgotten with the file


def test_a_restart_between_chunks_rebuilds_the_check_from_the_staging_file(
    client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    _put(client, headers, token, data, 0, 5000)
    upload_checks._seen.clear()  # what a new process starts with
    _put(client, headers, token, data, 5000, len(data))
    check = upload_checks.finished(token, get_store().staging_path(token), len(data))
    assert check is not None and check.passed and check.size == len(data)
    assert _finish(client, headers, token)["ciphertext_sha256"] == hashlib.sha256(data).hexdigest()


def test_a_staging_file_changed_behind_the_check_is_read_whole_at_the_finish(
    client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    _put(client, headers, token, data, 0, len(data))
    # A byte of the last frame's ciphertext changed on disk after it was checked: the
    # structure still holds, the hash does not.
    changed = bytearray(data)
    changed[-20] ^= 0xFF
    path = get_store().staging_path(token)
    path.write_bytes(bytes(changed))
    assert upload_checks.finished(token, path, len(data)) is None

    receipt = _finish(client, headers, token)
    assert receipt["ciphertext_sha256"] == hashlib.sha256(changed).hexdigest()
    assert get_store().verify(receipt["ciphertext_sha256"])


def test_a_chunk_rolled_back_leaves_the_check_at_the_recorded_offset(
    app: Any, client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    _put(client, headers, token, data, 0, 3000)
    user = world.suppliers[0]
    with app.test_request_context():
        upload = db.session.query(BidUpload).filter_by(token=token).one()
        uploads.put_chunk(upload, user, 3000, io.BytesIO(b"\x00" * 2000))
        db.session.rollback()
    path = get_store().staging_path(token)
    assert upload_checks.finished(token, path, 3000) is None  # the file holds 5000 bytes now
    assert upload_checks._seen[token].check.size == 3000

    _put(client, headers, token, data, 3000, len(data))
    assert _finish(client, headers, token)["ciphertext_sha256"] == hashlib.sha256(data).hexdigest()


def test_a_broken_container_is_refused_at_the_finish_with_the_whole_file_check(
    client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data + b"tail")
    _put(client, headers, token, data + b"tail", 0, len(data) + 4)
    check = upload_checks.finished(token, get_store().staging_path(token), len(data) + 4)
    assert check is not None and not check.passed
    resp = client.post(f"/api/v1/uploads/{token}/finish", headers=headers)
    assert resp.status_code == 422, resp.get_json()
    assert db.session.query(BidUpload).filter_by(token=token).one().bid_id is None
