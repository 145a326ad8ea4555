"""An upload is checked and hashed chunk by chunk; its finish trusts that check only when it
saw exactly the bytes the staging file holds."""

from __future__ import annotations

import hashlib
import io
import threading
from typing import Any

import pytest

from app.core.errors import Conflict
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


class _BrokenStream(io.RawIOBase):
    """A request body that breaks off after `good` bytes (a client gone mid-chunk)."""

    def __init__(self, good: bytes) -> None:
        self.left = good

    def read(self, n: int = -1) -> bytes:
        if not self.left:
            raise ConnectionResetError("client went away")
        block, self.left = self.left[:n], self.left[n:]
        return block


def test_a_chunk_broken_off_leaves_the_file_and_the_check_at_the_last_offset(
    app: Any, client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    _put(client, headers, token, data, 0, 3000)
    user = world.suppliers[0]
    with app.test_request_context():
        upload = db.session.query(BidUpload).filter_by(token=token).one()
        with pytest.raises(ConnectionResetError):
            uploads.put_chunk(upload, user, 3000, _BrokenStream(data[3000:5000]))
        db.session.rollback()
    path = get_store().staging_path(token)
    assert path.stat().st_size == 3000
    assert upload_checks._seen[token].check.size == 3000  # the check did not move on
    state = client.get(f"/api/v1/uploads/{token}", headers=headers).get_json()
    assert state["received"] == 3000

    _put(client, headers, token, data, 3000, len(data))
    assert _finish(client, headers, token)["ciphertext_sha256"] == hashlib.sha256(data).hexdigest()


def test_two_chunks_for_one_offset_at_once_take_turns_and_the_second_is_told_where_to_go_on(
    app: Any, client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    user = world.suppliers[0]
    reading = threading.Event()
    go_on = threading.Event()

    class SlowStream(io.RawIOBase):
        def __init__(self) -> None:
            self.left = data[:4000]

        def read(self, n: int = -1) -> bytes:
            reading.set()
            assert go_on.wait(10)
            block, self.left = self.left[:n], self.left[n:]
            return block

    errors: list[BaseException] = []

    def first() -> None:
        try:
            with app.test_request_context():
                upload = db.session.query(BidUpload).filter_by(token=token).one()
                uploads.put_chunk(upload, user, 0, SlowStream())
                db.session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    t = threading.Thread(target=first)
    t.start()
    assert reading.wait(10)
    # The second request for offset 0 waits for the first to finish its chunk ...
    second: list[Any] = []
    t2 = threading.Thread(
        target=lambda: second.append(
            client.put(
                f"/api/v1/uploads/{token}?offset=0",
                data=b"\x00" * 4000,
                headers={**headers, **OCTETS},
            )
        )
    )
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()
    go_on.set()
    t.join(10)
    t2.join(10)
    assert not errors, errors
    # ... and is then told the offset the first one reached; the first one's bytes stand.
    assert second[0].status_code == 409
    assert second[0].get_json()["details"]["expected_offset"] == "4000"
    assert get_store().staging_path(token).read_bytes() == data[:4000]


def test_a_chunk_after_the_finish_adopted_the_file_is_refused(
    app: Any, client: Any, world: World
) -> None:
    data = _bid_data(world)
    token, headers = _start(client, world, data)
    _put(client, headers, token, data, 0, len(data))
    path = get_store().staging_path(token)
    user = world.suppliers[0]
    # What a chunk meets between a finish's adoption and its commit: the staging file is
    # already the stored object's other name.
    stored = get_store().adopt(path, hashlib.sha256(data).hexdigest())
    with app.test_request_context():
        upload = db.session.query(BidUpload).filter_by(token=token).one()
        with pytest.raises(Conflict):
            uploads.put_chunk(upload, user, len(data), io.BytesIO(b"\x00" * 10))
        db.session.rollback()
    assert stored.read_bytes() == data


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
