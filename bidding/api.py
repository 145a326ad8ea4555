"""JSON API for projects, lots and announcements (/api/v1/...)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.core.auth.models import Organisation
from app.core.errors import NotFound, ValidationError
from app.core.extensions import db
from bidding import announcements, intents, policies, projects, termination
from bidding.forms import project_choices
from bidding.models import Project
from bidding.plans import plans
from bidding.schemas import (
    AnnouncementOut,
    IntentExemptionIn,
    IntentExemptionOut,
    IntentIn,
    LotIn,
    LotOut,
    LotPatch,
    ProjectChoicesOut,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    ProjectQuery,
    ProjectTenderNoticeIn,
    PurchaserOut,
    PurchaserQuery,
    TenderNoticeIn,
    TerminationIn,
)

blp = Blueprint(
    "bidding_api",
    __name__,
    url_prefix="/api/v1",
    description="Projects, lots and announcements of the procurement lifecycle",
)


def _project_for_view(project_id: int) -> Project:
    project = projects.get_project(project_id)
    policies.ensure_can_view_project(current_user, project)
    return project


def _project_for_manage(project_id: int) -> Project:
    project = projects.get_project(project_id)
    policies.ensure_can_manage_project(current_user, project)
    return project


@blp.route("/projects")
class ProjectsResource(MethodView):
    decorators = [login_required]

    @blp.arguments(ProjectQuery, location="query")
    @blp.response(200, ProjectPage)
    def get(self, query: dict[str, Any]) -> Any:
        """Projects the caller may see: staff their agency's, supervisors their centre's."""
        stmt = projects.projects_visible_to(current_user)
        total = db.session.execute(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        ).scalar_one()
        page, per_page = query["page"], query["per_page"]
        items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars()
        return {"items": list(items), "total": total, "page": page, "per_page": per_page}

    @blp.arguments(ProjectIn)
    @blp.response(201, ProjectOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a project with its lots (agency staff only); codes are generated."""
        policies.ensure_can_create_project(current_user)
        purchaser = db.session.get(Organisation, data.pop("purchaser_id"))
        if purchaser is None:
            raise ValidationError(_("所选采购人不存在。"), field="purchaser_id")
        line_id = data.pop("plan_line_id")
        line = plans.get_line(line_id) if line_id is not None else None
        with plans.overdraw_audited(current_user):
            project = projects.create_project(
                current_user, purchaser=purchaser, plan_line=line, **data
            )
            db.session.commit()
        return project


