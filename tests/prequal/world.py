"""A lot in prequalification: an invited tender published through the API, suppliers,
an expert pool with accounts, and the purchaser's representative."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from app.core import clock
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.clock import CST
from app.core.extensions import db
from bidding.models import Lot
from experts import draws
from experts import invitations as expert_invitations
from experts.models import Draw, InvitationState
from experts.pool import seed_specialties
from tests.bidding.helpers import World, make_world, project_payload
from tests.experts.world import make_pool
from tests.factories import make_org, make_user, token_headers

# Offer Monday 2 March 09:00 – Monday 9 March 17:00; applications due Monday 16 March 09:00.
OFFER_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)
OFFER_END = dt.datetime(2026, 3, 9, 17, 0, tzinfo=CST)
DEADLINE = dt.datetime(2026, 3, 16, 9, 0, tzinfo=CST)


@dataclass
class PrequalWorld:
    base: World
    lot: Lot
    suppliers: list[Organisation]
    accounts: list[User]
    representative: User


def build(client: Any, method: str = "invited", suppliers: int = 5) -> PrequalWorld:
    base = make_world()
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(base, method=method),
        headers=token_headers(base.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    lot = db.session.get(Lot, resp.get_json()["lots"][0]["id"])
    assert lot is not None
    orgs = [
        make_org(OrgKind.SUPPLIER, f"供应商{i + 1}有限公司", base.centre) for i in range(suppliers)
    ]
    accounts = [make_user(Role.SUPPLIER, organisation=o) for o in orgs]
    rep = make_user(Role.PURCHASER, organisation=base.purchaser)
    db.session.commit()
    return PrequalWorld(base, lot, orgs, accounts, rep)


def notice_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requirements": "具有建筑工程施工总承包二级及以上资质；近三年无重大安全事故。",
        "review_method": "pass_fail",
        "document_price": "0",
        "offer_start_at": OFFER_START.isoformat(),
        "offer_end_at": OFFER_END.isoformat(),
        "application_deadline": DEADLINE.isoformat(),
        "submission_place": "本平台在线递交",
    }
    data.update(overrides)
    return data


def publish(client: Any, w: PrequalWorld, **overrides: Any) -> Any:
    data = notice_form(**overrides)
    data["file"] = (io.BytesIO(b"%PDF-1.4 prequalification documents"), "资格预审文件.pdf")
    return client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification",
        data=data,
        headers=token_headers(w.base.staff),
        content_type="multipart/form-data",
    )


def apply(client: Any, w: PrequalWorld, i: int, body: bytes | None = None) -> Any:
    content = body or f"申请文件 {i}".encode()
    return client.post(
        f"/api/v1/lots/{w.lot.id}/prequalification/applications",
        data={"file": (io.BytesIO(content), f"申请文件{i}.pdf")},
        headers=token_headers(w.accounts[i]),
        content_type="multipart/form-data",
    )


def draw_committee(w: PrequalWorld, experts: int = 4, reps: int = 1) -> Draw:
    """A real draw on the lot (commit, draw), every drawn expert confirming."""
    seed_specialties()
    make_pool(w.base.centre, experts + 4, account=True)
    db.session.commit()
    staff = w.base.staff
    item = draws.request_draw(
        w.lot,
        staff,
        {
            "evaluation_at": clock.now() + dt.timedelta(hours=3),
            "venue": "第二评标室",
            "purchaser_reps": reps,
            "groups": [{"specialty": "A08", "count": experts, "reserves": 2}],
        },
    )
    db.session.commit()
    draws.commit_draw(item, staff)
    db.session.commit()
    draws.execute_draw(item, staff)
    db.session.commit()
    for inv in item.invitations:
        if inv.state == InvitationState.INVITED:
            expert_invitations.answer(inv, inv.expert.user, True)
    db.session.commit()
    return item
