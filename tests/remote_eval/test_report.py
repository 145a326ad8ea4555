"""评标报告: the body the members sign, its renderings, versions and pages."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from typing import Any

import pytest
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import clarifications, flow, report, review, signatures, summary
from remote_eval.models import EvalMember, EvalReport, Phase
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld
from tests.remote_eval.test_scoring import sheet

comprehensive = rw.comprehensive
URL = "/api/v1/evaluations"
ITERATIONS = 600_000


# ---------------------------------------------------------------- keys as the browser makes them
class BrowserKey:
    """A member's key pair made the way eval-sign.js makes it: P-256, SPKI public key, the
    PKCS#8 private key wrapped by AES-256-GCM under PBKDF2-SHA-256(passphrase)."""

    def __init__(self, passphrase: str = "青山绿水-2026-评标") -> None:
        self.key = ECC.generate(curve="P-256")
        self.public_key = base64.b64encode(self.key.public_key().export_key(format="DER")).decode()
        salt, iv = os.urandom(16), os.urandom(12)
        kek = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, ITERATIONS, 32)
        pkcs8 = self.key.export_key(format="DER")
        ct, tag = AES.new(kek, AES.MODE_GCM, nonce=iv).encrypt_and_digest(pkcs8)
        self.wrapped = {
            "v": 1,
            "alg": "PBKDF2-SHA256/AES-256-GCM",
            "iterations": ITERATIONS,
            "salt": base64.b64encode(salt).decode(),
            "iv": base64.b64encode(iv).decode(),
            "ciphertext": base64.b64encode(ct + tag).decode(),  # WebCrypto appends the tag
        }

    def sign(self, sha256_hex: str) -> str:
        signer = DSS.new(self.key, "fips-186-3", encoding="binary")  # raw r||s as WebCrypto
        digest = SHA256.new(report.signed_message(sha256_hex))
        return base64.b64encode(signer.sign(digest)).decode()


def unwrap(wrapped: dict[str, Any], passphrase: str) -> ECC.EccKey:
    kek = hashlib.pbkdf2_hmac(
        "sha256", passphrase.encode(), base64.b64decode(wrapped["salt"]), wrapped["iterations"], 32
    )
    blob = base64.b64decode(wrapped["ciphertext"])
    cipher = AES.new(kek, AES.MODE_GCM, nonce=base64.b64decode(wrapped["iv"]))
    return ECC.import_key(cipher.decrypt_and_verify(blob[:-16], blob[-16:]))


_KEYS: list[BrowserKey] = []


def key(n: int) -> BrowserKey:
    """PBKDF2 at 600 000 rounds takes a moment: the same few keys serve every test."""
    while len(_KEYS) <= n:
        _KEYS.append(BrowserKey())
    return _KEYS[n]


def give_keys(w: ReviewWorld) -> dict[int, BrowserKey]:
    keys = {}
    for n, m in enumerate(w.members):
        keys[m.id] = key(n)
        signatures.register_key(m, m.user, keys[m.id].public_key, keys[m.id].wrapped)
    db.session.commit()
    return keys


# ---------------------------------------------------------------- a session ready to sign
def locked_comprehensive(w: ReviewWorld) -> ReviewWorld:
    """The summary's worked example (test_summary.py) with a split vote, a dissent and a
    clarification, locked by the leader and moved on to the signing phase."""
    (m1, m2, m3), (a, b, _c, d) = w.members, w.bids
    review.record_verdict(w.session, m1, d, "K1", False, "投标有效期不足")
    review.record_verdict(w.session, m2, d, "K1", False, "投标有效期不足")
    review.record_verdict(w.session, m3, d, "K1", True, "")
    for m in w.members:
        review.record_verdict(w.session, m, d, "Q1", True, "")
    rw.pass_all(w, except_bids=(d.id,))
    review.decide_by_majority(w.session, m1, d, "K1")
    review.write_dissent(w.session, m3, d, "K1", "投标函载明有效期 90 日，满足要求。")
    if not clarifications.for_session(w.session):
        clarifications.ask(
            w.session, m2, a, "请说明技术方案中的灯具品牌。", rw.T0 + dt.timedelta(hours=1)
        )
        asked = clarifications.for_session(w.session)[0]
        clarifications.answer(asked, w.bidders[0], "品牌为某某。")
    db.session.commit()
    rw.move(w, Phase.SCORING)
    sheet(w, m1, a, "30", "5", "10")
    sheet(w, m2, a, "31.5", "5", "10")
    sheet(w, m3, a, "10", "5", "10")
    for m, t1 in zip(w.members, ("38", "39", "40"), strict=True):
        sheet(w, m, b, t1, "10", "20")
    rw.move(w, Phase.SUMMARY)
    summary.write_justification(w.session, m3, a.id, "T1", "技术方案未响应第 3.2 条关键指标。")
    summary.lock_summary(w.session, m1)
    db.session.commit()
    rw.move(w, Phase.SIGNING)
    return w


