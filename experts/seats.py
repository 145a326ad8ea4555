"""What staff and overseers may see of a draw: seats by state, appraisal rows, the audit trail.

Until an expert signs in, the requesting staff see only counts per state, never names.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import clock, formatting
from app.core.audit.models import AuditEntry
from app.core.auth.models import User
from app.core.errors import NotFound, TooEarly
from app.core.extensions import db
from bidding.models import Lot
from experts import policies
from experts.draws import family
from experts.models import Appraisal, Draw, Invitation, InvitationState


def seat_summary(root: Draw) -> list[dict[str, Any]]:
    """Per slot: counts per state and the names of experts who have signed in (only those)."""
    invitations = list(
        db.session.execute(
            select(Invitation).where(Invitation.root_id == root.id).order_by(Invitation.id)
        ).scalars()
    )
    out = []
    for g in root.groups:
        slot = int(g["slot"])
        mine = [i for i in invitations if i.slot == slot]
        counts = {s.value: sum(1 for i in mine if i.state == s) for s in InvitationState}
        out.append(
            {
                "slot": slot,
                "specialty": g["specialty"],
                "count": int(g["count"]),
                "centre_id": g.get("centre_id"),
                "states": counts,
                "signed_in": [
                    {"name": i.expert.name, "signed_in_at": i.signed_in_at}
                    for i in mine
                    if i.signed_in_at is not None
                ],
            }
        )
    return out


def appraisal_rows(root: Draw, actor: User) -> list[dict[str, Any]]:
    """Experts who accepted a seat of this draw, for the appraisal after the evaluation.

    An expert who signed in is named; one who confirmed but never signed in stays
    unnamed (listed by seat) and can still be appraised, e.g. for not turning up.
    """
    lot = db.session.get(Lot, root.lot_id)
    if lot is None:
        raise NotFound(_l("标段不存在。"))
    policies.ensure_can_request_draw(actor, lot)
    if clock.now() < root.evaluation_at:
        raise TooEarly(
            _l(
                "评标开始（%(t)s 北京时间）后方可考评专家。",
                t=formatting.cst(root.evaluation_at),
            )
        )
    seats = list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.root_id == root.id, Invitation.state == InvitationState.CONFIRMED)
            .order_by(Invitation.slot, Invitation.id)
            .options(joinedload(Invitation.expert))
        ).scalars()
    )
    done = {
        a.expert_id: a
        for a in db.session.execute(
            select(Appraisal).where(
                Appraisal.lot_id == lot.id,
                Appraisal.expert_id.in_([i.expert_id for i in seats]),
            )
        ).scalars()
    }
    specialty = {int(g["slot"]): g["specialty"] for g in root.groups}
    return [
        {
            "invitation": inv,
            "seat": n,
            "name": inv.expert.name if inv.signed_in_at is not None else None,
            "specialty": specialty.get(inv.slot, ""),
            "signed_in_at": inv.signed_in_at,
            "appraisal": done.get(inv.expert_id),
        }
        for n, inv in enumerate(seats, start=1)
    ]


def draw_log(item: Draw) -> list[AuditEntry]:
    """Every audit entry of a draw's family and of its invitations, in log order."""
    ids = [str(d.id) for d in family(db.session.get(Draw, item.root_id or item.id))]  # type: ignore[arg-type]
    inv_ids = [
        str(i)
        for i in db.session.execute(
            select(Invitation.id).where(Invitation.root_id == (item.root_id or item.id))
        ).scalars()
    ]
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(
                ((AuditEntry.object_type == "expert_draw") & AuditEntry.object_id.in_(ids))
                | (
                    (AuditEntry.object_type == "expert_invitation")
                    & AuditEntry.object_id.in_(inv_ids)
                )
            )
            .order_by(AuditEntry.seq)
        ).scalars()
    )
