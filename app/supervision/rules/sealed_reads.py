"""Staff asking for records sealed until the deadline before it (廉政防控): each refused
attempt is in the audit log (`sealed.read_refused`); one warning per person and lot."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.auth.models import User
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.actions import SEALED_READ_REFUSED


def check(scope: Scope) -> list[Finding]:
    rows = db.session.execute(
        select(
            AuditEntry.actor_id,
            AuditEntry.object_id,
            func.max(AuditEntry.actor_name),
            func.count(),
            func.max(AuditEntry.data),
        )
        .where(AuditEntry.action == SEALED_READ_REFUSED, AuditEntry.object_type == "lot")
        .group_by(AuditEntry.actor_id, AuditEntry.object_id)
    ).all()
    wanted = None if scope.lot_ids is None else {str(i) for i in scope.lot_ids}
    found: list[Finding] = []
    for actor_id, object_id, name, n, data in rows:
        scope.tick()
        if not object_id.isdigit() or (wanted is not None and object_id not in wanted):
            continue
        try:
            what = json.loads(data or "{}").get("what", "")
        except ValueError:
            what = ""
        person = db.session.get(User, actor_id) if actor_id else None
        found.append(
            Finding(
                subject=f"lot:{object_id}:user:{actor_id}",
                lot_id=int(object_id),
                level=Level.RED,
                facts={
                    "person": person.display_name if person else name or "",
                    "times": n,
                    "what": what,
                },
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(p)s 在投标截止前 %(n)s 次试图查看保密的投标保证金名单，均被拒绝。",
        p=facts.get("person", ""),
        n=facts.get("times", 0),
    )


RULE = Rule(
    "integrity.sealed_reads", _l("截止前试图查看保密记录"), "integrity", check, (), describe
)
