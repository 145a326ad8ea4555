"""Shared set-up of the evaluation benchmarks, inserted directly (set-up is not measured).

`build(app, rooms, members, bids, scheme, ...)`: one project with `rooms` lots; each lot has
`bids` opened (DECRYPTED) bids of shared suppliers and an evaluation session with
`members` experts signed in and committed, every check item passed by every member, and
each member's draft scores for every bid (the values come from `score_of`). The session
starts in `phase` (SCORING for the fan-out, SUMMARY with every sheet submitted for the
summary). Every member has an API token.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _world import parties  # noqa: E402  (bench/ is the script's own folder)

CHECKS: dict[str, Any] = {
    "qualification": [{"id": "Q1", "name": "营业执照"}],
    "compliance": [{"id": "K1", "name": "投标有效期"}],
}


@dataclass
class Member:
    id: int
    user_id: int
    token: str  # API bearer token


@dataclass
class Room:
    session_id: int
    members: list[Member]
    bid_ids: list[int]

    @property
    def name(self) -> str:
        return f"eval:{self.session_id}"


@dataclass
class EvalWorld:
    rooms: list[Room]
    host_id: int
    supervisor_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def build(
    app: Any,
    rooms: int,
    members: int,
    bids: int,
    scheme: dict[str, Any],
    *,
    phase: str = "scoring",
    score_of: Callable[[int, int, int, Any], Decimal],
    submitted: bool = False,
) -> EvalWorld:
    """`score_of(room index, member index, bid index, item)` gives each draft score."""
    from sqlalchemy import insert

    from app.core import clock
    from app.core.auth.models import ApiToken, OrgKind, Role, User
    from app.core.auth.services import TOKEN_PREFIX, _token_hash, issue_token
    from app.core.extensions import db
    from bidding.bids.models import Bid, BidStatus
    from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
    from remote_eval.models import (
        EvalMember,
        EvalSession,
        MemberKind,
        MemberStatus,
        Phase,
        Score,
        ScoreSheet,
        Verdict,
    )
    from remote_eval.scheme import Scheme

    items = Scheme.from_dict(scheme).scored_items
    now = clock.now()
    with app.app_context():
        db.create_all()
        p = parties(now)
        host = p.user(Role.STAFF, "bench-host", p.agency)
        supervisor = p.user(Role.SUPERVISOR, "bench-supervisor", None)
        db.session.flush()
        project = Project(
            code="BENCH-EVAL",
            trade_id="BENCH-EVAL-TRADE",
            name="基准评标项目",
            centre_id=p.centre.id,
            purchaser_id=p.purchaser.id,
            agency_id=p.agency.id,
            method=Method.OPEN,
            category_code="B01",
            created_by_id=host.id,
            created_at=now,
        )
        db.session.add(project)
        suppliers = [p.org(OrgKind.SUPPLIER, 1000 + i) for i in range(bids)]
        db.session.flush()
        bidder_users = [
            p.user(Role.SUPPLIER, f"bench-bidder-{i}", o) for i, o in enumerate(suppliers)
        ]
        lots = [
            Lot(
                project_id=project.id,
                seq=r + 1,
                code=f"BENCH-EVAL-{r + 1:04d}",
                name=f"基准标段{r + 1}",
                category_code="B01",
                budget=Decimal("1200000.00"),
                ceiling_price=Decimal("1000000.00"),
                bid_bond=Decimal("0"),
                evaluation_method=EvalMethod(scheme["method"]),
                status=LotStatus.EVALUATING,
                bid_deadline=now - dt.timedelta(days=1),
                opening_place="开标大厅",
                max_bid_bytes=1024 * 1024,
            )
            for r in range(rooms)
        ]
        db.session.add_all(lots)
        db.session.flush()
        bid_rows = [
            [
                Bid(
                    lot_id=lot.id,
                    supplier_id=s.id,
                    version=1,
                    status=BidStatus.DECRYPTED,
                    ciphertext_sha256="0" * 64,
                    size=100,
                    received_at=now - dt.timedelta(days=2, minutes=-b),
                    submitted_by_id=bidder_users[b].id,
                    opened_at=now - dt.timedelta(hours=1),
                    # Prices within 50 % of their average: none is abnormally low.
                    price_form={"total_price": f"{800000 + 1000 * b}.00", "quality": "合格"},
                    plaintext_files=[],
                )
                for b, s in enumerate(suppliers)
            ]
            for lot in lots
        ]
        db.session.add_all([b for row in bid_rows for b in row])
        sessions = [
            EvalSession(
                lot_id=lot.id,
                phase=Phase(phase),
                phase_started_at=now,
                host_id=host.id,
                main_centre_id=p.centre.id,
                method=scheme["method"],
                scheme=scheme,
                created_at=now,
            )
            for lot in lots
        ]
        db.session.add_all(sessions)
        users = [
            User(
                username=f"bench-expert-{r}-{m}",
                display_name=f"评委{r}-{m}",
                email=f"bench-expert-{r}-{m}@bench.example",
                password_hash="!",
                role=Role.EXPERT,
                centre_id=p.centre.id,
                created_at=now,
            )
            for r in range(rooms)
            for m in range(members)
        ]
        db.session.add_all(users)
        db.session.flush()
        seats = [
            EvalMember(
                session_id=s.id,
                kind=MemberKind.EXPERT,
                user_id=users[r * members + m].id,
                venue_centre_id=p.centre.id,
                seat=f"A{m + 1}",
                status=MemberStatus.SIGNED_IN,
                signed_in_at=now,
                committed_at=now,
                avoidance_declared_at=now,
            )
            for r, s in enumerate(sessions)
            for m in range(members)
        ]
        db.session.add_all(seats)
        db.session.flush()
        for r, s in enumerate(sessions):
            s.leader_id = seats[r * members].id

        # One token through the service, so the audit chain has its head before the run
        # (the members' tokens below are inserted in bulk, without audit entries).
        issue_token(host, "bench")
        raw_tokens = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in users]
        db.session.execute(
            insert(ApiToken),
            [
                {
                    "user_id": u.id,
                    "name": "bench",
                    "token_hash": _token_hash(raw),
                    "prefix": raw[:10],
                    "created_at": now,
                    "expires_at": now + dt.timedelta(days=1),
                }
                for u, raw in zip(users, raw_tokens, strict=True)
            ],
        )
        verdicts, scores, sheets = [], [], []
        for r, s in enumerate(sessions):
            for m in range(members):
                seat = seats[r * members + m]
                for b, bid in enumerate(bid_rows[r]):
                    for item_id in ("Q1", "K1"):
                        verdicts.append(
                            {
                                "session_id": s.id,
                                "cycle": 1,
                                "member_id": seat.id,
                                "bid_id": bid.id,
                                "item_id": item_id,
                                "passed": True,
                                "reason": "",
                                "at": now,
                            }
                        )
                    for item in items:
                        scores.append(
                            {
                                "session_id": s.id,
                                "cycle": 1,
                                "member_id": seat.id,
                                "bid_id": bid.id,
                                "item_id": item.id,
                                "value": score_of(r, m, b, item),
                                "at": now,
                            }
                        )
                    if submitted:
                        sheets.append(
                            {
                                "session_id": s.id,
                                "cycle": 1,
                                "member_id": seat.id,
                                "bid_id": bid.id,
                                "submitted_at": now,
                            }
                        )
        db.session.execute(insert(Verdict), verdicts)
        db.session.execute(insert(Score), scores)
        if sheets:
            db.session.execute(insert(ScoreSheet), sheets)
        made = [
            Room(
                session_id=s.id,
                members=[
                    Member(
                        seats[r * members + m].id,
                        users[r * members + m].id,
                        raw_tokens[r * members + m],
                    )
                    for m in range(members)
                ],
                bid_ids=[b.id for b in bid_rows[r]],
            )
            for r, s in enumerate(sessions)
        ]
        db.session.commit()
        return EvalWorld(made, host.id, supervisor.id)


def room_tokens(app: Any, world: EvalWorld) -> dict[int, str]:
    """member id → a fresh room token, minted by the app's own function (TTL applies)."""
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.core.rooms import issue_room_token

    out = {}
    with app.app_context():
        for room in world.rooms:
            for m in room.members:
                out[m.id] = issue_room_token(db.session.get(User, m.user_id), room.name)
        db.session.rollback()
    return out


def last_seqs(app: Any, world: EvalWorld) -> dict[str, int]:
    """room → its last event seq (a client that reconnects sends it and skips the replay)."""
    from sqlalchemy import func, select

    from app.core.extensions import db
    from app.core.realtime import RoomEvent

    with app.app_context():
        rows = db.session.execute(
            select(RoomEvent.room, func.max(RoomEvent.seq)).group_by(RoomEvent.room)
        ).all()
        return {room: int(seq) for room, seq in rows}


def overrides(instance: Path, database_url: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'bench.db'}",
        "INSTANCE_PATH": str(instance),
        "REDIS_URL": None,
        "SCHEDULER_ENABLED": False,
        **more,
    }
