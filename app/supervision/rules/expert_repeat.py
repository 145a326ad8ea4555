"""One expert sitting for one purchaser more often within a year than the draw's cap allows
(or for one agency, several times that cap)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.auth.models import Organisation
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.models import Lot, Project
from experts.models import Draw, Expert, Invitation, InvitationState

YEAR = dt.timedelta(days=365)
# An agency runs many purchasers' projects: one expert meeting it is a signal only at
# several times the cap that holds for one purchaser.
AGENCY_FACTOR = 3


def check(scope: Scope) -> list[Finding]:
    limit = int(current_app.config.get("EXPERT_MAX_SITTINGS_PER_PURCHASER", 3))
    found: list[Finding] = []
    for role, column, most in (
        ("purchaser", Project.purchaser_id, limit),
        ("agency", Project.agency_id, limit * AGENCY_FACTOR),
    ):
        stmt = (
            select(
                Invitation.expert_id, column, func.count(func.distinct(Lot.id)), func.max(Lot.id)
            )
            .join(Draw, Draw.id == Invitation.draw_id)
            .join(Lot, Lot.id == Draw.lot_id)
            .join(Project, Project.id == Lot.project_id)
            .where(
                Invitation.state == InvitationState.CONFIRMED,
                Draw.evaluation_at >= scope.now - YEAR,
            )
            .group_by(Invitation.expert_id, column)
            # Over the cap the draw applies (EXPERT_MAX_SITTINGS_PER_PURCHASER): at it is allowed.
            .having(func.count(func.distinct(Lot.id)) > most)
        )
        if scope.lot_ids is not None:
            stmt = stmt.having(func.max(Lot.id).in_(scope.lot_ids))
        for expert_id, org_id, n, last_lot in db.session.execute(stmt).all():
            scope.tick()
            expert = db.session.get(Expert, expert_id)
            org = db.session.get(Organisation, org_id)
            found.append(
                Finding(
                    subject=f"expert:{expert_id}:{role}:{org_id}",
                    lot_id=last_lot,
                    level=Level.YELLOW,
                    facts={
                        "expert": getattr(expert, "name", "") or str(expert_id),
                        "role": role,
                        "org": org.name if org else "",
                        "times": n,
                    },
                )
            )
    return found


def describe(facts: dict[str, Any]) -> str:
    if facts.get("role") == "agency":
        return _(
            "专家 %(e)s 一年内 %(n)s 次参加代理机构 %(o)s 的项目评审。",
            e=facts.get("expert", ""),
            n=facts.get("times", 0),
            o=facts.get("org", ""),
        )
    return _(
        "专家 %(e)s 一年内 %(n)s 次参加采购人 %(o)s 的项目评审。",
        e=facts.get("expert", ""),
        n=facts.get("times", 0),
        o=facts.get("org", ""),
    )


RULE = Rule("experts.repeat", _l("专家频繁服务同一单位"), "experts", check, ("scored",), describe)
