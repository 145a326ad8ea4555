"""A 竞争性谈判 (or 磋商) lot whose responses were opened, its committee in the review
phase with a leader: the negotiation group. Built on the evaluation tests' world."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.models import Method
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld

URL = "/api/v1"


def negotiation_world(
    method: Method = Method.NEGOTIATION, scoring: str = "lowest_price"
) -> ReviewWorld:
    # A 450 000, B 430 000, C 480 000 opened; ceiling 500 000.
    w = rw.build_world(
        scoring, ["450000.00", "430000.00", "480000.00"], ceiling="500000.00", minutes=[1, 2, 3]
    )
    w.lot.project.method = method
    db.session.commit()
    return w


def actions(prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.data)
        .where(AuditEntry.action.like(f"{prefix}%"))
        .order_by(AuditEntry.seq)
    ).all()
    return [(a, json.loads(d) if d else {}) for a, d in rows]


def group(w: ReviewWorld, client: Any, user: Any = None) -> Any:
    return client.get(
        f"{URL}/evaluations/{w.session.id}/negotiation",
        headers=w.headers(user or w.leader.user),
    )


def open_round(w: ReviewWorld, client: Any, *, final: bool = False, user: Any = None) -> Any:
    return client.post(
        f"{URL}/evaluations/{w.session.id}/negotiation/rounds",
        json={"final": final},
        headers=w.headers(user or w.leader.user),
    )


def close_round(w: ReviewWorld, client: Any, round_id: int, user: Any = None) -> Any:
    return client.post(
        f"{URL}/evaluations/{w.session.id}/negotiation/rounds/{round_id}/close",
        headers=w.headers(user or w.leader.user),
    )


def quote(w: ReviewWorld, client: Any, i: int, number: int, price: str, user: Any = None) -> Any:
    return client.post(
        f"{URL}/negotiations/{w.bids[i].id}/quotes",
        json={"round": number, "price": price},
        headers=w.headers(user or w.bidders[i]),
    )