@pytest.fixture
def signing(comprehensive: ReviewWorld) -> ReviewWorld:
    return locked_comprehensive(comprehensive)


def test_report_body_has_the_structure_of_a_real_report(signing: ReviewWorld) -> None:
    w = signing
    keys = give_keys(w)
    (m1, _m2, m3), (a, b, c, d) = w.members, w.bids
    rep = report.generate_report(w.session, w.host)
    db.session.commit()
    body = json.loads(rep.body)
    assert rep.sha256 == hashlib.sha256(rep.body.encode()).hexdigest()
    assert (
        rep.body.encode()
        == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )
    assert body["format"] == "tenderhall.eval-report/1" and body["report"]["version"] == 1
    assert body["lot"]["code"] == w.lot.code and body["method"]["label"] == "综合评分法"
    assert [m["seat"] for m in body["members"]] == ["A1", "A2", "A3"]
    assert (
        body["members"][0]["leader"] and body["members"][0]["public_key"] == keys[m1.id].public_key
    )
    # review: D failed K1 by a 2:1 vote; m3's dissent and justification are in
    d_items = next(r for r in body["review"] if r["bid_id"] == d.id)["items"]
    k1 = next(i for i in d_items if i["item_id"] == "K1")
    assert k1["passed"] is False and k1["majority_vote"] == {"for": 1, "against": 2}
    assert [x["member_id"] for x in body["dissents"]] == [m3.id]
    assert body["justifications"][0]["text"] == "技术方案未响应第 3.2 条关键指标。"
    assert body["clarifications"][0]["answer"] == "品牌为某某。"
    results = {r["bid_id"]: r for r in body["results"]}
    assert (results[b.id]["total"], results[a.id]["total"]) == ("93.00", "68.83")
    assert results[a.id]["members"][str(m3.id)]["total"] == "25.00"
    assert {r["bid_id"] for r in body["rejected"]} == {c.id, d.id}
    assert [(c_["order"], c_["bid_id"]) for c_ in body["candidates"]] == [(1, b.id), (2, a.id)]
    # renderings stored by their hashes
    store = get_store()
    assert store.verify(rep.html_sha256) and store.verify(rep.pdf_sha256)
    assert store.open(rep.pdf_sha256).read(5) == b"%PDF-"
    # The PDF carries the platform's PAdES signature, valid against the published certificate.
    from app.core.crypto import pades

    check = pades.validate_pdf(store.open(rep.pdf_sha256).read(), pades.certificate_info().pem)
    assert check.valid and check.intact and check.trusted, check.message
    html = store.open(rep.html_sha256).read().decode()
    assert "评标委员会签到表" in html and "投标函载明有效期 90 日" in html
    entry = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "eval.report_generated")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    assert rep.sha256 in entry.data


def test_generation_is_the_hosts_and_only_in_the_signing_phase(signing: ReviewWorld) -> None:
    w = signing
    m1 = w.members[0]
    with pytest.raises(Forbidden):
        report.generate_report(w.session, m1.user)
    flow.move_to(w.session, Phase.SUMMARY)
    with pytest.raises(Conflict, match="评标报告签署"):
        report.generate_report(w.session, w.host)
    flow.move_to(w.session, Phase.SIGNING)
    keys = give_keys(w)
    first = report.generate_report(w.session, w.host)
    # nobody has answered: the host may regenerate (a new version)
    second = report.generate_report(w.session, w.host)
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    assert report.current_report(w.session).id == second.id
    signatures.sign(w.session, m1, keys[m1.id].sign(second.sha256), second.sha256)
    db.session.commit()
    with pytest.raises(Conflict, match="不能重新生成"):
        report.generate_report(w.session, w.host)


