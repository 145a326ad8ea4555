"""Admin pages: centres and their calendars, organisations, users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.admin import queries, services
from app.core import clock
from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.auth.policies import require_role
from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from bidding.labels import METHOD_LABELS, translated

bp = Blueprint("admin", __name__, url_prefix="/admin")

KIND_LABELS = {
    "supplier": _l("供应商"),
    "agency": _l("代理机构"),
    "intermediary": _l("中介机构"),
    "purchaser": _l("采购人/招标人"),
    "centre": _l("交易中心"),
    "authority": _l("行政监督部门"),
}
CLOCK_LABELS = {
    "clarification_min_days": _l("澄清/修改距截止最少天数"),
    "document_window_min_working_days": _l("文件发售最少工作日"),
    "objection_last_days_before_deadline": _l("异议截止（距投标截止天数）"),
    "objection_answer_days": _l("异议答复期限（天）"),
}


@bp.before_request
@require_role("admin")
def _only_admins() -> None:
    return None


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"org_kind_labels": KIND_LABELS}


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _act(action: Callable[[], Any], success: str, back: str) -> Any:
    """Run one service call and commit; flash the outcome (or why it was refused) and go back."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(back)


def _create(create: Callable[[], Any], done: Callable[[Any], Any]) -> tuple[Any, int]:
    """Run a posted creation form's service: commit and answer with done(created), or roll
    back, flash why it was refused and give the status (the page re-renders the form)."""
    try:
        created = create()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return None, exc.status
    db.session.commit()
    return done(created), 200


def _listing(
    arg: str, allowed: set[str], search: Callable[[str | None, str, int], tuple[list[Any], int]]
) -> dict[str, Any]:
    """A filtered, searched, paged list: the filter (unknown values ignored), q and the page."""
    chosen = request.args.get(arg) or None
    if chosen not in allowed:
        chosen = None
    q = request.args.get("q", "")
    page = _page()
    rows, total = search(chosen, q, page)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    return {arg: chosen, "q": q, "page": page, "rows": rows, "total": total, "pages": pages}


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_l("日期格式无效（应为 YYYY-MM-DD）。"), field=field) from None


def _page() -> int:
    return max(_int_or_none(request.args.get("page")) or 1, 1)


@bp.route("/")
def index() -> Any:
    return redirect(url_for("admin.centres"))


# --- centres ---------------------------------------------------------------


@bp.route("/centres", methods=["GET", "POST"])
def centres() -> Any:
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()

        def created(centre: Centre) -> Any:
            flash(_("已创建交易中心 %(n)s。", n=centre.name), "success")
            return redirect(url_for("admin.centre", centre_id=centre.id))

        response, status = _create(
            lambda: services.create_centre(
                _me(),
                code=form.get("code", ""),
                name=form.get("name", ""),
                region=form.get("region", ""),
                name_en=form.get("name_en", ""),
            ),
            created,
        )
        if response is not None:
            return response
    return render_template(
        "admin/centres.html", centres=queries.centres(), form=form, tab="centres"
    ), status


def _load_centre(centre_id: int) -> Centre:
    return services.get_or_404(Centre, centre_id, _l("交易中心"))


@bp.route("/centres/<int:centre_id>")
def centre(centre_id: int) -> Any:
    c = _load_centre(centre_id)
    year = _int_or_none(request.args.get("year"))
    return render_template(
        "admin/centre.html",
        centre=c,
        holidays=queries.holidays(c, year),
        year=year,
        roles=[r.value for r in Role],
        clock_labels=CLOCK_LABELS,
        method_labels=translated(METHOD_LABELS),
        tab="centres",
    )


@bp.route("/centres/<int:centre_id>/edit", methods=["POST"])
def edit_centre(centre_id: int) -> Any:
    c = _load_centre(centre_id)
    back = url_for("admin.centre", centre_id=c.id)
    f = request.form
    return _act(
        lambda: services.update_centre(
            _me(),
            c,
            name=f.get("name", ""),
            region=f.get("region", ""),
            name_en=f.get("name_en", ""),
        ),
        _("已保存。"),
        back,
    )


@bp.route("/centres/<int:centre_id>/settings", methods=["POST"])
def centre_settings(centre_id: int) -> Any:
    c = _load_centre(centre_id)
    back = url_for("admin.centre", centre_id=c.id)
    f = request.form
    roles = f.getlist("two_factor_roles") if f.get("two_factor_custom") else None
    clocks = {key: f.get(key, "") for key in CLOCK_LABELS}
    by_method = {m: f.get(f"bid_period_{m}", "") for m in METHOD_LABELS}
    return _act(
        lambda: services.update_centre_settings(
            _me(), c, two_factor_roles=roles, clocks=clocks, bid_period_min_days_by_method=by_method
        ),
        _("已保存中心设置。"),
        back,
    )


@bp.route("/centres/<int:centre_id>/holidays", methods=["POST"])
def add_holiday(centre_id: int) -> Any:
    c = _load_centre(centre_id)
    back = url_for("admin.centre", centre_id=c.id)
    f = request.form

    def action() -> Holiday:
        return services.add_holiday(
            _me(),
            c,
            day=_date(f.get("day"), "day"),
            is_workday=f.get("is_workday") == "1",
            name=f.get("name", ""),
        )

    return _act(action, _("已添加到日历。"), back)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
def delete_holiday(holiday_id: int) -> Any:
    h = services.get_or_404(Holiday, holiday_id, _l("日历条目"))
    back = url_for("admin.centre", centre_id=h.centre_id)
    return _act(lambda: services.remove_holiday(_me(), h), _("已从日历删除。"), back)


