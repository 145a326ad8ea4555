"""JSON API of the expert pool, draws and invitations (thin: parse, load, check, call, commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import select

from app.core.auth.models import Centre
from app.core.errors import NotFound
from app.core.extensions import db
from bidding.models import Lot
from experts import draw_record, draws, invitations, policies, pool, records, seats
from experts.models import Draw, Expert, ExpertStatus, Invitation, Specialty
from experts.schemas import (
    AnswerIn,
    AppraisalIn,
    CancelIn,
    ConflictIn,
    CreditIn,
    DrawOut,
    DrawRequestIn,
    EmploymentIn,
    ExpertIn,
    ExpertOut,
    ExpertPatch,
    ExpertQuery,
    ImportIn,
    ImportOut,
    InvitationOut,
    LeaveIn,
    LogEntryOut,
    RelationIn,
    SpecialtyOut,
    StatusIn,
)

blp = Blueprint(
    "experts_api", __name__, url_prefix="/api/v1/experts", description="Expert pool and draws"
)


def _get(model: Any, ident: int, label: Any) -> Any:
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(label)
    return obj


def _expert(expert_id: int) -> Expert:
    expert = _get(Expert, expert_id, _l("专家不存在。"))
    policies.ensure_can_act_for_expert(current_user, expert)
    return expert


def _draw(draw_id: int) -> Draw:
    item = _get(Draw, draw_id, _l("抽取记录不存在。"))
    policies.ensure_can_view_draw(current_user, item)
    return item


def _invitation(inv_id: int) -> Invitation:
    inv = _get(Invitation, inv_id, _l("邀请不存在。"))
    policies.ensure_can_answer(current_user, inv)
    return inv


@blp.route("/specialties")
class Specialties(MethodView):
    @login_required
    @blp.response(200, SpecialtyOut(many=True))
    def get(self) -> Any:
        """The 4-level specialty classification."""
        return db.session.execute(select(Specialty).order_by(Specialty.code)).scalars().all()


@blp.route("/pool")
class Pool(MethodView):
    @login_required
    @blp.arguments(ExpertQuery, location="query")
    @blp.response(200, ExpertOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Experts of a centre's pool (centre staff of that centre only)."""
        centre_id = args["centre_id"] or current_user.centre_id
        policies.ensure_can_manage_pool(current_user, centre_id)
        stmt = select(Expert).where(Expert.centre_id == centre_id).order_by(Expert.id)
        if args["status"]:
            stmt = stmt.where(Expert.status == ExpertStatus(args["status"]))
        if args["q"]:
            stmt = stmt.where(Expert.name.contains(args["q"]))
        return db.session.execute(stmt.limit(500)).scalars().all()

    @login_required
    @blp.arguments(ExpertIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an expert in the caller's centre pool."""
        centre = _get(Centre, current_user.centre_id or 0, _l("您的账户未关联交易中心。"))
        expert = pool.register_expert(centre, data, current_user)
        db.session.commit()
        return expert


@blp.route("/pool/import")
class PoolImport(MethodView):
    @login_required
    @blp.arguments(ImportIn)
    @blp.response(201, ImportOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Import a CSV pool: any bad row imports nothing and every bad row is listed."""
        centre = _get(Centre, data["centre_id"], _l("交易中心不存在。"))
        experts = pool.import_csv(centre, data["csv"], current_user)
        db.session.commit()
        return {"imported": len(experts)}


@blp.route("/pool/<int:expert_id>")
class PoolItem(MethodView):
    @login_required
    @blp.response(200, ExpertOut)
    def get(self, expert_id: int) -> Any:
        """One expert (centre staff, or the expert themself)."""
        return _expert(expert_id)

    @login_required
    @blp.arguments(ExpertPatch)
    @blp.response(200, ExpertOut)
    def patch(self, data: dict[str, Any], expert_id: int) -> Any:
        """Edit an expert's record."""
        expert = pool.update_expert(_expert(expert_id), data, current_user)
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/status")
class PoolStatus(MethodView):
    @login_required
    @blp.arguments(StatusIn)
    @blp.response(200, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Suspend, retire or reactivate an expert."""
        expert = pool.set_status(
            _expert(expert_id), ExpertStatus(data["status"]), data["reason"], current_user
        )
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/employments")
class PoolEmployment(MethodView):
    @login_required
    @blp.arguments(EmploymentIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Add a past employer with its period."""
        expert = _expert(expert_id)
        records.add_employment(
            expert,
            data["credit_code"],
            data["name"],
            data["start_date"],
            data["end_date"],
            current_user,
        )
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/relations")
class PoolRelation(MethodView):
    @login_required
    @blp.arguments(RelationIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Declare a relationship to a company (by the expert or centre staff)."""
        expert = _expert(expert_id)
        records.add_relation(expert, data["credit_code"], data["kind"], data["note"], current_user)
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/leaves")
class PoolLeave(MethodView):
    @login_required
    @blp.arguments(LeaveIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Record a leave period (the expert is never drawn during it)."""
        expert = _expert(expert_id)
        records.add_leave(
            expert,
            data["start_at"].astimezone(dt.UTC),
            data["end_at"].astimezone(dt.UTC),
            data["reason"],
            current_user,
        )
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/credit")
class PoolCredit(MethodView):
    @login_required
    @blp.arguments(CreditIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Add a credit record entry: reward, penalty or ban (with its period)."""
        expert = _expert(expert_id)
        records.add_credit_entry(
            expert,
            data["kind"],
            data["reason"],
            current_user,
            points=data["points"],
            start=data["start_at"],
            end=data["end_at"],
        )
        db.session.commit()
        return expert


@blp.route("/pool/<int:expert_id>/appraisals")
class PoolAppraisal(MethodView):
    @login_required
    @blp.arguments(AppraisalIn)
    @blp.response(201, ExpertOut)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Appraise an expert after an evaluation (专家考评)."""
        expert = _get(Expert, expert_id, _l("专家不存在。"))
        lot = _get(Lot, data["lot_id"], _l("标段不存在。"))
        records.add_appraisal(
            expert, lot, data["checklist"], data["score"], data["comment"], current_user
        )
        db.session.commit()
        return expert


@blp.route("/draws")
class Draws(MethodView):
    @login_required
    @blp.response(200, DrawOut(many=True))
    def get(self) -> Any:
        """Draws the caller may see (their agency's lots; supervisors see all)."""
        rows = db.session.execute(select(Draw).order_by(Draw.id.desc()).limit(200)).scalars()
        return [d for d in rows if policies.can_view_draw(current_user, d)]

    @login_required
    @blp.arguments(DrawRequestIn)
    @blp.response(201, DrawOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Request a draw for a lot (the draw runs inside the window before the evaluation)."""
        lot = _get(Lot, data["lot_id"], _l("标段不存在。"))
        data["evaluation_at"] = data["evaluation_at"].astimezone(dt.UTC)
        item = draws.request_draw(lot, current_user, data)
        db.session.commit()
        return item


@blp.route("/draws/<int:draw_id>")
class DrawItem(MethodView):
    @login_required
    @blp.response(200, DrawOut)
    def get(self, draw_id: int) -> Any:
        """A draw: conditions, commitments and seat counts by state (names stay sealed)."""
        return _draw(draw_id)


@blp.route("/draws/<int:draw_id>/run")
class DrawRun(MethodView):
    @login_required
    @blp.response(200, DrawOut)
    def post(self, draw_id: int) -> Any:
        """Run the draw: commit (and make the commitment durable), then rank and invite.

        A draw left committed by a crash is resumed here with its committed seed.
        """
        item = _draw(draw_id)
        if item.status.value == "pending":
            draws.commit_draw(item, current_user)
            # The commitment must be durable before any result exists.
            db.session.commit()
        draws.execute_draw(item, current_user)
        db.session.commit()
        return item


@blp.route("/draws/<int:draw_id>/cancel")
class DrawCancel(MethodView):
    @login_required
    @blp.arguments(CancelIn)
    @blp.response(200, DrawOut)
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        """Cancel a draw (a committed one stays in the log as cancelled)."""
        item = draws.cancel_draw(_draw(draw_id), current_user, data["reason"])
        db.session.commit()
        return item


@blp.route("/draws/<int:draw_id>/reveal")
class DrawReveal(MethodView):
    @login_required
    @blp.response(200, DrawOut)
    def post(self, draw_id: int) -> Any:
        """Publish the seed once the evaluation has started, so anyone can verify."""
        item = draws.reveal_draw(_draw(draw_id), current_user)
        db.session.commit()
        return item


@blp.route("/draws/<int:draw_id>/record")
class DrawRecord(MethodView):
    @login_required
    @blp.response(200)
    def get(self, draw_id: int) -> Any:
        """The self-contained draw record for scripts/verify_draw.py (seed only once revealed)."""
        return draw_record.export_record(_draw(draw_id))


@blp.route("/draws/<int:draw_id>/log")
class DrawLog(MethodView):
    @login_required
    @blp.response(200, LogEntryOut(many=True))
    def get(self, draw_id: int) -> Any:
        """The audit trail of a draw and its invitations (supervisors)."""
        item = _get(Draw, draw_id, _l("抽取记录不存在。"))
        policies.ensure_can_oversee_draws(current_user)
        return seats.draw_log(item)


@blp.route("/invitations")
class MyInvitations(MethodView):
    @login_required
    @blp.response(200, InvitationOut(many=True))
    def get(self) -> Any:
        """The caller's own invitations (experts)."""
        return invitations.invitations_of(current_user)


@blp.route("/invitations/<int:inv_id>/answer")
class InvitationAnswer(MethodView):
    @login_required
    @blp.arguments(AnswerIn)
    @blp.response(200, InvitationOut)
    def post(self, data: dict[str, Any], inv_id: int) -> Any:
        """Join, or decline with a reason (a decline pulls the next reserve)."""
        inv = invitations.answer(_invitation(inv_id), current_user, data["join"], data["reason"])
        db.session.commit()
        return inv


@blp.route("/invitations/<int:inv_id>/conflict")
class InvitationConflict(MethodView):
    @login_required
    @blp.arguments(ConflictIn)
    @blp.response(200, InvitationOut)
    def post(self, data: dict[str, Any], inv_id: int) -> Any:
        """Declare a conflict of interest after accepting; the expert is replaced."""
        inv = invitations.declare_conflict(
            _invitation(inv_id), current_user, data["reason"], data["credit_code"]
        )
        db.session.commit()
        return inv


@blp.route("/invitations/<int:inv_id>/sign-in")
class InvitationSignIn(MethodView):
    @login_required
    @blp.response(200, InvitationOut)
    def post(self, inv_id: int) -> Any:
        """Sign in at the evaluation (reveals this expert's name to the requesting staff)."""
        inv = invitations.sign_in(_invitation(inv_id), current_user)
        db.session.commit()
        return inv
