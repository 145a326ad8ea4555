"""The live monitoring board: every lot of the supervisor's centre (every centre for the
provincial supervisor) with its stage and its supervision points lit green / yellow / red
by the open warnings of the rules of each point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import Centre
from app.core.extensions import db
from app.supervision.models import Level, SupervisionWarning
from app.supervision.rules import POINTS, rule_point
from bidding.models import Lot, LotStatus, Project

# Stages in the order a lot passes them; the ended ones list only lots with a lit point.
STAGES: tuple[tuple[str, Any, tuple[LotStatus, ...]], ...] = (
    ("bidding", _l("招标投标"), (LotStatus.PUBLISHED, LotStatus.SUSPENDED, LotStatus.CLOSED)),
    ("opening", _l("开标"), (LotStatus.OPENED,)),
    ("evaluation", _l("评标"), (LotStatus.EVALUATING, LotStatus.EVALUATED)),
    ("result", _l("公示定标"), (LotStatus.PUBLICITY, LotStatus.AWARDED)),
    ("ended", _l("已结束"), (LotStatus.CONTRACTED, LotStatus.FAILED, LotStatus.TERMINATED)),
)
ENDED = "ended"
STAGE_KEYS = frozenset(key for key, _label, _s in STAGES)
# Green lots listed per stage before the rest are only counted (a link lists them all): the
# board stays one screen's work to read and render, whatever the number of lots.
GREEN_SHOWN = 20
LIT_SHOWN = 50  # lit lots listed per stage, red first; the rest behind the same link


@dataclass
class LotLine:
    id: int
    code: str
    name: str
    status: LotStatus
    project: str
    centre: str
    bid_deadline: Any
    session_id: int | None = None
    points: dict[str, str] = field(default_factory=dict)  # point → "green" | "yellow" | "red"
    open_warnings: int = 0

    @property
    def worst(self) -> str:
        values = set(self.points.values())
        return "red" if "red" in values else "yellow" if "yellow" in values else "green"


@dataclass
class Board:
    stages: list[tuple[str, Any, list[LotLine]]]
    quiet_ended: int  # ended lots with every point green (counted, not listed)
    counts: dict[str, int]  # green / yellow / red lots
    hidden: dict[str, int] = field(default_factory=dict)  # stage → green lots not listed


def board(centre_id: int | None, lot_ids: list[int] | None = None, expand: str = "") -> Board:
    """`centre_id` None: every centre. `lot_ids`: only these lots. `expand`: the stage whose
    green lots are all listed."""
    from remote_eval.models import EvalSession

    stmt = (
        select(
            Lot.id,
            Lot.code,
            Lot.name,
            Lot.status,
            Project.name,
            Centre.name,
            Lot.bid_deadline,
        )
        .join(Project, Project.id == Lot.project_id)
        .join(Centre, Centre.id == Project.centre_id)
        .where(Lot.status != LotStatus.DRAFT)
    )
    if centre_id is not None:
        stmt = stmt.where(Project.centre_id == centre_id)
    if lot_ids is not None:
        stmt = stmt.where(Lot.id.in_(lot_ids))
    lines = {
        r[0]: LotLine(*r)
        for r in db.session.execute(stmt.order_by(Lot.bid_deadline.desc(), Lot.id.desc()))
    }
    wstmt = select(
        SupervisionWarning.lot_id, SupervisionWarning.rule, SupervisionWarning.level
    ).where(SupervisionWarning.open_key.is_not(None), SupervisionWarning.lot_id.is_not(None))
    if centre_id is not None:
        wstmt = wstmt.where(SupervisionWarning.centre_id == centre_id)
    if lot_ids is not None:
        wstmt = wstmt.where(SupervisionWarning.lot_id.in_(lot_ids))
    for lot_id, rule, level in db.session.execute(wstmt):
        line = lines.get(lot_id)
        if line is None:
            continue
        line.open_warnings += 1
        point = rule_point(rule)
        if level == Level.RED or line.points.get(point) != "red":
            line.points[point] = level.value
    sstmt = select(EvalSession.lot_id, EvalSession.id)
    if lot_ids is not None:
        sstmt = sstmt.where(EvalSession.lot_id.in_(lot_ids))
    for lot_id, session_id in db.session.execute(sstmt):
        if lot_id in lines:
            lines[lot_id].session_id = session_id
    for line in lines.values():
        for point in POINTS:
            line.points.setdefault(point, "green")
    by_status: dict[LotStatus, list[LotLine]] = {}
    for line in lines.values():
        by_status.setdefault(line.status, []).append(line)
    stages = []
    quiet = 0
    counts = {"green": 0, "yellow": 0, "red": 0}
    hidden: dict[str, int] = {}
    for key, label, statuses in STAGES:
        members = [line for s in statuses for line in by_status.get(s, [])]
        for line in members:
            counts[line.worst] += 1
        lit = [line for line in members if line.worst != "green"]
        lit.sort(key=lambda x: (x.worst != "red", x.id))
        green = [line for line in members if line.worst == "green"]
        if key == ENDED and expand != ENDED:
            quiet, green = len(green), []
        if expand != key:
            more = max(len(lit) - LIT_SHOWN, 0) + max(len(green) - GREEN_SHOWN, 0)
            lit, green = lit[:LIT_SHOWN], green[:GREEN_SHOWN]
            if more:
                hidden[key] = more
        stages.append((key, label, lit + green))
    return Board(stages, quiet, counts, hidden)