# --- organisations ---------------------------------------------------------


@bp.route("/organisations", methods=["GET", "POST"])
def organisations() -> Any:
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()
        centre_id = _int_or_none(form.get("centre_id"))

        def registered(org: Organisation) -> Any:
            flash(_("已登记单位 %(n)s。", n=org.name), "success")
            return redirect(url_for("admin.organisation", org_id=org.id))

        response, status = _create(
            lambda: services.create_organisation(
                _me(),
                kind=form.get("kind", ""),
                name=form.get("name", ""),
                credit=form.get("credit_code", ""),
                centre=_load_centre(centre_id) if centre_id else None,
                region=form.get("region", ""),
                contact_name=form.get("contact_name", ""),
                contact_phone=form.get("contact_phone", ""),
                address=form.get("address", ""),
                legal_rep=form.get("legal_rep", ""),
            ),
            registered,
        )
        if response is not None:
            return response
    listing = _listing("kind", {k.value for k in OrgKind}, queries.organisations)
    return render_template(
        "admin/organisations.html",
        orgs=listing.pop("rows"),
        **listing,
        form=form,
        centres=queries.centres(),
        now_utc=clock.now(),
        tab="organisations",
    ), status


@bp.route("/organisations/<int:org_id>")
def organisation(org_id: int) -> Any:
    org = services.get_or_404(Organisation, org_id, _l("单位"))
    return render_template(
        "admin/organisation.html",
        org=org,
        blacklisted=services.is_blacklisted(org),
        members=_members(org),
        tab="organisations",
    )


def _members(org: Organisation) -> list[User]:
    return list(
        db.session.execute(select(User).where(User.organisation_id == org.id).order_by(User.id))
        .scalars()
        .all()
    )


@bp.route("/organisations/<int:org_id>/blacklist", methods=["POST"])
def blacklist(org_id: int) -> Any:
    org = services.get_or_404(Organisation, org_id, _l("单位"))
    back = url_for("admin.organisation", org_id=org.id)
    f = request.form
    return _act(
        lambda: services.blacklist(
            _me(), org, until=_date(f.get("until"), "until"), reason=f.get("reason", "")
        ),
        _("已列入失信名单。"),
        back,
    )


@bp.route("/organisations/<int:org_id>/blacklist/lift", methods=["POST"])
def lift_blacklist(org_id: int) -> Any:
    org = services.get_or_404(Organisation, org_id, _l("单位"))
    back = url_for("admin.organisation", org_id=org.id)
    return _act(lambda: services.lift_blacklist(_me(), org), _("已移出失信名单。"), back)


# --- users -----------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
def users() -> Any:
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()
        org_id = _int_or_none(form.get("organisation_id"))
        centre_id = _int_or_none(form.get("centre_id"))

        def created_user(result: tuple[Any, str]) -> Any:
            user, initial = result
            return render_template(
                "admin/user.html", user=user, new_password=initial, roles=list(Role), tab="users"
            ), 201

        response, status = _create(
            lambda: services.create_user(
                _me(),
                username=form.get("username", ""),
                display_name=form.get("display_name", ""),
                role=form.get("role", ""),
                email=form.get("email", ""),
                phone=form.get("phone", ""),
                organisation=services.get_or_404(Organisation, org_id, _l("单位"))
                if org_id
                else None,
                centre=_load_centre(centre_id) if centre_id else None,
            ),
            created_user,
        )
        if response is not None:
            return response
    listing = _listing("role", {r.value for r in Role}, queries.users)
    return render_template(
        "admin/users.html",
        users=listing.pop("rows"),
        **listing,
        form=form,
        roles=list(Role),
        centres=queries.centres(),
        org_groups=_organisation_choices(),
        tab="users",
    ), status


def _organisation_choices() -> list[tuple[str, list[Organisation]]]:
    """Organisations by kind and name, for the new user's picker (nobody types an id)."""
    orgs = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars()
    groups: dict[str, list[Organisation]] = {kind: [] for kind in KIND_LABELS}
    for org in orgs:
        groups.setdefault(org.kind.value, []).append(org)
    return [(str(KIND_LABELS.get(k, k)), v) for k, v in groups.items() if v]


def _load_user(user_id: int) -> User:
    return services.get_or_404(User, user_id, _l("用户"))


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> Any:
    return render_template(
        "admin/user.html", user=_load_user(user_id), roles=list(Role), tab="users"
    )


@bp.route("/users/<int:user_id>/<action>", methods=["POST"])
def user_action(user_id: int, action: str) -> Any:
    u = _load_user(user_id)
    back = url_for("admin.user", user_id=u.id)
    me = _me()
    if action == "reset-password":
        try:
            password = services.reset_password(me, u)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(back)
        db.session.commit()
        return render_template(
            "admin/user.html", user=u, new_password=password, roles=list(Role), tab="users"
        )
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "deactivate": (lambda: services.set_active(me, u, False), _("账户已停用。")),
        "activate": (lambda: services.set_active(me, u, True), _("账户已启用。")),
        "logout": (lambda: services.force_logout(me, u), _("已强制该用户下线。")),
        "role": (
            lambda: services.change_role(me, u, request.form.get("role", "")),
            _("角色已变更，该用户需重新登录。"),
        ),
    }
    if action not in actions:
        flash(_("未知操作。"), "error")
        return redirect(back), 302
    fn, message = actions[action]
    return _act(fn, message, back)
