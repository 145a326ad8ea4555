"""JSON API of random inspections: the lists, campaigns, the draw, results and the public
results."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import Organisation, User
from app.core.errors import NotFound
from app.core.extensions import db
from app.core.http import load_or_404
from app.inspections import campaigns, draw_record, lists, policies, queries
from app.inspections.labels import outcome
from app.inspections.models import Campaign, CampaignStatus, RosterKind
from app.inspections.schemas import (
    InspectionCampaignIn,
    InspectionCampaignOut,
    InspectionInspectorIn,
    InspectionItemIn,
    InspectionItemOut,
    InspectionPublishedCampaignOut,
    InspectionResultIn,
    InspectionResultOut,
    InspectionRosterOut,
    InspectionTargetIn,
    InspectionVerifyOut,
)

blp = Blueprint(
    "inspections_api",
    __name__,
    url_prefix="/api/v1/inspections",
    description="Random inspections (双随机、一公开)",
)


def _campaign(campaign_id: int) -> Campaign:
    item = load_or_404(Campaign, campaign_id)
    return item


class _Published:
    """A campaign as the public sees it: its own fields and its results."""

    def __init__(self, item: Campaign, results: list[dict[str, Any]]) -> None:
        self._item = item
        self.results = results

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


def public_view(item: Campaign) -> _Published:
    """A published campaign with its results, for everyone (no inspector names)."""
    names = {i.id: i.name for i in queries.campaign_items(item)}
    rows = []
    for team in queries.teams(item):
        for item_id, r in sorted(team.results.items()):
            rows.append(
                {
                    "target_name": team.target.name,
                    "credit_code": team.target.organisation.credit_code
                    if team.target.organisation
                    else None,
                    "item": names.get(item_id, ""),
                    "outcome": r.outcome.value,
                    "outcome_label": outcome(r.outcome),
                    "finding": r.finding,
                }
            )
    return _Published(item, rows)


@blp.route("/items")
class Items(MethodView):
    @login_required
    @blp.response(200, InspectionItemOut(many=True))
    def get(self) -> Any:
        """The centre's inspection list (抽查事项清单)."""
        policies.ensure_can_manage_inspections(current_user)
        return queries.items(current_user.centre_id)

    @login_required
    @blp.arguments(InspectionItemIn)
    @blp.response(201, InspectionItemOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an item to the inspection list."""
        item = lists.add_item(current_user, data["name"], data["basis"])
        db.session.commit()
        return item


@blp.route("/targets")
class Targets(MethodView):
    @login_required
    @blp.response(200, InspectionRosterOut(many=True))
    def get(self) -> Any:
        """The centre's list of inspection targets (agencies, suppliers)."""
        policies.ensure_can_manage_inspections(current_user)
        return queries.roster(current_user.centre_id, RosterKind.TARGET)

    @login_required
    @blp.arguments(InspectionTargetIn)
    @blp.response(201, InspectionRosterOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Put an agency or a supplier on the list of targets."""
        policies.ensure_can_manage_inspections(current_user)
        entry = lists.add_target(current_user, load_or_404(Organisation, data["organisation_id"]))
        db.session.commit()
        return entry


@blp.route("/inspectors")
class Inspectors(MethodView):
    @login_required
    @blp.response(200, InspectionRosterOut(many=True))
    def get(self) -> Any:
        """The centre's list of inspectors, with their former employers."""
        policies.ensure_can_manage_inspections(current_user)
        return queries.roster(current_user.centre_id, RosterKind.INSPECTOR)

    @login_required
    @blp.arguments(InspectionInspectorIn)
    @blp.response(201, InspectionRosterOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Put a user on the list of inspectors with their former employers (avoided)."""
        policies.ensure_can_manage_inspections(current_user)
        user = load_or_404(User, data["user_id"])
        entry = lists.add_inspector(current_user, user, data["employers"])
        db.session.commit()
        return entry


@blp.route("/campaigns")
class Campaigns(MethodView):
    @login_required
    @blp.response(200, InspectionCampaignOut(many=True))
    def get(self) -> Any:
        """The centre's campaigns, newest first."""
        policies.ensure_can_manage_inspections(current_user)
        return queries.campaigns(current_user.centre_id)

    @login_required
    @blp.arguments(InspectionCampaignIn)
    @blp.response(201, InspectionCampaignOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a campaign: items, how many targets and inspectors to draw, team size.
        Drawing more than a list holds is refused with the count it has."""
        item = campaigns.create_campaign(current_user, data)
        db.session.commit()
        return item


@blp.route("/campaigns/<int:campaign_id>")
class CampaignResource(MethodView):
    @login_required
    @blp.response(200, InspectionCampaignOut)
    def get(self, campaign_id: int) -> Any:
        """One campaign of the centre."""
        item = _campaign(campaign_id)
        policies.ensure_can_manage_campaign(current_user, item)
        return item


def run_draw(item: Campaign, actor: User) -> Campaign:
    """Commit (its own transaction, so the commitment stands before anything is drawn),
    then draw; a campaign left committed by a crash resumes with the same seed."""
    if item.status == CampaignStatus.DRAFT:
        campaigns.commit_draw(item, actor)
        db.session.commit()
    campaigns.execute_draw(item, actor)
    db.session.commit()
    return item


@blp.route("/campaigns/<int:campaign_id>/draw")
class DrawResource(MethodView):
    @login_required
    @blp.response(200, InspectionCampaignOut)
    def post(self, campaign_id: int) -> Any:
        """Draw the targets and inspectors (commit–reveal, verifiable; the seed is public
        once drawn)."""
        return run_draw(_campaign(campaign_id), current_user)


@blp.route("/campaigns/<int:campaign_id>/draw-record")
class DrawRecord(MethodView):
    @blp.response(200)
    def get(self, campaign_id: int) -> Any:
        """The self-contained draw record of a drawn campaign: `scripts/verify_draw.py`
        re-runs it. Public: the draw of an inspection is published."""
        item = _campaign(campaign_id)
        if item.status not in (CampaignStatus.DRAWN, CampaignStatus.PUBLISHED):
            raise NotFound(policies.NOT_DRAWN)
        return draw_record.export_record(item)


@blp.route("/campaigns/<int:campaign_id>/verify")
class Verify(MethodView):
    @blp.response(200, InspectionVerifyOut)
    def get(self, campaign_id: int) -> Any:
        """Re-run the draw and the teams against the live log."""
        item = _campaign(campaign_id)
        if item.status not in (CampaignStatus.DRAWN, CampaignStatus.PUBLISHED):
            raise NotFound(policies.NOT_DRAWN)
        checks = draw_record.verify_in_app(item)
        return {
            "match": all(ok for _n, ok in checks),
            "checks": [{"check": n, "ok": ok} for n, ok in checks],
        }


@blp.route("/campaigns/<int:campaign_id>/results")
class Results(MethodView):
    @login_required
    @blp.arguments(InspectionResultIn)
    @blp.response(200, InspectionResultOut)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Enter (or correct, until published) the result of one target on one item."""
        row = campaigns.enter_result(current_user, _campaign(campaign_id), **data)
        db.session.commit()
        return row


@blp.route("/campaigns/<int:campaign_id>/publish")
class Publish(MethodView):
    @login_required
    @blp.response(200, InspectionCampaignOut)
    def post(self, campaign_id: int) -> Any:
        """Publish the results once every target's every item has one."""
        item = campaigns.publish(current_user, _campaign(campaign_id))
        db.session.commit()
        return item


@blp.route("/published")
class Published(MethodView):
    @blp.response(200, InspectionPublishedCampaignOut(many=True))
    def get(self) -> Any:
        """Published campaigns and their results (public, 一公开)."""
        return [public_view(c) for c in queries.campaigns(published_only=True)]
