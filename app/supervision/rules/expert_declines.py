"""Declines clustered before particular lots: an expert whose declines within the window fall
mostly on one purchaser's (or agency's) lots, or one lot that many drawn experts decline."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.common import org_names, setting, window_start
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.models import Lot, Project
from experts.models import Draw, Expert, Invitation, InvitationState

MILLE = 1000  # shares compared in whole per-mille: integer SQL on every dialect


def _declined(scope: Scope) -> tuple[Any, ...]:
    return (
        Invitation.state == InvitationState.DECLINED,
        Draw.evaluation_at >= window_start(scope),
    )


def _touches(scope: Scope) -> Any:
    assert scope.lot_ids is not None
    return func.max(case((Lot.id.in_(scope.lot_ids), 1), else_=0)) == 1


def by_expert(scope: Scope) -> list[Finding]:
    share = round(setting("SUPERVISION_DECLINE_SHARE", 0.6) * MILLE)
    least = setting("SUPERVISION_DECLINE_MIN", 3)
    totals = (
        select(
            Invitation.expert_id.label("expert_id"),
            func.count(func.distinct(Draw.lot_id)).label("declines"),
        )
        .join(Draw, Draw.id == Invitation.draw_id)
        .where(*_declined(scope))
        .group_by(Invitation.expert_id)
        .subquery()
    )
    found: list[Finding] = []
    for role, column in (("purchaser", Project.purchaser_id), ("agency", Project.agency_id)):
        n = func.count(func.distinct(Lot.id))
        stmt = (
            select(Invitation.expert_id, column, n, totals.c.declines, func.max(Lot.id))
            .join(Draw, Draw.id == Invitation.draw_id)
            .join(Lot, Lot.id == Draw.lot_id)
            .join(Project, Project.id == Lot.project_id)
            .join(totals, totals.c.expert_id == Invitation.expert_id)
            .where(*_declined(scope))
            .group_by(Invitation.expert_id, column, totals.c.declines)
            .having(n >= least, n * MILLE > totals.c.declines * share)
        )
        if scope.lot_ids is not None:
            stmt = stmt.having(_touches(scope))
        rows = db.session.execute(stmt).all()
        orgs = org_names({r[1] for r in rows})
        for expert_id, org_id, times, total, last_lot in rows:
            scope.tick()
            expert = db.session.get(Expert, expert_id)
            found.append(
                Finding(
                    subject=f"expert:{expert_id}:declines:{role}:{org_id}",
                    lot_id=last_lot,
                    level=Level.YELLOW,
                    facts={
                        "kind": "expert",
                        "expert": getattr(expert, "name", "") or str(expert_id),
                        "role": role,
                        "org": orgs.get(org_id, ""),
                        "times": times,
                        "declines": total,
                    },
                )
            )
    return found


def by_lot(scope: Scope) -> list[Finding]:
    least = setting("SUPERVISION_LOT_DECLINES", 5)
    n = func.count(func.distinct(Invitation.expert_id))
    stmt = (
        select(Draw.lot_id, n)
        .join(Draw, Draw.id == Invitation.draw_id)
        .where(*_declined(scope), scope.lots(Draw.lot_id))
        .group_by(Draw.lot_id)
        .having(n >= least)
    )
    return [
        Finding(
            subject=f"lot:{lot_id}:declines",
            lot_id=lot_id,
            level=Level.YELLOW,
            facts={"kind": "lot", "experts": experts},
        )
        for lot_id, experts in db.session.execute(stmt).all()
    ]


def check(scope: Scope) -> list[Finding]:
    return by_expert(scope) + by_lot(scope)


def describe(facts: dict[str, Any]) -> str:
    if facts.get("kind") == "lot":
        return _("%(n)s 位抽中的专家拒绝参加本标段评审。", n=facts.get("experts", 0))
    args = {
        "e": facts.get("expert", ""),
        "n": facts.get("times", 0),
        "t": facts.get("declines", 0),
        "o": facts.get("org", ""),
    }
    if facts.get("role") == "agency":
        return _("专家 %(e)s 拒绝参加的 %(t)s 次评审中有 %(n)s 次是代理机构 %(o)s 的项目。", **args)
    return _("专家 %(e)s 拒绝参加的 %(t)s 次评审中有 %(n)s 次是采购人 %(o)s 的项目。", **args)


RULE = Rule("experts.declines", _l("专家拒绝集中于特定标段"), "experts", check, (), describe)
