"""Sealed quotes in the small market world: sealing a quote the way tenderhall-seal does,
and the buyer's representatives who may sit on the committee."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from app.core import clock
from app.core.auth.models import Role, User
from app.core.crypto import seal_stream
from app.core.extensions import db
from app.market import sealed
from app.market.models import Need
from tests.factories import make_user
from tests.market.world import MarketWorld, post


def post_sealed(world: MarketWorld, **kw: Any) -> Need:
    return post(
        world,
        "sealed",
        closes_at=clock.now() + dt.timedelta(hours=2),
        ceiling="120000",
        scoring={
            "price_weight": "30",
            "items": [
                {"name": "技术方案", "maximum": "50"},
                {"name": "项目团队", "maximum": "20"},
            ],
        },
        **kw,
    )


def seal_quote(
    need: Need, user: User, price: str, body: bytes = b"%PDF-1.4 technical proposal"
) -> bytes:
    key = sealed.opening_key(need)
    out = io.BytesIO()
    seal_stream(
        key.public_pem,
        {
            "lot_id": need.id,
            "lot_code": sealed.lot_code(need),
            "bidder_org_id": user.organisation_id,
            "bidder_credit_code": user.organisation.credit_code,
            "chunk_size": 4096,
        },
        {"price_form": {"total_price": price}},
        [("技术方案.pdf", io.BytesIO(body), "application/pdf")],
        out,
    )
    return out.getvalue()


def representatives(world: MarketWorld, n: int = 3) -> list[User]:
    reps = [world.buyer] + [
        make_user(
            Role.PURCHASER,
            organisation=world.buyer.organisation,
            totp=False,
            username=f"rep{i}",
            display_name=f"评审代表{i}",
        )
        for i in range(1, n)
    ]
    db.session.commit()
    return reps
