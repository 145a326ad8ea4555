"""A non-invitee's attempts on an invited lot: refused with the method's message, nothing
written, and each attempt audited as `participation.refused` (the bars' entry)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.documents.models import DocumentDownload
from bidding.invitations.models import InviteBasis, LotInvitee
from bidding.models import Method
from tests.bidding_docs.world import make_world, upload
from tests.factories import token_headers


def _refusals() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry.data)
        .where(AuditEntry.action == "participation.refused")
        .order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(r) for r in rows]


def _count(model: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_each_attempt_of_a_non_invitee_is_refused_and_audited(client: Any) -> None:
    w = make_world()
    upload(w)
    w.lot.project.method = Method.INVITED
    invited, outsider = w.supplier(), w.supplier()
    db.session.add(
        LotInvitee(
            lot_id=w.lot.id,
            supplier_id=invited.organisation_id,
            basis=InviteBasis.RECOMMENDED,
            reason="同类项目业绩优良",
            invited_by_id=w.staff.id,
            invited_at=clock.now(),
        )
    )
    db.session.commit()
    url = f"/api/v1/lots/{w.lot.id}/documents/latest"
    for _ in range(2):
        resp = client.get(url, headers=token_headers(outsider))
        assert resp.status_code == 403 and "只有受邀的供应商" in resp.json["message"]
    bid = client.post(
        f"/api/v1/lots/{w.lot.id}/uploads", json={"size": 10}, headers=token_headers(outsider)
    )
    assert bid.status_code == 409 and "只有受邀的供应商" in bid.json["message"]
    assert _count(DocumentDownload) == 0 and _count(Bid) == 0
    entries = _refusals()
    assert [e["activity"] for e in entries] == ["download", "download", "bid"]
    assert all(e["not_invited"] and e["lot_id"] == w.lot.id and e["bars"] == [] for e in entries)
    assert all("只有受邀的供应商" in e["message"] for e in entries)
    # The invitee obtains the documents, and nothing about it is logged as refused.
    assert client.get(url, headers=token_headers(invited)).status_code == 200
    assert len(_refusals()) == 3


def test_an_open_lot_refuses_nobody_for_want_of_an_invitation(client: Any) -> None:
    w = make_world()
    upload(w)
    resp = client.get(
        f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(w.supplier())
    )
    assert resp.status_code == 200 and _refusals() == []
