"""What the inspection pages, the API and the workbench read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from app.inspections.models import (
    Campaign,
    CampaignStatus,
    InspectionItem,
    InspectionResult,
    RosterEntry,
    RosterKind,
)


def entries(ids: list[int]) -> dict[int, RosterEntry]:
    if not ids:
        return {}
    rows = db.session.execute(select(RosterEntry).where(RosterEntry.id.in_(ids))).scalars()
    return {r.id: r for r in rows}


def team_user_ids(item: Campaign, target_id: int) -> set[int]:
    for t in item.teams or []:
        if t["target_id"] == target_id:
            people = entries(list(t["inspector_ids"]))
            return {e.user_id for e in people.values() if e.user_id is not None}
    return set()


def roster(centre_id: int, kind: RosterKind) -> list[RosterEntry]:
    return list(
        db.session.execute(
            select(RosterEntry)
            .where(RosterEntry.centre_id == centre_id, RosterEntry.kind == kind)
            .order_by(RosterEntry.id)
        ).scalars()
    )


def items(centre_id: int) -> list[InspectionItem]:
    return list(
        db.session.execute(
            select(InspectionItem)
            .where(InspectionItem.centre_id == centre_id)
            .order_by(InspectionItem.id)
        ).scalars()
    )


def campaigns(centre_id: int | None = None, *, published_only: bool = False) -> list[Campaign]:
    stmt = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if centre_id is not None:
        stmt = stmt.where(Campaign.centre_id == centre_id)
    if published_only:
        stmt = stmt.where(Campaign.status == CampaignStatus.PUBLISHED)
    return list(db.session.execute(stmt).scalars())


@dataclass
class TeamView:
    target: RosterEntry
    inspectors: list[RosterEntry]
    results: dict[int, InspectionResult] = field(default_factory=dict)  # by item id


def teams(item: Campaign) -> list[TeamView]:
    """The drawn targets in drawn order, each with its inspectors and results so far."""
    ids = [t["target_id"] for t in item.teams or []]
    ids += [i for t in item.teams or [] for i in t["inspector_ids"]]
    by_id = entries(ids)
    results = db.session.execute(
        select(InspectionResult).where(InspectionResult.campaign_id == item.id)
    ).scalars()
    by_target: dict[int, dict[int, InspectionResult]] = {}
    for r in results:
        by_target.setdefault(r.target_id, {})[r.item_id] = r
    return [
        TeamView(
            target=by_id[t["target_id"]],
            inspectors=[by_id[i] for i in t["inspector_ids"]],
            results=by_target.get(t["target_id"], {}),
        )
        for t in item.teams or []
    ]


def campaign_items(item: Campaign) -> list[InspectionItem]:
    if not item.item_ids:
        return []
    return list(
        db.session.execute(
            select(InspectionItem)
            .where(InspectionItem.id.in_(item.item_ids))
            .order_by(InspectionItem.id)
        ).scalars()
    )


def open_work(user: Any) -> list[tuple[Campaign, int]]:
    """Drawn campaigns where the user inspects a target with results still to enter:
    (campaign, number of missing results of the user's targets)."""
    mine = db.session.execute(
        select(RosterEntry.id).where(
            RosterEntry.user_id == user.id, RosterEntry.kind == RosterKind.INSPECTOR
        )
    ).scalars()
    my_ids = set(mine)
    out: list[tuple[Campaign, int]] = []
    if not my_ids:
        return out
    drawn = db.session.execute(
        select(Campaign).where(Campaign.status == CampaignStatus.DRAWN)
    ).scalars()
    for c in drawn:
        targets = [t["target_id"] for t in c.teams or [] if my_ids & set(t["inspector_ids"])]
        if not targets:
            continue
        have = set(
            db.session.execute(
                select(InspectionResult.target_id, InspectionResult.item_id).where(
                    InspectionResult.campaign_id == c.id,
                    InspectionResult.target_id.in_(targets),
                )
            ).all()
        )
        missing = sum(1 for t in targets for i in c.item_ids if (t, i) not in have)
        if missing:
            out.append((c, missing))
    return out
