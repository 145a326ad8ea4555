"""Staff pages: project list, registration, detail, lot editing, publishing, termination."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Organisation
from app.core.calendar import calendar_for
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding import (
    announcements,
    categories,
    clocks,
    intents,
    methods,
    notice_text,
    policies,
    projects,
    termination,
)
from bidding.forms import LOT_FIELDS, project_choices
from bidding.labels import eval_label, kind_label, method_label, status_label
from bidding.models import Lot, LotStatus, Method, Project
from bidding.plans import plans

bp = Blueprint("bidding", __name__, template_folder="templates")

PROJECT_FIELDS = (
    "name",
    "purchaser_id",
    "method",
    "category_code",
    "description",
    "funding_source",
    "contact_name",
    "contact_phone",
    "plan_line_id",
)
CONTACT_FIELDS = (
    "purchaser_address",
    "purchaser_contact",
    "purchaser_phone",
    "agency_address",
    "agency_contact",
    "agency_phone",
)
_LOT_KEY = re.compile(r"^lots-(\d{1,3})-([a-z_]+)$")
_TIME_FIELDS = ("doc_start_at", "doc_end_at", "bid_deadline")


def _lot_rows_from_form(form: Any) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        m = _LOT_KEY.match(key)
        if m and m.group(2) in LOT_FIELDS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = form.get(key, "").strip()
    # A row the user added and left without a name or budget is not a lot: the other
    # inputs of a new row come pre-filled with defaults.
    return [rows[i] for i in sorted(rows) if rows[i].get("name") or rows[i].get("budget")]


def _lot_form_values(lot: Lot) -> dict[str, Any]:
    return {
        "name": lot.name,
        "category_code": lot.category_code,
        "budget": str(lot.budget),
        "ceiling_price": "" if lot.ceiling_price is None else str(lot.ceiling_price),
        "floor_price": "" if lot.floor_price is None else str(lot.floor_price),
        "bid_bond": str(lot.bid_bond),
        "evaluation_method": lot.evaluation_method.value,
        "committee_size": lot.committee_size,
        "validity_days": lot.validity_days,
        "doc_start_at": formatting.form_input(lot.doc_start_at),
        "doc_end_at": formatting.form_input(lot.doc_end_at),
        "bid_deadline": formatting.form_input(lot.bid_deadline),
        "opening_place": lot.opening_place,
    }


def _form_context() -> dict[str, Any]:
    offered = project_choices()
    return {
        "methods": offered["methods"],
        "eval_methods": offered["evaluation_methods"],
        "category_choices": offered["categories"],
    }


def _load_project(project_id: int, manage: bool) -> Project:
    # Pages answer a missing project or lot with the plain 404 page.
    project = load_or_404(Project, project_id)
    if manage:
        policies.ensure_can_manage_project(current_user, project)
    else:
        policies.ensure_can_view_project(current_user, project)
    return project


def _load_lot(lot_id: int) -> Lot:
    lot = load_or_404(Lot, lot_id)
    policies.ensure_can_manage_lot(current_user, lot)
    return lot


@bp.route("/projects")
@login_required
def project_list() -> Any:
    stmt = projects.projects_visible_to(current_user)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = 20
    rows = list(
        db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).scalars()
    )
    has_next = len(rows) > per_page
    return render_template(
        "bidding/project_list.html",
        projects=rows[:per_page],
        page=page,
        has_next=has_next,
        can_create=policies.can_create_project(current_user),
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def project_new() -> Any:
    policies.ensure_can_create_project(current_user)
    values: dict[str, Any] = {"method": Method.OPEN.value}
    lots: list[dict[str, Any]] = [{"committee_size": 5, "validity_days": 90}]
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in PROJECT_FIELDS}
        lots = _lot_rows_from_form(request.form)
        try:
            purchaser = None
            if values["purchaser_id"].isdigit():
                purchaser = db.session.get(Organisation, int(values["purchaser_id"]))
            line = None
            if values["plan_line_id"].isdigit():
                line = plans.get_line(int(values["plan_line_id"]))
            data = {k: v for k, v in values.items() if k not in ("purchaser_id", "plan_line_id")}
            with plans.overdraw_audited(current_user):
                project = projects.create_project(
                    current_user, purchaser=purchaser, lots=lots, plan_line=line, **data
                )
                db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
        else:
            flash(_("项目已登记：%(code)s", code=project.code), "success")
            return redirect(url_for("bidding.project_detail", project_id=project.id))
        lots = lots or [{}]
    return (
        render_template(
            "bidding/project_form.html",
            values=values,
            lots=lots,
            purchasers=projects.purchasers_for(current_user.centre_id),
            plan_lines=plans.lines_to_draw(current_user),
            **_form_context(),
        ),
        status,
    )


def _keep_refusal(exc: DomainError) -> None:
    """A refusal the rules keep (the intent rule's) is recorded in a transaction of its
    own once the refused one has rolled back, as the API's error handler does."""
    if exc.refusal_audit is None:
        return
    act, obj, data = exc.refusal_audit
    record(act, obj, data | {"message": str(exc.message)}, actor=current_user)
    db.session.commit()


def _intent_hint(project: Project, lot: Lot) -> str:
    """Where a plan-line lot stands with its intent's month before the notice."""
    if project.plan_line_id is None or lot.status != LotStatus.DRAFT:
        return ""
    if intents.exemption_of(project) is not None:
        return _("已登记未公开采购意向的说明（不可预见的紧急采购），采购公告可以发布。")
    earliest = intents.earliest_notice_date(project, [lot])
    days = clocks.intent_lead_days(current_app.config, project.centre.settings or {})
    if earliest is None:
        return _("采购意向尚未公开，公开满 %(d)s 日后方可发布采购公告。", d=days)
    return _("采购意向已公开，采购公告最早可于 %(e)s 发布。", e=earliest.strftime("%Y-%m-%d"))


def _lot_hints(project: Project, lot: Lot) -> dict[str, Any]:
    """The clocks as they stand for this lot, shown next to the publish button."""
    settings = project.centre.settings or {}
    rule = methods.rule_for(project.method)
    period = methods.response_period(project.method, current_app.config, settings)
    min_window = clocks.document_window_min_working_days(current_app.config, settings)
    start = max(lot.doc_start_at, clock.now()) if lot.doc_start_at else clock.now()
    cal = calendar_for(project.centre_id)
    earliest = period.last_day(start, cal)
    return {
        "intent_text": _intent_hint(project, lot),
        "min_days": period.days,
        "working": period.working,
        "has_window": rule.has_document_window,
        "min_window": min_window,
        "earliest_deadline": earliest,
        "earliest_doc_end": clocks.earliest_document_end_date(start, cal, min_window),
        # Methods counted in working days, or without a document window, say so in one line.
        "other_method_text": _(
            "%(m)s响应期不少于 %(d)s %(unit)s：按今天发布，响应截止日期最早为 %(t)s（当日任何时刻均可）。",
            m=method_label(project.method),
            d=period.days,
            unit=_("个工作日") if period.working else _("日"),
            t=earliest.strftime("%Y-%m-%d"),
        ),
    }


@bp.route("/projects/<int:project_id>")
@login_required
def project_detail(project_id: int) -> Any:
    project = _load_project(project_id, manage=False)
    manage = policies.can_manage_project(current_user, project)
    return render_template(
        "bidding/project_detail.html",
        project=project,
        manage=manage,
        announcements=projects.announcements_of(project),
        exemption=intents.exemption_of(project),
        hints={lot.id: _lot_hints(project, lot) for lot in project.lots},
        history={lot.id: _lot_history(lot) for lot in project.lots},
    )


def _lot_history(lot: Lot) -> dict[str, Lot | None]:
    """A re-tendered lot names the failed lot it follows, and a failed lot its successor."""
    from bidding.bids.freeze import retendered_as, retendered_from

    return {"from": retendered_from(lot), "as": retendered_as(lot)}


@bp.route("/lots/<int:lot_id>/edit", methods=["GET", "POST"])
@login_required
def lot_edit(lot_id: int) -> Any:
    lot = _load_lot(lot_id)
    values = _lot_form_values(lot)
    version = lot.version
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in LOT_FIELDS if k in request.form}
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            version = -1
        try:
            with plans.overdraw_audited(current_user):
                projects.update_lot(current_user, lot, values, version)
                db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
            lot = _load_lot(lot_id)
        else:
            flash(_("标段已保存。"), "success")
            return redirect(url_for("bidding.project_detail", project_id=lot.project_id))
    return (
        render_template(
            "bidding/lot_form.html", lot=lot, values=values, version=version, **_form_context()
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/intent", methods=["GET", "POST"])
@login_required
def intent_new(project_id: int) -> Any:
    project = _load_project(project_id, manage=True)
    lot_id = request.values.get("lot_id", type=int)
    lot = next((x for x in project.lots if x.id == lot_id), None)
    values: dict[str, Any] = {
        **notice_text.tender_defaults(project, lot),
        **notice_text.intent_defaults(project, lot),
    }
    status = 200
    if request.method == "POST":
        values = {
            k: request.form.get(k, "").strip()
            for k in ("requirements", "expected_month", "remarks", *CONTACT_FIELDS)
        }
        try:
            ann = announcements.publish_intent(current_user, project, values, lot=lot)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
            project = _load_project(project_id, manage=True)
            lot = next((x for x in project.lots if x.id == lot_id), None)
        else:
            flash(_("已发布：%(t)s", t=ann.title), "success")
            return redirect(url_for("bidding.project_detail", project_id=project.id))
    return (
        render_template("bidding/intent_form.html", project=project, lot=lot, values=values),
        status,
    )


@bp.route("/projects/<int:project_id>/intent-exemption", methods=["POST"])
@login_required
def intent_exemption(project_id: int) -> Any:
    project = _load_project(project_id, manage=True)
    try:
        intents.record_exemption(current_user, project, request.form.get("reason", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("未公开采购意向的说明已登记，监督人员已收到通知。"), "success")
    return redirect(url_for("bidding.project_detail", project_id=project_id))


@bp.route("/lots/<int:lot_id>/tender-notice", methods=["GET", "POST"])
@login_required
def tender_notice_new(lot_id: int) -> Any:
    lot = _load_lot(lot_id)
    project = lot.project
    values: dict[str, Any] = notice_text.tender_defaults(project, lot)
    status = 200
    if request.method == "POST":
        values = {
            k: request.form.get(k, "").strip()
            for k in (
                "requirements",
                "qualifications",
                "doc_obtain_method",
                "bid_submission",
                "remarks",
                *methods.rule_for(project.method).notice_fields,
                *CONTACT_FIELDS,
            )
        }
        try:
            ann = announcements.publish_tender_notice(current_user, project, values, lots=[lot])
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _keep_refusal(exc)
            flash(str(exc.message), "error")
            status = exc.status
            lot = _load_lot(lot_id)
            project = lot.project
        else:
            flash(_("已发布：%(t)s", t=ann.title), "success")
            return redirect(url_for("bidding.project_detail", project_id=project.id))
    return (
        render_template(
            "bidding/tender_form.html",
            project=project,
            lot=lot,
            values=values,
            method_fields=[
                (
                    name,
                    _(methods.NOTICE_FIELD_LABELS[name]),
                    name not in methods.OPTIONAL_NOTICE_FIELDS,
                )
                for name in methods.rule_for(project.method).notice_fields
            ],
            # The notice is named as the method names it (单一来源采购公示, 询价公告, …).
            notice_word=_(methods.rule_for(project.method).notice_word),
            hints=_lot_hints(project, lot),
        ),
        status,
    )


@bp.route("/lots/<int:lot_id>/terminate", methods=["POST"])
@login_required
def lot_terminate(lot_id: int) -> Any:
    lot = _load_lot(lot_id)
    project_id = lot.project_id
    try:
        termination.terminate_lot(current_user, lot, request.form.get("reason", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        project = _load_project(project_id, manage=False)
        return (
            render_template(
                "bidding/project_detail.html",
                project=project,
                manage=True,
                announcements=projects.announcements_of(project),
                hints={x.id: _lot_hints(project, x) for x in project.lots},
                terminate_reason=request.form.get("reason", ""),
            ),
            exc.status,
        )
    flash(_("标段已终止，终止公告已发布。"), "success")
    return redirect(url_for("bidding.project_detail", project_id=project_id))


STATUS_BADGES = {
    LotStatus.DRAFT: "badge",
    LotStatus.PUBLISHED: "badge badge-blue",
    LotStatus.SUSPENDED: "badge badge-amber",
    LotStatus.CLOSED: "badge badge-amber",
    LotStatus.OPENED: "badge badge-amber",
    LotStatus.EVALUATING: "badge badge-amber",
    LotStatus.EVALUATED: "badge badge-amber",
    LotStatus.PUBLICITY: "badge badge-blue",
    LotStatus.CONTRACTED: "badge badge-green",
    LotStatus.FAILED: "badge badge-red",
    LotStatus.AWARDED: "badge badge-green",
    LotStatus.TERMINATED: "badge badge-red",
}


@bp.app_template_global("lot_badge")
def lot_badge(status: LotStatus) -> dict[str, str]:
    return {"cls": STATUS_BADGES.get(status, "badge"), "label": status_label(status)}


@bp.app_template_global("category_label")
def _category_label(code: str) -> str:
    return categories.label(code, str(get_locale() or "zh_CN"))


# The labels of bidding.labels, under the same names in every template.
bp.add_app_template_global(method_label)
bp.add_app_template_global(kind_label)
bp.add_app_template_global(eval_label)
bp.add_app_template_global(status_label)
