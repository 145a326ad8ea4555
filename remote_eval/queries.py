"""What the evaluation pages list: sessions by member, centre and agency; whom a form offers."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from app.core.auth.models import User
from app.core.extensions import db
from bidding.models import Lot, LotStatus, Project
from remote_eval import policies
from remote_eval.models import EvalMember, EvalSession, MemberStatus

LIST_LIMIT = 200


def member_sessions(user: User) -> list[EvalSession]:
    return list(
        db.session.execute(
            select(EvalSession)
            .join(EvalMember, EvalMember.session_id == EvalSession.id)
            .where(EvalMember.user_id == user.id, EvalMember.status != MemberStatus.REMOVED)
            .order_by(EvalSession.id.desc())
            .limit(LIST_LIMIT)
        ).scalars()
    )


def centre_sessions(centre_id: int) -> list[EvalSession]:
    """Sessions run by the centre or with a member seated at one of its venues."""
    seated = select(EvalMember.session_id).where(EvalMember.venue_centre_id == centre_id)
    return list(
        db.session.execute(
            select(EvalSession)
            .where((EvalSession.main_centre_id == centre_id) | EvalSession.id.in_(seated))
            .order_by(EvalSession.id.desc())
            .limit(LIST_LIMIT)
        ).scalars()
    )


def agency_lots(user: User) -> tuple[list[Lot], list[EvalSession]]:
    """The agency's opened lots (to form a committee) and its lots' sessions."""
    if user.organisation_id is None:
        return [], []
    lots = db.session.execute(
        select(Lot)
        .join(Project, Project.id == Lot.project_id)
        .where(
            Project.agency_id == user.organisation_id,
            or_(
                Lot.status == LotStatus.OPENED,
                # Sealed after a long break, no open session: a new committee is due.
                and_(
                    Lot.status == LotStatus.EVALUATING,
                    Lot.id.in_(
                        select(EvalSession.lot_id).where(EvalSession.sealed_at.is_not(None))
                    ),
                    Lot.id.not_in(
                        select(EvalSession.lot_id).where(EvalSession.sealed_at.is_(None))
                    ),
                ),
            ),
        )
        .order_by(Lot.id)
        .limit(LIST_LIMIT)
    ).scalars()
    sessions = db.session.execute(
        select(EvalSession)
        .join(Lot, Lot.id == EvalSession.lot_id)
        .join(Project, Project.id == Lot.project_id)
        .where(Project.agency_id == user.organisation_id)
        .order_by(EvalSession.id.desc())
        .limit(LIST_LIMIT)
    ).scalars()
    return (
        [lot for lot in lots if policies.can_form_committee(user, lot)],
        list(sessions),
    )


def purchaser_users(lot: Lot) -> list[User]:
    """Active users of the project's purchaser: who may be named its representatives."""
    return list(
        db.session.execute(
            select(User)
            .where(User.organisation_id == lot.project.purchaser_id, User.is_active_flag)
            .order_by(User.id)
        ).scalars()
    )
