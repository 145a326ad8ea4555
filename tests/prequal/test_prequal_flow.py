"""资格预审 end to end through the API: the notice and its clocks, applications hashed and
receipted, the list secret until the deadline, refusals (late, second, non-member, a
failed applicant invited) audited with nothing half-saved, a drawn committee deciding by
majority, signed notices, and only the passed applicants invited to bid."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.crypto import platform_public_key, verify_receipt
from app.core.extensions import db
from app.core.notify import Notification
from app.core.storage import get_store
from bidding.invitations import invitations
from bidding.invitations.models import InviteBasis, LotInvitee
from bidding.prequal.models import Outcome, PrequalApplication, Prequalification, PrequalVerdict
from experts import draws
from tests.factories import token_headers
from tests.portal.seeded_world import visible_text
from tests.prequal.world import DEADLINE, apply, build, draw_committee, publish


@pytest.fixture(autouse=True)
def _request(app: Any) -> Any:
    with app.test_request_context("/"):
        yield


def _actions(name: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == name).order_by(AuditEntry.seq)
        ).scalars()
    )


def _todo(client: Any, headers: dict[str, str]) -> str:
    """The titles on a user's workbench."""
    body = client.get("/api/v1/workbench", headers=headers).get_json()
    return " ".join(i["title"] for g in body["groups"] for i in g["items"])


def test_the_notice_is_refused_with_the_earliest_lawful_dates(client: Any) -> None:
    w = build(client)
    short = publish(client, w, offer_end_at=dt.datetime(2026, 3, 6, 17, 0, tzinfo=CST).isoformat())
    assert short.status_code == 422
    assert "发售期不得少于 5 日" in short.get_json()["message"]
    assert (
        "2026年03月09日" in short.get_json()["message"]
        or "2026-03-09" in short.get_json()["message"]
    )
    early = publish(
        client, w, application_deadline=dt.datetime(2026, 3, 13, 9, 0, tzinfo=CST).isoformat()
    )
    assert early.status_code == 422
    assert "不得少于 5 日" in early.get_json()["message"]
    assert "03月16日" in early.get_json()["message"] or "03-16" in early.get_json()["message"]
    assert db.session.scalar(select(func.count(Prequalification.id))) == 0
    ok = publish(client, w)
    assert ok.status_code == 201, ok.get_json()
    again = publish(client, w)
    assert again.status_code == 409


