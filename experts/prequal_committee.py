"""The prequalification review committee (资格审查委员会) from an expert draw.

It is drawn like any committee: a draw request on the lot (odd, ≥5, experts ≥ 2/3, the
purchaser's representatives counted in the request), the same commit–reveal draw and
answers. Once the experts have confirmed, the agency seats them with the purchaser's
representative; the draw is then the prequalification's, and once the review has
concluded it no longer holds the lot's one live draw, so the evaluation committee can be
drawn (its experts excluded, as a released family's are).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.auth.models import Role, User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding.prequal.models import MemberKind, Prequalification, PrequalStatus
from bidding.prequal.review import Seat, seat_committee
from experts.models import Draw, DrawStatus, Expert, Invitation, InvitationState


def seated_experts(item: Draw) -> list[Expert]:
    """The experts of the draw's family who confirmed their seat."""
    root = item.root_id or item.id
    return list(
        db.session.execute(
            select(Expert)
            .join(Invitation, Invitation.expert_id == Expert.id)
            .where(Invitation.root_id == root, Invitation.state == InvitationState.CONFIRMED)
            .order_by(Invitation.slot, Invitation.rank)
        ).scalars()
    )


def purchaser_representatives(prequal: Prequalification) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(
                User.organisation_id == prequal.lot.project.purchaser_id,
                User.role == Role.PURCHASER,
            )
            .order_by(User.id)
        ).scalars()
    )


def form_committee(
    actor: User, prequal: Prequalification, item: Draw, representative_ids: list[int]
) -> None:
    """Seat the draw's confirmed experts and the named purchaser representatives."""
    if item.lot_id != prequal.lot_id or item.parent_id is not None:
        raise ValidationError(_("所选抽取不是本标段的专家抽取。"), field="draw_id")
    if item.status not in (DrawStatus.DRAWN, DrawStatus.REVEALED):
        raise Conflict(_("所选专家抽取尚未完成。"), field="draw_id")
    wanted = sum(int(g["count"]) for g in item.groups)
    experts = seated_experts(item)
    if len(experts) < wanted:
        raise Conflict(
            _(
                "抽取的 %(w)s 名专家中只有 %(n)s 名确认参加，全部确认后才能组建资格审查委员会。",
                w=wanted,
                n=len(experts),
            ),
            field="draw_id",
        )
    if any(e.user_id is None for e in experts):
        raise Conflict(_("有专家尚未开通平台账户，无法在线审查。"), field="draw_id")
    if len(representative_ids) != item.purchaser_reps:
        raise ValidationError(
            _(
                "这次抽取为采购人代表预留了 %(n)s 个席位，请选择相同人数的代表。",
                n=item.purchaser_reps,
            ),
            field="representative_ids",
        )
    allowed = {u.id: u for u in purchaser_representatives(prequal)}
    reps = [allowed.get(int(i)) for i in representative_ids]
    if any(r is None for r in reps):
        raise ValidationError(
            _("采购人代表须是本项目采购人的工作人员账户。"), field="representative_ids"
        )
    seats = [Seat(int(e.user_id or 0), e.name, MemberKind.EXPERT) for e in experts]
    seats += [Seat(r.id, r.display_name, MemberKind.PURCHASER) for r in reps if r is not None]
    seat_committee(actor, prequal, seats, item.root_id or item.id)


def released(root: Draw) -> bool:
    """A draw that seated a concluded prequalification no longer holds the lot's draw."""
    return (
        db.session.execute(
            select(Prequalification.id).where(
                Prequalification.committee_draw_id == root.id,
                Prequalification.status == PrequalStatus.CONCLUDED,
            )
        ).first()
        is not None
    )


def committee_panel(prequal: Prequalification) -> dict[str, object]:
    """What the agency's prequalification page offers for seating the committee."""
    from flask import url_for

    from app.core import formatting

    draws = db.session.execute(
        select(Draw)
        .where(
            Draw.lot_id == prequal.lot_id,
            Draw.parent_id.is_(None),
            Draw.status.in_((DrawStatus.DRAWN, DrawStatus.REVEALED)),
        )
        .order_by(Draw.id.desc())
    ).scalars()
    choices = [
        {
            "id": d.id,
            "label": _(
                "第 %(id)s 号抽取 · %(at)s · 专家 %(n)s 人、采购人代表 %(r)s 人",
                id=d.id,
                at=formatting.cst(d.evaluation_at, formatting.CHINESE_MINUTE),
                n=sum(int(g["count"]) for g in d.groups),
                r=d.purchaser_reps,
            ),
        }
        for d in draws
        if not released(d)
    ]
    if not choices:
        return {}
    return {
        "draws": choices,
        "representatives": purchaser_representatives(prequal),
        "action": url_for("expert_prequal.seat", prequal_id=prequal.id),
    }