def test_report_api_pdf_export_and_page(client: Any, signing: ReviewWorld) -> None:
    w = signing
    give_keys(w)
    sid = w.session.id
    resp = client.get(f"{URL}/{sid}/report", headers=w.headers(w.host))
    assert resp.status_code == 404 and "尚未生成" in resp.get_json()["message"]
    resp = client.post(f"{URL}/{sid}/report", headers=w.headers(w.members[0].user))
    assert resp.status_code == 403
    resp = client.post(f"{URL}/{sid}/report", headers=w.headers(w.host))
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["version"] == 1 and got["current"] and len(got["missing"]) == 3
    assert hashlib.sha256(got["canonical"].encode()).hexdigest() == got["sha256"]
    for who in (w.members[1].user, w.supervisor):
        assert client.get(f"{URL}/{sid}/report", headers=w.headers(who)).status_code == 200
    assert client.get(f"{URL}/{sid}/report", headers=w.headers(w.bidders[0])).status_code == 403
    pdf = client.get(f"{URL}/{sid}/report/pdf", headers=w.headers(w.supervisor))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    export = client.get(f"{URL}/{sid}/report/export", headers=w.headers(w.host)).get_json()
    assert export["sha256"] == got["sha256"] and export["signatures"] == []
    # the page: tables a clerk reads, never the JSON
    from tests.factories import login

    login(client, w.host)
    page = client.get(f"/evaluations/{sid}/report")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "一、评标委员会签到表" in text and "十、推荐的中标候选人" in text
    assert '"format"' not in text and "tenderhall.eval-report" not in text
    assert client.get(f"/evaluations/{sid}/report.pdf").data.startswith(b"%PDF-")
    dl = client.get(f"/evaluations/{sid}/report/export.json")
    assert "attachment" in dl.headers["Content-Disposition"]
    assert json.loads(dl.data)["sha256"] == got["sha256"]


def test_a_roll_back_gives_a_new_version_and_old_signatures_stay(signing: ReviewWorld) -> None:
    from remote_eval import hosting

    w = signing
    keys = give_keys(w)
    m1 = w.members[0]
    v1 = report.generate_report(w.session, w.host)
    signatures.sign(w.session, m1, keys[m1.id].sign(v1.sha256), v1.sha256)
    db.session.commit()
    req = hosting.request_rollback(w.session, w.host, Phase.REVIEW, "投标有效期认定需复核")
    hosting.decide_request(req, w.supervisor, True, "")
    db.session.commit()
    assert w.session.cycle == 2 and report.current_report(w.session) is None
    with pytest.raises(Conflict, match="不能进行此操作"):
        report.generate_report(w.session, w.host)
    locked_comprehensive(w)  # the committee reviews, scores and locks again in cycle 2
    v2 = report.generate_report(w.session, w.host)
    db.session.commit()
    assert (v2.version, v2.cycle) == (2, 2)
    assert report.answers(v1)[m1.id].signature is not None and report.answers(v2) == {}
    versions = db.session.execute(select(EvalReport.version)).scalars().all()
    assert sorted(versions) == [1, 2]


def test_members_without_a_key_are_listed_without_one(signing: ReviewWorld) -> None:
    w = signing
    rep = report.generate_report(w.session, w.host)
    body = report.body_of(rep)
    assert all(m["public_key"] is None for m in body["members"])
    m: EvalMember = w.members[0]
    k = key(0)
    signatures.register_key(m, m.user, k.public_key, k.wrapped)
    with pytest.raises(Conflict, match="报告生成时您尚未创建签名密钥"):
        signatures.sign(w.session, m, k.sign(rep.sha256), rep.sha256)
