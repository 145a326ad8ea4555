"""A draft lot ready for its scoring scheme, built through the lifecycle API."""

from __future__ import annotations

import copy
from typing import Any

from app.core.auth.models import OrgKind, Role, User
from app.core.extensions import db
from bidding.models import Lot
from tests.bidding.helpers import TENDER_FIELDS, World, lot_payload, project_payload
from tests.factories import make_org, make_user, token_headers


def create_lot(client: Any, world: World, **lot_overrides: Any) -> Lot:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, lots=[lot_payload(**lot_overrides)]),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    lot = db.session.get(Lot, resp.get_json()["lots"][0]["id"])
    assert lot is not None
    return lot


def publish_tender(client: Any, world: World, lot: Lot) -> Any:
    return client.post(
        f"/api/v1/lots/{lot.id}/tender-notice",
        json=TENDER_FIELDS,
        headers=token_headers(world.staff),
    )


def other_agency_staff(world: World) -> User:
    other = make_org(OrgKind.AGENCY, "另一家招标代理有限公司", world.centre)
    user = make_user(Role.STAFF, organisation=other)
    db.session.commit()
    return user


def comprehensive(**changes: Any) -> dict[str, Any]:
    """A valid comprehensive scheme for goods: 40 + 30 technical/commercial, price 30."""
    data: dict[str, Any] = {
        "method": "comprehensive",
        "qualification": [{"id": "Q1", "name": "营业执照", "description": "有效"}],
        "compliance": [{"id": "C1", "name": "投标有效期", "description": "90 日"}],
        "technical": [
            {"id": "T1", "name": "实施方案", "maximum": "40", "type": "range", "step": "1"},
        ],
        "commercial": [
            {
                "id": "B1",
                "name": "类似业绩",
                "maximum": "30",
                "type": "fixed",
                "choices": ["0", "15", "30"],
                "objective": True,
            },
        ],
        "price": {"weight": "30", "formula": "low_base"},
    }
    out = copy.deepcopy(data)
    out.update(changes)
    return out
