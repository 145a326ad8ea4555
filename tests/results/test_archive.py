"""Project archives: built from a contracted lot, verified in the app, by the command and by
the standalone script; one changed byte, a removed file or another key fail, naming what;
a build that fails half-way leaves nothing and the next run completes it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.archive import build
from app.archive.models import LotArchive
from app.archive.verify import verify_package
from app.core import clock
from app.core.clock import CST
from app.core.crypto import platform_public_key
from app.core.crypto.signing import load_or_create_key, sign_json
from app.core.extensions import db
from app.core.storage import get_store
from bidding.results import award, contracts, filings, publicity
from tests.factories import login
from tests.results import world as rw
from tests.results.world import ResultWorld

ROOT = Path(__file__).resolve().parents[2]


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


@pytest.fixture
def w() -> ResultWorld:
    w = rw.build()
    clock.set_now(cst(2026, 4, 1, 10, 0))
    publicity.publish_publicity(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 2, 10, 0))
    obj = filings.file_filing(
        w.lot, w.bidders[1], "objection", "技术分有误", attachments=[("证据.pdf", rw.pdf_file("e"))]
    )
    filings.answer_filing(obj, w.staff, "经复核无误。")
    clock.set_now(cst(2026, 4, 8, 10, 0))  # the publicity ran to 24:00 of 7 April
    award.confirm_award(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 9, 10, 0))
    contracts.file_contract(
        w.lot,
        w.staff,
        number="HT-9",
        lot_code=w.lot.code,
        supplier_id=w.bidders[0].organisation_id,
        price="880000.00",
        signed_on="2026-04-08",
        filename="合同.pdf",
        stream=rw.pdf_file("signed contract"),
    )
    db.session.commit()
    return w


def _rewrite(src: Path, dst: Path, change: Any) -> None:
    """Copy a package entry by entry, letting `change(name, data)` alter or drop entries."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def test_build_and_verify_offline(w: ResultWorld, tmp_path: Path, app: Any) -> None:
    row = build.build_archive(w.lot, w.staff)
    db.session.commit()
    path = Path(build.path_of(row))
    assert row.retain_until == dt.date(2041, 4, 9)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    for expected in (
        "manifest.json",
        "manifest.sig",
        "audit/checkpoint.json",
        "audit/entries.jsonl",
        "documents/v1-招标文件.pdf",
        "result/result.json",
        "qa/questions.json",
        "objections/result.json",
    ):
        assert expected in names
    assert any(n.startswith("notices/") and n.endswith("-candidates.json") for n in names)
    assert any(n.startswith("result/notices/") and n.endswith("-award.pdf") for n in names)
    assert any(n.startswith("contract/") and n.endswith("合同.pdf") for n in names)
    assert any(n.startswith("objections/files/") for n in names)
    assert sum(n.endswith(".sealed") for n in names) == 4
    pem = platform_public_key().pem
    ok, message, n = verify_package(str(path), pem)
    assert ok, message
    assert n == row.files
    # the commands, and the script that runs without the platform
    runner = app.test_cli_runner()
    out = runner.invoke(args=["archive", "build", w.lot.code, "--out", str(tmp_path / "a.zip")])
    assert out.exit_code == 0, out.output
    assert verify_package(str(tmp_path / "a.zip"), platform_public_key().pem)[0]
    out = runner.invoke(args=["archive", "verify", str(path)])
    assert out.exit_code == 0 and "OK" in out.output
    key = tmp_path / "platform.pem"
    key.write_text(pem)
    script = [sys.executable, "-I", str(ROOT / "scripts" / "verify_archive.py")]
    done = subprocess.run([*script, str(path), "--key", str(key)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    # one byte changed in place, in a sealed bid
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(".sealed"))
    flipped = tmp_path / "flipped.zip"
    shutil.copyfile(path, flipped)
    raw = bytearray(flipped.read_bytes())
    name_len = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + 3
    raw[at] ^= 0x01
    flipped.write_bytes(bytes(raw))
    ok, message, _n = verify_package(str(flipped), pem)
    assert not ok and message.startswith(info.filename)
    done = subprocess.run(
        [*script, str(flipped), "--key", str(key)], capture_output=True, text=True
    )
    assert done.returncode == 1 and info.filename in done.stdout
    # a changed byte that keeps the zip's own checksum right still fails the manifest
    doc = "documents/v1-招标文件.pdf"
    edited = tmp_path / "edited.zip"
    _rewrite(path, edited, lambda name, data: data + b" " if name == doc else data)
    ok, message, _n = verify_package(str(edited), pem)
    assert not ok and message.startswith(doc)
    # a file removed
    removed = tmp_path / "removed.zip"
    _rewrite(path, removed, lambda name, data: None if name == "result/result.json" else data)
    ok, message, _n = verify_package(str(removed), pem)
    assert not ok and message == "result/result.json: missing from the package"
    # the manifest re-signed with another key
    other = load_or_create_key(tmp_path / "other.pem")
    import json

    def resign(name: str, data: bytes) -> bytes:
        if name == "manifest.sig":
            with zipfile.ZipFile(path) as zf:
                return sign_json(json.loads(zf.read("manifest.json")), other).encode()
        return data

    resigned = tmp_path / "resigned.zip"
    _rewrite(path, resigned, resign)
    ok, message, _n = verify_package(str(resigned), pem)
    assert not ok and message.startswith("manifest.json")

    # an audit entry altered: its hash no longer matches
    def alter(name: str, data: bytes) -> bytes:
        return (
            data.replace(b'"lot.awarded"', b'"lot.awardeD"')
            if name == "audit/entries.jsonl"
            else data
        )

    forged = tmp_path / "forged.zip"
    _rewrite(path, forged, alter)
    ok, message, _n = verify_package(str(forged), pem)
    assert not ok and message.startswith("audit/entries.jsonl")


def test_a_build_that_fails_half_way_leaves_nothing_and_the_next_run_completes(
    w: ResultWorld,
) -> None:
    store = get_store()
    sealed = w.result.lot_id and db.session.execute(select(func.min(LotArchive.id))).scalar()
    assert sealed is None
    from bidding.bids.models import Bid

    bid = db.session.execute(select(Bid).where(Bid.lot_id == w.lot.id)).scalars().first()
    blob = store.path_for(bid.ciphertext_sha256)
    kept = blob.read_bytes()
    blob.unlink()
    before = set((store.root / "tmp").iterdir())
    with pytest.raises(Exception, match="缺失"):
        build.build_due()
    db.session.rollback()
    assert set((store.root / "tmp").iterdir()) == before
    assert db.session.execute(select(func.count()).select_from(LotArchive)).scalar_one() == 0
    store.put_bytes(kept)
    assert build.build_due() == 1
    db.session.commit()
    assert build.build_due() == 0
    row = db.session.execute(select(LotArchive)).scalar_one()
    assert verify_package(str(build.path_of(row)), platform_public_key().pem)[0]


def test_who_may_build(client: Any, w: ResultWorld) -> None:
    page = f"/archive/lots/{w.lot.id}"
    for who in (w.bidders[0], w.other_supervisor):
        resp = client.post(f"/api/v1/lots/{w.lot.id}/archives", headers=w.headers(who))
        assert resp.status_code == 403
    resp = client.post(f"/api/v1/lots/{w.lot.id}/archives", headers=w.headers(w.supervisor))
    assert resp.status_code == 201 and resp.get_json()["files"] > 10
    pkg = client.get(
        f"/api/v1/archives/{resp.get_json()['id']}/package", headers=w.headers(w.staff)
    )
    assert pkg.status_code == 200 and pkg.data[:2] == b"PK"
    login(client, w.staff)
    html = client.get(page).get_data(as_text=True)
    assert "生成项目档案" in html and "MB" in html
