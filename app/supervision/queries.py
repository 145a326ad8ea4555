"""Read-only views of the log and of the centre's lots for supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from app.audit.models import AuditEntry
from app.extensions import db

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.action.strip():
            # "bid." finds every bid action; a full name finds exactly that one.
            stmt = stmt.where(AuditEntry.action.like(f"{self.action.strip()}%"))
        if self.actor.strip():
            stmt = stmt.where(AuditEntry.actor_name == self.actor.strip())
        if self.object_type.strip():
            stmt = stmt.where(AuditEntry.object_type == self.object_type.strip())
        if self.object_id.strip():
            stmt = stmt.where(AuditEntry.object_id == self.object_id.strip())
        return stmt


def audit_page(flt: AuditFilter, page: int) -> tuple[list[AuditEntry], int]:
    stmt = flt.apply(select(AuditEntry))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(
            stmt.order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    return list(rows), total


def lots_by_status(centre_id: int | None) -> dict[str, list[Any]]:
    """The centre's lots grouped by status, soonest deadline first (all centres when None)."""
    from bidding.models import Lot, Project

    stmt = select(Lot).join(Project, Lot.project_id == Project.id)
    if centre_id is not None:
        stmt = stmt.where(Project.centre_id == centre_id)
    stmt = stmt.order_by(Lot.bid_deadline.is_(None), Lot.bid_deadline, Lot.id)
    groups: dict[str, list[Any]] = {}
    for lot in db.session.execute(stmt).scalars():
        groups.setdefault(lot.status.value, []).append(lot)
    return groups
