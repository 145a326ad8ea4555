"""评标报告签署: keys made like the browser makes them, signatures the server checks, refusals
with a dissent, completion, and the offline verifier on an exported report."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from bidding.models import LotStatus
from bidding.results.handoff import result_of
from remote_eval import flow, hosting, report, signatures
from remote_eval.models import Dissent, EvalSignature, Phase
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld
from tests.remote_eval.test_report import give_keys, key, locked_comprehensive, unwrap

comprehensive = rw.comprehensive
URL = "/api/v1/evaluations"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def signing(comprehensive: ReviewWorld) -> ReviewWorld:
    return locked_comprehensive(comprehensive)


def test_the_wrapped_key_opens_only_with_the_passphrase() -> None:
    k = key(0)
    assert unwrap(k.wrapped, "青山绿水-2026-评标").public_key() == k.key.public_key()
    with pytest.raises(ValueError):
        unwrap(k.wrapped, "wrong passphrase")


def test_key_registration_rules(signing: ReviewWorld) -> None:
    w = signing
    m1, m2 = w.members[0], w.members[1]
    k = key(0)
    with pytest.raises(Forbidden):
        signatures.register_key(m1, m2.user, k.public_key, k.wrapped)
    with pytest.raises(ValidationError, match="P-256"):
        signatures.register_key(m1, m1.user, base64.b64encode(b"no key").decode(), k.wrapped)
    weak = {**k.wrapped, "iterations": 100_000}
    with pytest.raises(ValidationError, match="600000"):
        signatures.register_key(m1, m1.user, k.public_key, weak)
    with pytest.raises(ValidationError):
        signatures.register_key(m1, m1.user, k.public_key, {**k.wrapped, "iv": "AAAA"})
    signatures.register_key(m1, m1.user, k.public_key, k.wrapped)
    # a forgotten passphrase: a new key is accepted until the member has signed
    signatures.register_key(m1, m1.user, key(1).public_key, key(1).wrapped)
    assert m1.public_key == key(1).public_key
    give_keys(w)
    rep = report.generate_report(w.session, w.host)
    signatures.sign(w.session, m1, key(0).sign(rep.sha256), rep.sha256)
    with pytest.raises(Conflict, match="不能更换密钥"):
        signatures.register_key(m1, m1.user, key(2).public_key, key(2).wrapped)
    assert signatures.my_key(m1, m1.user)["wrapped_key"] == key(0).wrapped
    with pytest.raises(Forbidden):
        signatures.my_key(m1, m2.user)


def test_signatures_are_checked_before_they_are_stored(signing: ReviewWorld) -> None:
    w = signing
    m1, m2, m3 = w.members
    keys = give_keys(w)
    with pytest.raises(Conflict, match="尚未生成"):
        signatures.sign(w.session, m1, keys[m1.id].sign("0" * 64))
    rep = report.generate_report(w.session, w.host)
    db.session.commit()
    # another member's key, another message, a garbled value: refused, nothing stored
    for bad in (
        keys[m2.id].sign(rep.sha256),
        keys[m1.id].sign("f" * 64),
        "AAAA",
    ):
        with pytest.raises(ValidationError, match="签名无法用您的公钥验证"):
            signatures.sign(w.session, m1, bad, rep.sha256)
    with pytest.raises(Conflict, match="已更新"):
        signatures.sign(w.session, m1, keys[m1.id].sign("e" * 64), "e" * 64)
    assert db.session.execute(select(EvalSignature)).scalars().all() == []
    with pytest.raises(Forbidden):
        signatures.sign(w.session, None, keys[m1.id].sign(rep.sha256))  # type: ignore[arg-type]
    row = signatures.sign(w.session, m1, keys[m1.id].sign(rep.sha256), rep.sha256)
    db.session.commit()
    assert row.public_key == keys[m1.id].public_key and not row.refused
    with pytest.raises(Conflict, match="已签署或拒签"):
        signatures.sign(w.session, m1, keys[m1.id].sign(rep.sha256), rep.sha256)
    with pytest.raises(Conflict, match="已签署或拒签"):
        signatures.refuse(w.session, m1, "改主意了")
    # the host cannot end the phase by hand while members are missing
    with pytest.raises(Conflict, match="尚未签署"):
        hosting.advance(w.session, w.host)
    assert w.session.phase == Phase.SIGNING and m3.id in {
        m.id for m in report.missing(w.session, rep)
    }


def test_out_of_order_and_paused_signing_is_refused(signing: ReviewWorld) -> None:
    w = signing
    m1 = w.members[0]
    keys = give_keys(w)
    rep = report.generate_report(w.session, w.host)
    hosting.pause(w.session, w.host, "网络中断")
    with pytest.raises(Conflict, match="暂停"):
        signatures.sign(w.session, m1, keys[m1.id].sign(rep.sha256), rep.sha256)
    hosting.resume(w.session, w.host)
    flow.move_to(w.session, Phase.SUMMARY)
    with pytest.raises(Conflict, match="不能进行此操作"):
        signatures.sign(w.session, m1, keys[m1.id].sign(rep.sha256), rep.sha256)
    with pytest.raises(Conflict, match="不能进行此操作"):
        signatures.refuse(w.session, m1, "不同意")


def test_refusal_with_dissent_and_completion(client: Any, signing: ReviewWorld) -> None:
    w = signing
    m1, m2, m3 = w.members
    keys = give_keys(w)
    sid = w.session.id
    resp = client.post(f"{URL}/{sid}/report", headers=w.headers(w.host))
    sha = resp.get_json()["sha256"]
    for m in (m1, m2):
        resp = client.post(
            f"{URL}/{sid}/report/signatures",
            json={"sha256": sha, "signature": keys[m.id].sign(sha)},
            headers=w.headers(m.user),
        )
        assert resp.status_code == 201, resp.get_json()
    resp = client.post(f"{URL}/{sid}/report/refusal", json={"text": ""}, headers=w.headers(m3.user))
    assert resp.status_code == 422
    resp = client.post(
        f"{URL}/{sid}/report/refusal",
        json={"text": "投标人D的投标有效期满足要求，不应否决。"},
        headers=w.headers(m3.user),
    )
    assert resp.status_code == 201 and resp.get_json()["refused"] is True
    db.session.expire_all()
    assert w.session.phase == Phase.DONE and w.session.finished_at is not None
    # the same transaction handed the report to the result stages: C above the ceiling and
    # D rejected leave two valid bids, fewer than an open tender needs, so the lot fails
    result = result_of(w.lot)
    assert result is not None and len(result.candidates) == 2
    assert w.lot.status == LotStatus.FAILED
    assert "有效投标不足 3 家（实际 2 家）" in w.lot.status_reason
    assert result is not None and result.report_sha256 == report.current_report(w.session).sha256
    assert [c["rank"] for c in result.candidates] == list(range(1, len(result.candidates) + 1))
    assert {c["supplier_id"] for c in result.candidates} <= {b.supplier_id for b in w.bids}
    rejected = {r["supplier_id"]: r["reason"] for r in result.rejected}
    assert w.bids[3].supplier_id in rejected and all(rejected.values())
    assert not rejected.keys() & {c["supplier_id"] for c in result.candidates}
    dissent = db.session.execute(select(Dissent).where(Dissent.subject == "report")).scalar_one()
    assert dissent.member_id == m3.id
    done = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "eval.phase_advanced")
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert '"to":"done"' in done[-1].data.replace(" ", "")
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {"eval.report_signed", "eval.report_refused", "eval.signing_key_registered"} <= actions
    resp = client.get(f"{URL}/{sid}/report", headers=w.headers(w.supervisor)).get_json()
    assert resp["phase"] == "done" and {a["member_id"] for a in resp["answers"]} == {
        m1.id,
        m2.id,
        m3.id,
    }


def test_key_api(client: Any, signing: ReviewWorld) -> None:
    w = signing
    m1 = w.members[0]
    sid = w.session.id
    k = key(0)
    h = w.headers(m1.user)
    assert client.get(f"{URL}/{sid}/signing-key", headers=h).get_json()["wrapped_key"] is None
    resp = client.post(
        f"{URL}/{sid}/signing-key",
        json={"public_key": k.public_key, "wrapped_key": k.wrapped},
        headers=h,
    )
    assert resp.status_code == 201, resp.get_json()
    got = client.get(f"{URL}/{sid}/signing-key", headers=h).get_json()
    assert got["public_key"] == k.public_key and got["wrapped_key"] == k.wrapped
    assert len(got["key_id"]) == 16
    for who in (w.host, w.outsider):
        resp = client.get(f"{URL}/{sid}/signing-key", headers=w.headers(who))
        assert resp.status_code == 403


# ---------------------------------------------------------------- verifying an export
def _export(client: Any, w: ReviewWorld, tmp_path: Path) -> Path:
    keys = give_keys(w)
    rep = report.generate_report(w.session, w.host)
    m1, m2, m3 = w.members
    signatures.sign(w.session, m1, keys[m1.id].sign(rep.sha256), rep.sha256)
    signatures.sign(w.session, m2, keys[m2.id].sign(rep.sha256), rep.sha256)
    signatures.refuse(w.session, m3, "不同意否决投标人D。")
    db.session.commit()
    doc = client.get(f"{URL}/{w.session.id}/report/export", headers=w.headers(w.host)).get_json()
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_report.py"), str(path)],
        capture_output=True,
        text=True,
        cwd=str(path.parent),  # no platform code on the path
        timeout=60,
    )


def test_an_exported_report_verifies_offline_and_fails_after_one_byte(
    app: Any, client: Any, signing: ReviewWorld, tmp_path: Path
) -> None:
    path = _export(client, signing, tmp_path)
    result = _script(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "report verified" in result.stdout and result.stdout.count("signature valid") == 2
    assert "refused with a dissent" in result.stdout
    cli = app.test_cli_runner().invoke(args=["eval", "verify-report", str(path)])
    assert cli.exit_code == 0 and "report verified" in cli.output

    doc = json.loads(path.read_text(encoding="utf-8"))
    body = doc["body"].encode("utf-8")
    at = body.index(b'"budget":"') + len(b'"budget":"')
    tampered = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]  # one byte: 1 → 0
    doc["body"] = tampered.decode("utf-8")
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = _script(bad)
    assert result.returncode == 1
    assert "FAIL body SHA-256" in result.stdout and "signature does not verify" in result.stdout
    cli = app.test_cli_runner().invoke(args=["eval", "verify-report", str(bad)])
    assert cli.exit_code == 1 and "FAIL body SHA-256" in cli.output

    # the body and hash re-made together: the signatures still give it away
    import hashlib

    doc["sha256"] = hashlib.sha256(tampered).hexdigest()
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = _script(bad)
    assert result.returncode == 1 and result.stdout.count("signature does not verify") == 2