@blp.route("/purchasers")
class PurchasersResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PurchaserQuery, location="query")
    @blp.response(200, PurchaserOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """The purchasers a new project may name, as the project form lists them (agency staff):
        those of the caller's centre and those of no centre; `q` narrows by name."""
        policies.ensure_can_create_project(current_user)
        return projects.purchasers_for(current_user.centre_id, query["q"])


@blp.route("/project-choices")
class ProjectChoicesResource(MethodView):
    decorators = [login_required]

    @blp.response(200, ProjectChoicesOut)
    def get(self) -> Any:
        """The other choices of the project form: methods, evaluation methods, categories."""
        policies.ensure_can_create_project(current_user)
        return {
            key: [{"value": v, "label": label} for v, label in pairs]
            for key, pairs in project_choices().items()
        }


@blp.route("/projects/<int:project_id>")
class ProjectResource(MethodView):
    decorators = [login_required]

    @blp.response(200, ProjectOut)
    def get(self, project_id: int) -> Any:
        """One project with its lots."""
        return _project_for_view(project_id)


@blp.route("/projects/<int:project_id>/lots")
class ProjectLotsResource(MethodView):
    decorators = [login_required]

    @blp.arguments(LotIn)
    @blp.response(201, LotOut)
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Add a lot to a project none of whose lots has been announced yet."""
        project = _project_for_manage(project_id)
        with plans.overdraw_audited(current_user):
            lot = projects.add_lot(current_user, project, data)
            db.session.commit()
        return lot


@blp.route("/projects/<int:project_id>/announcements")
class ProjectAnnouncementsResource(MethodView):
    decorators = [login_required]

    @blp.response(200, AnnouncementOut(many=True))
    def get(self, project_id: int) -> Any:
        """Every announcement of a project, newest first."""
        return projects.announcements_of(_project_for_view(project_id))


@blp.route("/projects/<int:project_id>/intent")
class IntentResource(MethodView):
    decorators = [login_required]

    @blp.arguments(IntentIn)
    @blp.response(201, AnnouncementOut)
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Publish the procurement intent (采购意向) of the project or of one lot."""
        project = _project_for_manage(project_id)
        lot = None
        if data.get("lot_id") is not None:
            lot = projects.get_lot(data["lot_id"])
        ann = announcements.publish_intent(current_user, project, data, lot=lot)
        db.session.commit()
        return ann


@blp.route("/projects/<int:project_id>/intent-exemption")
class IntentExemptionResource(MethodView):
    decorators = [login_required]

    @blp.response(200, IntentExemptionOut)
    def get(self, project_id: int) -> Any:
        """The project's recorded 未公开采购意向的说明 (its agency, supervisors, admins)."""
        item = intents.exemption_of(_project_for_view(project_id))
        if item is None:
            raise NotFound(_("本项目没有登记未公开采购意向的说明。"))
        return item

    @blp.arguments(IntentExemptionIn)
    @blp.response(201, IntentExemptionOut)
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Record that the notice goes out without the 30-day intent: urgent for reasons
        the purchaser could not foresee. The reason is required; once only (409)."""
        project = _project_for_manage(project_id)
        item = intents.record_exemption(current_user, project, data["reason"])
        db.session.commit()
        return item


@blp.route("/projects/<int:project_id>/tender-notice")
class ProjectTenderNoticeResource(MethodView):
    decorators = [login_required]

    @blp.arguments(ProjectTenderNoticeIn)
    @blp.response(201, AnnouncementOut)
    def post(self, data: dict[str, Any], project_id: int) -> Any:
        """Publish one tender notice for several draft lots (all of them by default)."""
        project = _project_for_manage(project_id)
        lots = None
        if data.get("lot_ids"):
            lots = [projects.get_lot(i) for i in data["lot_ids"]]
        ann = announcements.publish_tender_notice(current_user, project, data, lots=lots)
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>")
class LotResource(MethodView):
    decorators = [login_required]

    @blp.response(200, LotOut)
    def get(self, lot_id: int) -> Any:
        """One lot with its timetable and status."""
        lot = projects.get_lot(lot_id)
        policies.ensure_can_view_project(current_user, lot.project)
        return lot

    @blp.arguments(LotPatch)
    @blp.response(200, LotOut)
    def patch(self, data: dict[str, Any], lot_id: int) -> Any:
        """Edit a draft lot; send the version you read, a stale one is refused (409)."""
        lot = projects.get_lot_to_manage(current_user, lot_id)
        version = data.pop("version")
        with plans.overdraw_audited(current_user):
            projects.update_lot(current_user, lot, data, version)
            db.session.commit()
        return lot


@blp.route("/lots/<int:lot_id>/tender-notice")
class LotTenderNoticeResource(MethodView):
    decorators = [login_required]

    @blp.arguments(TenderNoticeIn)
    @blp.response(201, AnnouncementOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Publish the tender notice of one draft lot; refused under the lawful clocks."""
        lot = projects.get_lot_to_manage(current_user, lot_id)
        ann = announcements.publish_tender_notice(current_user, lot.project, data, lots=[lot])
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/termination")
class TerminationResource(MethodView):
    decorators = [login_required]

    @blp.arguments(TerminationIn)
    @blp.response(201, AnnouncementOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Terminate a lot with a reason; publishes the termination notice (终止公告)."""
        lot = projects.get_lot_to_manage(current_user, lot_id)
        ann = termination.terminate_lot(current_user, lot, data["reason"])
        db.session.commit()
        return ann
