"""What the expert floor asks of a user now (the workbench's providers for this floor)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import formatting
from app.core.auth.models import Role
from app.core.extensions import db
from app.core.workbench import TodoItem, register_provider
from bidding.models import Lot
from experts import policies
from experts.models import Draw, DrawStatus, Invitation, InvitationState


def invitations_to_answer(user: Any) -> list[TodoItem]:
    """The expert's own invitations still awaiting a join / decline answer."""
    expert = policies.expert_of(user)
    if expert is None:
        return []
    rows = db.session.execute(
        select(Invitation, Draw, Lot)
        .join(Draw, Draw.id == Invitation.draw_id)
        .join(Lot, Lot.id == Draw.lot_id)
        .where(Invitation.expert_id == expert.id, Invitation.state == InvitationState.INVITED)
    ).all()
    return [
        TodoItem(
            kind="experts.invitations",
            title=_("答复评标邀请：%(lot)s", lot=f"{lot.code} {lot.name}"),
            url=url_for("experts.my_invitations"),
            due_at=inv.answer_due_at,
            detail=_(
                "评标时间 %(at)s，地点 %(place)s",
                at=formatting.cst(draw.evaluation_at),
                place=draw.venue,
            ),
        )
        for inv, draw, lot in rows
    ]


def draws_to_run(user: Any) -> list[TodoItem]:
    """Draws the user requested (or whose centre runs them) that are not drawn yet."""
    if user.role != Role.STAFF:
        return []
    draws = db.session.execute(
        select(Draw).where(
            Draw.parent_id.is_(None),
            Draw.status.in_((DrawStatus.PENDING, DrawStatus.COMMITTED)),
        )
    ).scalars()
    items = []
    for draw in draws:
        if not policies.can_run_draw(user, draw):
            continue
        lot = db.session.get(Lot, draw.lot_id)
        assert lot is not None
        items.append(
            TodoItem(
                kind="experts.draws",
                title=_("执行专家抽取：%(lot)s", lot=f"{lot.code} {lot.name}"),
                url=url_for("experts.draw", draw_id=draw.id),
                due_at=draw.evaluation_at,
                detail=_("最早可于 %(at)s 抽取", at=formatting.cst(draw.earliest_at)),
            )
        )
    return items


def register() -> None:
    register_provider(
        "experts.invitations", _l("待答复的评标邀请"), invitations_to_answer, ("expert",), 3
    )
    register_provider("experts.draws", _l("待执行的专家抽取"), draws_to_run, ("staff",), 20)
