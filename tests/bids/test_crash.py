"""kill -9 of a real server process during uploads and during the opening loses nothing.

The server is the app under waitress in a subprocess, on the test database and instance
folder, with its clock pinned from the command line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core import clock
from app.core.audit.chain import canonical_json
from app.core.audit.models import AuditEntry
from app.core.crypto import platform_public_key, verify_receipt
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import file_hashes
from bidding.bids import opening as hall
from bidding.bids.models import (
    Bid,
    BidStatus,
    BidUpload,
    FilesCheck,
    LotCustodian,
    UploadStatus,
    get_freeze,
)
from bidding.bids.opening_record import record_document
from bidding.bids.uploads import finish_upload
from tests.bids.conftest import DEADLINE, PASSPHRASES, T0, World, seal, upload

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import datetime as dt, sys
from waitress import serve
from app.core import clock
from app.factory import create_app
clock.set_now(dt.datetime.fromisoformat(sys.argv[1]))
app = create_app({"DATABASE_URL": sys.argv[2], "INSTANCE_PATH": sys.argv[3],
                  "REDIS_URL": sys.argv[4] or None})
serve(app, host="127.0.0.1", port=int(sys.argv[5]), threads=4, _quiet=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app in its own process, killable with SIGKILL and restartable on the same port."""

    def __init__(self, app: Any, at: dt.datetime) -> None:
        self.args = [
            at.isoformat(),
            app.config["DATABASE_URL"],
            app.instance_path,
            app.config.get("REDIS_URL") or "",
        ]
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {**os.environ, "TENDERHALL_ENV": "testing", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, *self.args, str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60  # a busy shared machine imports slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(self.proc.stderr.read().decode() if self.proc.stderr else "")
            try:
                status, _body = self.request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        conn = self.conn()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(data or b"null")
        except ValueError:
            return resp.status, data


def _json(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture
def servers(app: Any) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _send_all(server: Server, headers: dict[str, str], token: str, data: bytes, start: int) -> None:
    for offset in range(start, len(data), 16384):
        status, body = server.request(
            "PUT",
            f"/api/v1/uploads/{token}?offset={offset}",
            data[offset : offset + 16384],
            {**headers, "Content-Type": "application/octet-stream"},
        )
        assert status == 200, body


def test_kill_9_during_uploads_leaves_no_half_bid_and_loses_no_accepted_bid(
    app: Any, world: World, servers: list[Server]
) -> None:
    lot = world.lot
    clock.set_now(T0 + dt.timedelta(hours=1))
    server = Server(app, clock.now()).start()
    servers.append(server)
    a, b, c = world.suppliers
    ha, hb, hc = (world.headers(u) for u in (a, b, c))

    # A: a whole bid accepted before the crash.
    data_a = seal(lot, a.organisation, body=b"%PDF-1.4 A " * 5000)
    status, body = server.request(
        "POST",
        f"/api/v1/lots/{lot.id}/uploads",
        json.dumps({"size": len(data_a)}).encode(),
        _json(ha),
    )
    assert status == 201, body
    _send_all(server, ha, body["token"], data_a, 0)
    status, receipt_a = server.request("POST", f"/api/v1/uploads/{body['token']}/finish", b"", ha)
    assert status == 201, receipt_a

    # B: half the chunks sent, then the server dies in the middle of the next chunk.
    data_b = seal(lot, b.organisation, body=b"%PDF-1.4 B " * 20000)
    status, body = server.request(
        "POST",
        f"/api/v1/lots/{lot.id}/uploads",
        json.dumps({"size": len(data_b)}).encode(),
        _json(hb),
    )
    token_b = body["token"]
    half = (len(data_b) // 2) // 16384 * 16384
    _send_all(server, hb, token_b, data_b[:half], 0)
    conn = server.conn()
    conn.putrequest("PUT", f"/api/v1/uploads/{token_b}?offset={half}")
    for k, v in {**hb, "Content-Type": "application/octet-stream"}.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(len(data_b) - half))
    conn.endheaders()
    conn.send(data_b[half : half + 20000])

    # C: the finish request races the kill: it either counts whole or can be sent again.
    data_c = seal(lot, c.organisation, body=b"%PDF-1.4 C " * 5000)
    status, body = server.request(
        "POST",
        f"/api/v1/lots/{lot.id}/uploads",
        json.dumps({"size": len(data_c)}).encode(),
        _json(hc),
    )
    token_c = body["token"]
    _send_all(server, hc, token_c, data_c, 0)
    racing = threading.Thread(
        target=lambda: _swallow(
            server.request, "POST", f"/api/v1/uploads/{token_c}/finish", b"", hc
        )
    )
    racing.start()
    time.sleep(0.02)
    server.kill()
    racing.join(timeout=10)
    conn.close()

    db.session.expire_all()
    assert db.session.query(Bid).filter_by(supplier_id=b.organisation_id).count() == 0
    bid_a = db.session.query(Bid).filter_by(supplier_id=a.organisation_id).one()
    assert bid_a.receipt == receipt_a and verify_receipt(receipt_a, platform_public_key())
    stored = get_store().path_for(bid_a.ciphertext_sha256).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == receipt_a["receipt"]["ciphertext_sha256"]
    assert stored == data_a

    server.start()
    status, state = server.request("GET", f"/api/v1/uploads/{token_b}", None, hb)
    assert status == 200 and state["status"] == "open"
    assert state["received"] == half  # the torn chunk never counted
    _send_all(server, hb, token_b, data_b, state["received"])
    status, receipt_b = server.request("POST", f"/api/v1/uploads/{token_b}/finish", b"", hb)
    assert status == 201, receipt_b
    assert receipt_b["receipt"]["ciphertext_sha256"] == hashlib.sha256(data_b).hexdigest()

    db.session.expire_all()
    upload_c = db.session.query(BidUpload).filter_by(token=token_c).one()
    if upload_c.status == UploadStatus.OPEN:  # the kill won: finish again
        status, receipt_c = server.request("POST", f"/api/v1/uploads/{token_c}/finish", b"", hc)
        assert status == 201, receipt_c
    db.session.expire_all()
    bids_c = db.session.query(Bid).filter_by(supplier_id=c.organisation_id).all()
    assert len(bids_c) == 1
    assert get_store().path_for(bids_c[0].ciphertext_sha256).read_bytes() == data_c
    assert db.session.query(Bid).filter_by(lot_id=lot.id).count() == 3


def _swallow(fn: Any, *args: Any) -> None:
    # The server dies under the request: exactly what the test wants.
    with contextlib.suppress(OSError, http.client.HTTPException):
        fn(*args)


def test_finish_interrupted_before_its_commit_can_be_sent_again(client: Any, world: World) -> None:
    user = world.suppliers[0]
    data = seal(world.lot, world.orgs[0])
    headers = world.headers(user)
    token = client.post(
        f"/api/v1/lots/{world.lot.id}/uploads", json={"size": len(data)}, headers=headers
    ).get_json()["token"]
    client.put(f"/api/v1/uploads/{token}?offset=0", data=data, headers=headers)
    upload_row = db.session.query(BidUpload).filter_by(token=token).one()
    finish_upload(upload_row, user)  # stored in the file store …
    db.session.rollback()  # … and the process dies before the bid's commit
    assert db.session.query(Bid).count() == 0
    resp = client.post(f"/api/v1/uploads/{token}/finish", headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert db.session.query(Bid).count() == 1


def test_kill_9_during_the_opening_resumes_and_ends_with_the_same_record(
    app: Any, client: Any, world: World, servers: list[Server]
) -> None:
    lot = world.lot
    prices = ["4500000.00", "4390000.00", "4620000.50"]
    for user, price in zip(world.suppliers, prices, strict=True):
        resp = upload(client, world.headers(user), lot, seal(lot, user.organisation, price=price))
        assert resp.status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(minutes=5))
    server = Server(app, clock.now()).start()
    servers.append(server)
    for custodian, passphrase in zip(world.custodians[:2], PASSPHRASES, strict=False):
        status, body = server.request(
            "POST",
            f"/api/v1/lots/{lot.id}/hall/shares",
            json.dumps({"passphrase": passphrase}).encode(),
            _json(world.headers(custodian)),
        )
        assert status == 200, body
    staff = _json(world.headers(world.staff))
    one = json.dumps({"max_bids": 1}).encode()
    status, body = server.request("POST", f"/api/v1/lots/{lot.id}/hall/decrypt", one, staff)
    assert status == 200 and body["status"] == "decrypting", body
    server.kill()  # between two decrypted bids

    db.session.expire_all()
    opened = [b for b in db.session.query(Bid).filter_by(lot_id=lot.id) if b.opened_at]
    assert len(opened) == 1

    server.start()
    everything = json.dumps({}).encode()
    racing = threading.Thread(
        target=lambda: _swallow(
            server.request, "POST", f"/api/v1/lots/{lot.id}/hall/decrypt", everything, staff
        )
    )
    racing.start()
    time.sleep(0.05)
    server.kill()  # during the rest, whatever it had reached
    racing.join(timeout=10)

    server.start()
    status, state = server.request("POST", f"/api/v1/lots/{lot.id}/hall/decrypt", everything, staff)
    assert status == 200, state
    assert state["status"] == "reading"
    status, state = server.request("POST", f"/api/v1/lots/{lot.id}/hall/record/sign", b"", staff)
    assert status == 200, state

    db.session.expire_all()
    freeze = get_freeze(lot)
    opening = hall.get_opening(lot)
    assert freeze is not None and opening is not None
    bids = {b.id: b for b in db.session.query(Bid).filter_by(lot_id=lot.id)}
    assert {b.status for b in bids.values()} == {BidStatus.DECRYPTED}
    assert sorted(b.price_form["total_price"] for b in bids.values()) == sorted(prices)
    # Each bid was opened exactly once in the log, whatever the crashes interrupted.
    actions = db.session.query(AuditEntry.action).filter(
        AuditEntry.action == "opening.bid_decrypted"
    )
    assert actions.count() == 3
    # The record is the one an uninterrupted opening computes from the same facts.
    presented = sorted(
        db.session.query(LotCustodian).filter(
            LotCustodian.lot_id == lot.id, LotCustodian.presented_at.is_not(None)
        ),
        key=lambda c: c.share_index,
    )
    material = canonical_json(
        [freeze.list_hash, [(c.share_index, c.presented_at) for c in presented]]
    )
    seed = hashlib.sha256(material.encode()).hexdigest()
    order = sorted(bids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    assert (opening.order_seed, opening.reading_order) == (seed, order)
    # The files' own hashes follow the prices (the server's tests run them by the sweep);
    # the shares stay sealed to the server until then, whatever the crashes interrupted.
    assert {b.files_check for b in bids.values()} == {FilesCheck.PENDING}
    assert file_hashes.check_pending() == 3
    db.session.expire_all()
    assert all(c.presented_share is None for c in presented)
    assert {b.files_check for b in bids.values()} == {FilesCheck.CONFIRMED}
    doc = record_document(lot, opening)
    assert [line["bid_id"] for line in doc["lines"]] == order
    assert opening.record_signature