def test_prequalification_from_notice_to_invitation(client: Any) -> None:
    w = build(client)
    assert publish(client, w).status_code == 201
    item = db.session.execute(select(Prequalification)).scalar_one()
    ann = client.get(f"/announcements/{item.announcement_id}")
    assert ann.status_code == 200 and "资格预审公告" in ann.get_data(as_text=True)

    # Four suppliers apply inside the window; each gets a signed receipt of its hash.
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST))
    for i in range(4):
        resp = apply(client, w, i)
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["file_sha256"] == hashlib.sha256(f"申请文件 {i}".encode()).hexdigest()
        assert verify_receipt(body["receipt"], platform_public_key())
        assert get_store().verify(body["file_sha256"])
    # A second application by the same supplier: 409, nothing kept, audited.
    second = apply(client, w, 0, b"another file")
    assert second.status_code == 409
    assert "不能重复提交" in second.get_json()["message"]
    assert db.session.scalar(select(func.count(PrequalApplication.id))) == 4
    assert len(_actions("prequal.apply_refused")) == 1

    # The applicant list is secret until the deadline (the agency sees the count).
    staff = token_headers(w.base.staff)
    listing = client.get(f"/api/v1/lots/{w.lot.id}/prequalification/applications", headers=staff)
    assert listing.get_json() == {"count": 4, "visible": False, "items": []}
    sup = client.get(
        f"/api/v1/lots/{w.lot.id}/prequalification/applications",
        headers=token_headers(w.base.supervisor),
    )
    assert sup.get_json()["visible"] is True

    # A committee cannot be seated before the deadline; an application after it is refused.
    clock.set_now(DEADLINE)
    late = apply(client, w, 4)
    assert late.status_code in (409, 410, 422, 403) and "截止" in late.get_json()["message"]
    assert len(_actions("prequal.apply_refused")) == 2
    listing = client.get(f"/api/v1/lots/{w.lot.id}/prequalification/applications", headers=staff)
    assert listing.get_json()["visible"] is True

    # The committee: drawn (4 experts + 1 purchaser representative) and seated.
    clock.set_now(DEADLINE + dt.timedelta(hours=1))
    assert "组建资格审查委员会" in _todo(client, staff)
    drawn = draw_committee(w)
    wrong = client.post(
        f"/api/v1/prequalifications/{item.id}/committee",
        json={"draw_id": drawn.id, "representative_ids": []},
        headers=staff,
    )
    assert wrong.status_code == 422
    seated = client.post(
        f"/api/v1/prequalifications/{item.id}/committee",
        json={"draw_id": drawn.id, "representative_ids": [w.representative.id]},
        headers=staff,
    )
    assert seated.status_code == 201, seated.get_json()
    assert len(seated.get_json()) == 5
    db.session.refresh(item)
    members = [m.user for m in item.members]
    apps = {a.supplier_id: a for a in db.session.execute(select(PrequalApplication)).scalars()}
    a0, a1, a2, a3 = (apps[w.suppliers[i].id] for i in range(4))

    assert "资格审查：" in _todo(client, token_headers(members[0]))
    assert "组建资格审查委员会" not in _todo(client, staff)

    # A review by someone outside the committee: 403, nothing recorded, audited.
    outsider = client.put(
        f"/api/v1/prequal-applications/{a0.id}/verdict",
        json={"passed": True},
        headers=staff,
    )
    assert outsider.status_code == 403
    assert db.session.scalar(select(func.count(PrequalVerdict.id))) == 0
    assert len(_actions("prequal.review_refused")) == 1

    # A fail needs a reason.
    no_reason = client.put(
        f"/api/v1/prequal-applications/{a1.id}/verdict",
        json={"passed": False},
        headers=token_headers(members[0]),
    )
    assert no_reason.status_code == 422

    # Concluding before every verdict is in is refused.
    def vote(user: Any, row: PrequalApplication, passed: bool) -> None:
        resp = client.put(
            f"/api/v1/prequal-applications/{row.id}/verdict",
            json={"passed": passed, "reason": "" if passed else "资质证书已过有效期"},
            headers=token_headers(user),
        )
        assert resp.status_code == 200, resp.get_json()

    for m in members:
        vote(m, a0, True)
        vote(m, a2, True)
    early = client.post(f"/api/v1/lots/{w.lot.id}/prequalification/conclusion", headers=staff)
    assert early.status_code == 409 and "未给出" in early.get_json()["message"]
    # a1 fails 3 to 2; a3 passes 3 to 2.
    for n, m in enumerate(members):
        vote(m, a1, n >= 3)
        vote(m, a3, n < 3)
    done = client.post(f"/api/v1/lots/{w.lot.id}/prequalification/conclusion", headers=staff)
    assert done.status_code == 201, done.get_json()
    outcome = {r["supplier_id"]: r for r in done.get_json()}
    assert outcome[w.suppliers[1].id]["outcome"] == "failed"
    assert "资质证书已过有效期" in outcome[w.suppliers[1].id]["reasons"]
    assert {outcome[w.suppliers[i].id]["outcome"] for i in (0, 2, 3)} == {"passed"}
    decided = json.loads(_actions("prequal.concluded")[0].data)["results"]
    assert {(r["for"], r["against"]) for r in decided} == {(5, 0), (2, 3), (3, 2)}

    # Each applicant gets its signed notice (PDF) and an inbox message.
    pdf = client.get(
        f"/api/v1/prequal-applications/{a1.id}/notice.pdf", headers=token_headers(w.accounts[1])
    )
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"/ByteRange" in pdf.data  # PAdES-signed by the platform
    other = client.get(
        f"/api/v1/prequal-applications/{a1.id}/notice.pdf", headers=token_headers(w.accounts[0])
    )
    assert other.status_code == 403
    inbox = db.session.scalars(
        select(Notification.title).where(Notification.user_id == w.accounts[1].id)
    ).all()
    assert any("资格预审未通过" in t for t in inbox)

    # Verdicts cannot change after the conclusion (refused and audited).
    late_vote = client.put(
        f"/api/v1/prequal-applications/{a1.id}/verdict",
        json={"passed": True},
        headers=token_headers(members[0]),
    )
    assert late_vote.status_code == 409

    # Inviting the one who failed: 409, nobody invited, audited.
    bad = client.post(
        f"/api/v1/lots/{w.lot.id}/invitees/prequalified",
        json={"supplier_ids": [w.suppliers[0].id, w.suppliers[1].id]},
        headers=staff,
    )
    assert bad.status_code == 409 and w.suppliers[1].name in bad.get_json()["message"]
    assert db.session.scalar(select(func.count(LotInvitee.id))) == 0
    assert len(_actions("prequal.invite_refused")) == 1
    ok = client.post(f"/api/v1/lots/{w.lot.id}/invitees/prequalified", json={}, headers=staff)
    assert ok.status_code == 201, ok.get_json()
    rows = db.session.execute(select(LotInvitee)).scalars().all()
    assert {r.supplier_id for r in rows} == {w.suppliers[i].id for i in (0, 2, 3)}
    assert {r.basis for r in rows} == {InviteBasis.PREQUALIFIED}

    # Only the passed applicants may obtain documents and bid.
    assert invitations.may_respond(w.lot, w.suppliers[0])
    assert not invitations.may_respond(w.lot, w.suppliers[1])
    assert not invitations.may_respond(w.lot, w.suppliers[4])

    # The concluded review no longer holds the lot's draw: the evaluation draw may follow,
    # without the review committee's experts.
    assert draws.is_released(drawn)
    assert draws._live_root(w.lot.id) is None

    # The pages say all this in words, never in stored codes, in either language.
    raw = re.compile(
        r"\b(pass_fail|limited|prequalified|prequal|reviewing|concluded|pending|passed|failed"
        r"|open)\b"
    )
    pages = [
        (w.base.staff, f"/prequal/lots/{w.lot.id}"),
        (w.accounts[0], "/prequal/"),
        (w.accounts[1], f"/prequal/{item.id}"),
        (members[0], f"/prequal/{item.id}/review"),
        (w.base.staff, f"/projects/{w.lot.project_id}"),
    ]
    for user, path in pages:
        for lang in ("zh_CN", "en"):
            page = client.get(f"{path}?lang={lang}", headers=token_headers(user))
            assert page.status_code == 200, path
            text = visible_text(page.get_data(as_text=True))
            assert not raw.search(text), (path, lang, raw.search(text))


def test_an_open_tender_with_a_prequalification_admits_only_the_invited(client: Any) -> None:
    w = build(client, method="open")
    assert invitations.may_respond(w.lot, w.suppliers[0])
    assert publish(client, w).status_code == 201
    assert not invitations.may_respond(w.lot, w.suppliers[0])


def test_a_method_outside_the_tendering_law_has_no_prequalification(client: Any) -> None:
    w = build(client, method="inquiry")
    resp = publish(client, w)
    assert resp.status_code == 409
    assert "不适用资格预审" in resp.get_json()["message"]
    assert db.session.scalar(select(func.count(Prequalification.id))) == 0
    assert Outcome.PENDING.value == "pending"
