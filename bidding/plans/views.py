"""Pages of procurement plan lines: the purchaser files and corrects, the finance office
approves or returns, everyone allowed reads a line with the projects drawing on it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding.forms import project_choices
from bidding.labels import PLAN_STATUS_LABELS, plan_status_label
from bidding.plans import plans, policies, returns
from bidding.plans.models import PlanLine, PlanStatus

bp = Blueprint("plans", __name__, template_folder="templates")

STATUS_BADGES = {
    PlanStatus.SUBMITTED: "badge badge-amber",
    PlanStatus.APPROVED: "badge badge-green",
    PlanStatus.RETURNED: "badge badge-red",
}


@bp.app_template_global("plan_badge")
def plan_badge(status: PlanStatus) -> dict[str, str]:
    return {"cls": STATUS_BADGES.get(status, "badge"), "label": plan_status_label(status)}


@bp.app_template_global("can_view_plan_line")
def can_view_plan_line(line: PlanLine) -> bool:
    return policies.can_view_line(current_user, line)


def _form_context() -> dict[str, Any]:
    offered = project_choices()
    return {"methods": offered["methods"], "category_choices": offered["categories"]}


def _load(line_id: int) -> PlanLine:
    line = load_or_404(PlanLine, line_id)
    policies.ensure_can_view_line(current_user, line)
    return line


@bp.route("/plans")
@login_required
def home() -> Any:
    status = request.args.get("status") or None
    if status not in (None, *PLAN_STATUS_LABELS):
        status = None
    stmt = plans.lines_visible_to(current_user, status)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = 20
    rows = list(
        db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).scalars()
    )
    return render_template(
        "plans/list.html",
        lines=rows[:per_page],
        page=page,
        has_next=len(rows) > per_page,
        status=status,
        statuses=[(k, plan_status_label(k)) for k in PLAN_STATUS_LABELS],
        totals=plans.totals(stmt),
        can_file=policies.can_file_plan(current_user),
        reviewer=policies.can_review_plans(current_user),
    )


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    policies.ensure_can_file_plan(current_user)
    values: dict[str, Any] = {"method": "open"}
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in plans.LINE_FIELDS}
        try:
            line = plans.file_line(current_user, values)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
        else:
            flash(_("采购计划已提交财政部门审核：%(code)s", code=line.code), "success")
            return redirect(url_for("plans.detail", line_id=line.id))
    return render_template("plans/form.html", values=values, line=None, **_form_context()), status


@bp.route("/plans/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit(line_id: int) -> Any:
    line = _load(line_id)
    policies.ensure_is_own_line(current_user, line)
    values: dict[str, Any] = {k: getattr(line, k) for k in plans.LINE_FIELDS}
    values["method"] = line.method.value
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in plans.LINE_FIELDS}
        try:
            plans.resubmit_line(
                current_user, line, values, request.form.get("version", type=int) or -1
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
            line = _load(line_id)
        else:
            flash(_("采购计划已修改并重新提交审核。"), "success")
            return redirect(url_for("plans.detail", line_id=line.id))
    return render_template("plans/form.html", values=values, line=line, **_form_context()), status


@bp.route("/plans/<int:line_id>")
@login_required
def detail(line_id: int) -> Any:
    line = _load(line_id)
    return _detail(line)


def _detail(line: PlanLine, status: int = 200, reason: str = "") -> Any:
    return (
        render_template(
            "plans/detail.html",
            line=line,
            projects=plans.projects_of(line),
            returns=returns.returns_of(line),
            cause_labels=returns.CAUSE_LABELS,
            reviewer=policies.can_review_plans(current_user, line.centre_id),
            own=policies.is_own_line(current_user, line),
            method_needs_approval=plans.needs_method_approval(
                line.method.value, line.amount, line.centre.settings
            ),
            reason=reason,
        ),
        status,
    )


@bp.route("/plans/<int:line_id>/approve", methods=["POST"])
@login_required
def approve(line_id: int) -> Any:
    line = _load(line_id)
    try:
        plans.approve_line(current_user, line, request.form.get("note", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _detail(_load(line_id), exc.status)
    flash(_("采购计划已备案：%(code)s", code=line.code), "success")
    return redirect(url_for("plans.detail", line_id=line_id))


@bp.route("/plans/<int:line_id>/return", methods=["POST"])
@login_required
def send_back(line_id: int) -> Any:
    line = _load(line_id)
    reason = request.form.get("reason", "")
    try:
        plans.return_line(current_user, line, reason)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _detail(_load(line_id), exc.status, reason)
    flash(_("采购计划已退回采购人。"), "success")
    return redirect(url_for("plans.detail", line_id=line_id))
