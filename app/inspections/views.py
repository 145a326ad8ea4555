"""Inspection pages: the supervisors' lists and campaigns, the teams' result forms, and the
public results (一公开)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.auth.models import Organisation, User
from app.core.errors import DomainError, NotFound
from app.core.extensions import db
from app.core.http import load_or_404
from app.inspections import campaigns, draw_record, labels, lists, policies, queries
from app.inspections.api import run_draw
from app.inspections.models import Campaign, CampaignStatus, RosterEntry, RosterKind

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"insp": labels}


def _act(action: Any, success: str, back: str) -> Any:
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(back)


@bp.route("/")
@login_required
def manage() -> Any:
    policies.ensure_can_manage_inspections(current_user)
    centre_id = current_user.centre_id
    orgs = db.session.execute(
        select(Organisation)
        .where(Organisation.kind.in_(lists.TARGET_KINDS))
        .order_by(Organisation.kind, Organisation.name)
    ).scalars()
    users = db.session.execute(
        select(User)
        .where(User.centre_id == centre_id, User.is_active_flag.is_(True))
        .order_by(User.display_name)
    ).scalars()
    return render_template(
        "inspections/manage.html",
        items=queries.items(centre_id),
        targets=queries.roster(centre_id, RosterKind.TARGET),
        inspectors=queries.roster(centre_id, RosterKind.INSPECTOR),
        campaigns=queries.campaigns(centre_id),
        orgs=list(orgs),
        users=list(users),
    )


@bp.route("/items", methods=["POST"])
@login_required
def add_item() -> Any:
    f = request.form
    return _act(
        lambda: lists.add_item(current_user, f.get("name", ""), f.get("basis", "")),
        _("抽查事项已加入清单。"),
        url_for("inspections.manage") + "#lists",
    )


@bp.route("/targets", methods=["POST"])
@login_required
def add_target() -> Any:
    def run() -> None:
        org = db.session.get(Organisation, request.form.get("organisation_id", type=int) or 0)
        if org is None:
            raise DomainError(_("请选择单位。"))
        lists.add_target(current_user, org)

    return _act(run, _("已加入检查对象名录。"), url_for("inspections.manage") + "#lists")


@bp.route("/inspectors", methods=["POST"])
@login_required
def add_inspector() -> Any:
    f = request.form

    def run() -> None:
        user = db.session.get(User, f.get("user_id", type=int) or 0)
        if user is None:
            raise DomainError(_("请选择人员。"))
        employers = []
        if f.get("employer_code", "").strip():
            employers.append(
                {
                    "credit_code": f.get("employer_code", "").strip(),
                    "name": f.get("employer_name", ""),
                }
            )
        lists.add_inspector(current_user, user, employers)

    return _act(run, _("已加入检查人员名录。"), url_for("inspections.manage") + "#lists")


@bp.route("/inspectors/<int:entry_id>/employers", methods=["POST"])
@login_required
def add_employer(entry_id: int) -> Any:
    f = request.form
    entry = load_or_404(RosterEntry, entry_id)
    return _act(
        lambda: lists.add_employer(
            current_user,
            entry,
            f.get("credit_code", "").strip(),
            f.get("name", ""),
        ),
        _("原工作单位已登记，抽取时回避。"),
        url_for("inspections.manage") + "#lists",
    )


@bp.route("/campaigns", methods=["POST"])
@login_required
def create_campaign() -> Any:
    f = request.form
    created: list[Campaign] = []

    def run() -> None:
        created.append(
            campaigns.create_campaign(
                current_user,
                {
                    "title": f.get("title", ""),
                    "item_ids": f.getlist("item_ids", type=int),
                    "target_count": f.get("target_count", ""),
                    "inspector_count": f.get("inspector_count", ""),
                    "team_size": f.get("team_size", "2"),
                },
            )
        )

    back = _act(run, _("抽查活动已创建，可以抽取。"), url_for("inspections.manage"))
    if created:
        return redirect(url_for("inspections.campaign", campaign_id=created[0].id))
    return back


def _campaign_or_403(campaign_id: int) -> Campaign:
    item = load_or_404(Campaign, campaign_id)
    if policies.can_manage_campaign(current_user, item):
        return item
    if any(policies.can_enter_result(current_user, item, t["target_id"]) for t in item.teams or []):
        return item
    abort(403)


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int) -> Any:
    item = _campaign_or_403(campaign_id)
    checks = None
    if request.args.get("verify") and item.status in (
        CampaignStatus.DRAWN,
        CampaignStatus.PUBLISHED,
    ):
        checks = draw_record.verify_in_app(item)
    return render_template(
        "inspections/campaign.html",
        c=item,
        teams=queries.teams(item),
        items=queries.campaign_items(item),
        manager=policies.can_manage_campaign(current_user, item),
        may_enter=lambda target_id: policies.can_enter_result(current_user, item, target_id),
        missing=len(campaigns.missing_results(item)) if item.teams else None,
        checks=checks,
        outcomes=[(k, v) for k, v in labels.OUTCOME.items()],
    )


@bp.route("/campaigns/<int:campaign_id>/draw", methods=["POST"])
@login_required
def draw(campaign_id: int) -> Any:
    item = load_or_404(Campaign, campaign_id)
    back = url_for("inspections.campaign", campaign_id=item.id)
    try:
        run_draw(item, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("已抽取。抽取记录可由任何人复核。"), "success")
    return redirect(back)


@bp.route("/campaigns/<int:campaign_id>/results", methods=["POST"])
@login_required
def enter_result(campaign_id: int) -> Any:
    item = load_or_404(Campaign, campaign_id)
    f = request.form
    return _act(
        lambda: campaigns.enter_result(
            current_user,
            item,
            f.get("target_id", type=int) or 0,
            f.get("item_id", type=int) or 0,
            f.get("outcome", ""),
            f.get("finding", ""),
        ),
        _("检查结果已保存。"),
        url_for("inspections.campaign", campaign_id=item.id),
    )


@bp.route("/campaigns/<int:campaign_id>/publish", methods=["POST"])
@login_required
def publish(campaign_id: int) -> Any:
    item = load_or_404(Campaign, campaign_id)
    return _act(
        lambda: campaigns.publish(current_user, item),
        _("检查结果已在门户公开。"),
        url_for("inspections.campaign", campaign_id=item.id),
    )


@bp.route("/campaigns/<int:campaign_id>/record.json")
def record_json(campaign_id: int) -> Any:
    item = load_or_404(Campaign, campaign_id)
    if item.status not in (CampaignStatus.DRAWN, CampaignStatus.PUBLISHED):
        raise NotFound(policies.NOT_DRAWN)
    body = json.dumps(draw_record.export_record(item), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=inspection-draw-{item.id}.json"},
    )


@bp.route("/public/")
def public_list() -> Any:
    return render_template(
        "inspections/public_list.html", campaigns=queries.campaigns(published_only=True)
    )


@bp.route("/public/<int:campaign_id>")
def public_detail(campaign_id: int) -> Any:
    item = load_or_404(Campaign, campaign_id)
    if item.status != CampaignStatus.PUBLISHED:
        raise NotFound(_("该抽查活动的结果尚未公开。"))
    return render_template(
        "inspections/public_detail.html",
        c=item,
        teams=queries.teams(item),
        items=queries.campaign_items(item),
    )
