"""Pages of the expert pool, draws and invitations (thin: parse, load, check, call, commit)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import clock, formatting
from app.core.auth.models import Centre, Role
from app.core.errors import DomainError, NotFound, ValidationError
from app.core.extensions import db
from app.core.nav import register_nav
from bidding.bids.models import get_freeze
from bidding.models import Lot, Project
from experts import labels, policies, settings
from experts.draw_record import export_record, record_pdf
from experts.draws import cancel_draw, commit_draw, execute_draw, family, request_draw, reveal_draw
from experts.invitations import answer, declare_conflict, invitations_of, sign_in
from experts.models import Draw, DrawStatus, Expert, ExpertStatus, Invitation, Specialty
from experts.pool import (
    CSV_COLUMNS,
    ImportRefused,
    import_csv,
    register_expert,
    set_status,
    update_expert,
)
from experts.records import (
    APPRAISAL_ITEMS,
    add_appraisal,
    add_credit_entry,
    add_employment,
    add_leave,
    add_relation,
)
from experts.seats import appraisal_rows, draw_log, seat_summary

bp = Blueprint("experts", __name__, url_prefix="/experts", template_folder="templates")
for _name, _fn in labels.FILTERS.items():
    bp.add_app_template_filter(_fn, "expert_" + _name)
# Personal numbers read as the viewer may see them (least exposure), on every page.
bp.add_app_template_filter(lambda e: policies.shown_phone(current_user, e), "expert_phone")
bp.add_app_template_filter(policies.shown_id_card, "expert_id_card")

register_nav(
    "experts.pool", _l("专家库"), ("staff", "admin"), order=60, when=policies.can_open_pool
)
register_nav("experts.draws", _l("专家抽取"), ("staff", "supervisor", "admin"), order=61)
register_nav("experts.my_invitations", _l("评标邀请"), ("expert",), order=20)


def _get(model: Any, ident: int) -> Any:
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(_l("对象不存在。"))
    return obj


def _specialties() -> list[Specialty]:
    return list(db.session.execute(select(Specialty).order_by(Specialty.code)).scalars())


def _action(handlers: dict[str, Callable[[], object]]) -> Callable[[], object]:
    """The handler of the posted `action`; an unknown one is refused like any bad input."""

    def unknown() -> object:
        raise ValidationError(_l("未知操作。"))

    return handlers.get(request.form.get("action", ""), unknown)


def _commit(
    change: Callable[[], object], done: str, also: tuple[type[Exception], ...] = ()
) -> None:
    """Run one change from a form and commit it, or roll back and show why it was refused."""
    try:
        change()
        db.session.commit()
        flash(done, "success")
    except (DomainError, *also) as exc:
        db.session.rollback()
        flash(str(getattr(exc, "message", _("输入有误。"))), "error")


def _lots_by_id(lot_ids: set[int]) -> dict[int, Lot]:
    if not lot_ids:
        return {}
    return {
        lot.id: lot for lot in db.session.execute(select(Lot).where(Lot.id.in_(lot_ids))).scalars()
    }


# ---------------------------------------------------------------- pool
@bp.route("/pool")
@login_required
def pool() -> Any:
    centre_id = current_user.centre_id
    policies.ensure_can_manage_pool(current_user, centre_id)  # = can_open_pool, its menu rule
    stmt = select(Expert).where(Expert.centre_id == centre_id).order_by(Expert.id)
    status = request.args.get("status", "")
    if status in {s.value for s in ExpertStatus}:
        stmt = stmt.where(Expert.status == ExpertStatus(status))
    q = request.args.get("q", "").strip()[:60]
    if q:
        stmt = stmt.where(Expert.name.contains(q))
    page = max(1, request.args.get("page", 1, type=int))
    experts = db.session.execute(stmt.limit(50).offset((page - 1) * 50)).scalars().all()
    return render_template("experts/pool.html", experts=experts, status=status, q=q, page=page)


@bp.route("/pool/new", methods=["GET", "POST"])
@login_required
def new_expert() -> Any:
    centre = _get(Centre, current_user.centre_id or 0)
    policies.ensure_can_manage_pool(current_user, centre.id)
    if request.method == "POST":
        data = request.form.to_dict()
        try:
            expert = register_expert(centre, data, current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return render_template(
                "experts/expert_form.html", form=data, specialties=_specialties()
            ), exc.status
        flash(_("专家已登记。"), "success")
        return redirect(url_for("experts.expert", expert_id=expert.id))
    return render_template("experts/expert_form.html", form={}, specialties=_specialties())


@bp.route("/pool/<int:expert_id>", methods=["GET", "POST"])
@login_required
def expert(expert_id: int) -> Any:
    item: Expert = _get(Expert, expert_id)
    policies.ensure_can_manage_pool(current_user, item.centre_id)
    if request.method == "POST":
        f = request.form
        handlers: dict[str, Callable[[], object]] = {
            "status": lambda: set_status(
                item, ExpertStatus(f.get("status", "active")), f.get("reason", ""), current_user
            ),
            "employment": lambda: add_employment(
                item,
                f.get("credit_code", ""),
                f.get("name", ""),
                f.get("start_date", ""),
                f.get("end_date") or None,
                current_user,
            ),
            "relation": lambda: add_relation(
                item, f.get("credit_code", ""), f.get("kind", ""), f.get("note", ""), current_user
            ),
            "leave": lambda: add_leave(
                item,
                _when(f.get("start_at", "")),
                _when(f.get("end_at", "")),
                f.get("reason", ""),
                current_user,
            ),
            "credit": lambda: add_credit_entry(
                item,
                f.get("kind", ""),
                f.get("reason", ""),
                current_user,
                end=_when(f["end_at"]) if f.get("end_at") else None,
                points=int(f.get("points") or 0),
            ),
            "edit": lambda: update_expert(
                item,
                {k: v for k, v in f.items() if k not in ("action", "csrf_token") and v != ""},
                current_user,
            ),
        }
        # Parsing errors (a bad status or number) are shown like refusals.
        _commit(_action(handlers), _("已保存。"), also=(ValueError,))
        return redirect(url_for("experts.expert", expert_id=expert_id))
    return render_template("experts/expert.html", e=item, specialties=_specialties())


def _when(text: str) -> dt.datetime:
    try:
        return clock.parse_cst(text)
    except ValueError as exc:
        raise ValidationError(_l("时间格式无效，应为 YYYY-MM-DD HH:MM（北京时间）。")) from exc


@bp.route("/pool/import", methods=["GET", "POST"])
@login_required
def import_pool() -> Any:
    centre = _get(Centre, current_user.centre_id or 0)
    policies.ensure_can_manage_pool(current_user, centre.id)
    rows: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.files.get("file")
        text = (
            upload.read().decode("utf-8-sig", errors="replace")
            if upload
            else request.form.get("csv", "")
        )
        try:
            experts = import_csv(centre, text, current_user)
            db.session.commit()
            flash(_("已导入 %(n)s 名专家。", n=len(experts)), "success")
            return redirect(url_for("experts.pool"))
        except ImportRefused as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            rows = exc.rows
            return render_template("experts/import.html", rows=rows, columns=CSV_COLUMNS), 422
    return render_template("experts/import.html", rows=rows, columns=CSV_COLUMNS)


# ---------------------------------------------------------------- draws
@bp.route("/draws")
@login_required
def draws() -> Any:
    policies.ensure_can_list_draws(current_user)
    items = [
        d
        for d in db.session.execute(select(Draw).order_by(Draw.id.desc()).limit(200)).scalars()
        if policies.can_view_draw(current_user, d)
    ]
    lots = []
    if current_user.role == Role.STAFF:
        lots = [
            lot
            for lot in db.session.execute(
                select(Lot).join(Project).order_by(Lot.id.desc()).limit(200)
            ).scalars()
            if policies.can_request_draw(current_user, lot)
        ]
    return render_template(
        "experts/draws.html", items=items, lots=lots, lot_of=_lots_by_id({d.lot_id for d in items})
    )


@bp.route("/draws/new", methods=["GET", "POST"])
@login_required
def new_draw() -> Any:
    lot = _get(Lot, request.values.get("lot_id", 0, type=int))
    policies.ensure_can_request_draw(current_user, lot)
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            data = _draw_form(request.form, lot)
            item = request_draw(lot, current_user, data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return _new_draw_page(lot, form), exc.status
        flash(_("抽取申请已登记。"), "success")
        return redirect(url_for("experts.draw", draw_id=item.id))
    return _new_draw_page(lot, form)


def _new_draw_page(lot: Lot, form: dict[str, Any]) -> str:
    centres = db.session.execute(select(Centre).order_by(Centre.code)).scalars().all()
    return render_template(
        "experts/draw_new.html",
        lot=lot,
        form=form,
        centres=centres,
        specialties=_specialties(),
        window_hours=settings.draw_window_hours(),
    )


def _int(value: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_l("%(f)s 应为整数。", f=label)) from exc


def _draw_form(f: Any, lot: Lot) -> dict[str, Any]:
    groups = []
    for i in range(1, 6):
        code = f.get(f"g{i}_specialty", "").strip()
        if not code:
            continue
        groups.append(
            {
                "specialty": code,
                "count": _int(f.get(f"g{i}_count", ""), _("人数")),
                "reserves": _int(f.get(f"g{i}_reserves", "2"), _("候补")),
                "centre_id": _int(f[f"g{i}_centre"], _("专家库"))
                if f.get(f"g{i}_centre")
                else None,
            }
        )
    avoided = []
    for n, line in enumerate(f.get("avoided", "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        reason = parts[1] if len(parts) > 1 and parts[1] else "9"
        avoided.append(
            {"credit_code": parts[0], "reason": _int(reason, _("第 %(n)s 行回避原因代码", n=n))}
        )
    pools = [int(c) for c in f.getlist("pool_centre_ids") if c.isdigit()] or [lot.project.centre_id]
    return {
        "evaluation_at": _when(f.get("evaluation_at", "")),
        "venue": f.get("venue", ""),
        "purchaser_reps": _int(f.get("purchaser_reps", "0") or "0", _("采购人代表人数")),
        "pool_centre_ids": pools,
        "groups": groups,
        "avoided": avoided,
        "note": f.get("note", ""),
    }


@bp.route("/draws/<int:draw_id>", methods=["GET", "POST"])
@login_required
def draw(draw_id: int) -> Any:
    item: Draw = _get(Draw, draw_id)
    policies.ensure_can_view_draw(current_user, item)
    if request.method == "POST":

        def run() -> None:
            if item.status == DrawStatus.PENDING:
                commit_draw(item, current_user)
                # The commitment must be durable before any result exists.
                db.session.commit()
            execute_draw(item, current_user)

        handlers: dict[str, Callable[[], object]] = {
            "run": run,
            "cancel": lambda: cancel_draw(item, current_user, request.form.get("reason", "")),
            "reveal": lambda: reveal_draw(item, current_user),
        }
        _commit(_action(handlers), _("操作成功。"))
        return redirect(url_for("experts.draw", draw_id=draw_id))
    root = _get(Draw, item.root_id or item.id)
    lot = _get(Lot, item.lot_id)
    overseer = policies.can_oversee_draws(current_user)
    return render_template(
        "experts/draw.html",
        d=item,
        lot=lot,
        seats=seat_summary(root),
        family=family(root),
        log=draw_log(item) if overseer else [],
        supervisor=overseer,
    )


@bp.route("/draws/<int:draw_id>/record.json")
@login_required
def draw_record(draw_id: int) -> Any:
    item: Draw = _get(Draw, draw_id)
    policies.ensure_can_view_draw(current_user, item)
    body = json.dumps(export_record(item), ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=draw-{item.id}.json"},
    )


@bp.route("/draws/<int:draw_id>/record.pdf")
@login_required
def draw_record_pdf(draw_id: int) -> Any:
    item: Draw = _get(Draw, draw_id)
    policies.ensure_can_view_draw(current_user, item)
    return Response(
        record_pdf(item),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=draw-{item.id}.pdf"},
    )


@bp.route("/draws/<int:draw_id>/appraisal", methods=["GET", "POST"])
@login_required
def appraisal(draw_id: int) -> Any:
    """专家考评: the checklist and a score for each expert who accepted a seat."""
    item: Draw = _get(Draw, draw_id)
    root: Draw = _get(Draw, item.root_id or item.id)
    lot: Lot = _get(Lot, root.lot_id)
    policies.ensure_can_request_draw(current_user, lot)
    if request.method == "POST":
        inv: Invitation = _get(Invitation, request.form.get("invitation_id", 0, type=int))
        if inv.root_id != root.id:
            raise NotFound(_l("该专家不属于本次抽取。"))
        _commit(
            lambda: add_appraisal(
                inv.expert,
                lot,
                {k: request.form.get(k) == "on" for k in APPRAISAL_ITEMS},
                _int(request.form.get("score", ""), _("总体评分")),
                request.form.get("comment", "")[:2000],
                current_user,
            ),
            _("考评已保存。"),
        )
        return redirect(url_for("experts.appraisal", draw_id=root.id))
    rows = appraisal_rows(root, current_user)
    return render_template(
        "experts/appraisal.html", d=root, lot=lot, rows=rows, items=APPRAISAL_ITEMS
    )


# ---------------------------------------------------------------- expert's own invitations
@bp.route("/my", methods=["GET", "POST"])
@login_required
def my_invitations() -> Any:
    policies.ensure_can_receive_invitations(current_user)
    if request.method == "POST":
        inv = _get(Invitation, request.form.get("invitation_id", 0, type=int))
        reason = request.form.get("reason", "")
        handlers: dict[str, Callable[[], object]] = {
            "join": lambda: answer(inv, current_user, True),
            "decline": lambda: answer(inv, current_user, False, reason),
            "conflict": lambda: declare_conflict(
                inv, current_user, reason, request.form.get("credit_code", "")
            ),
            "sign_in": lambda: sign_in(inv, current_user),
        }
        _commit(_action(handlers), _answer_done(request.form.get("action", ""), inv))
        return redirect(url_for("experts.my_invitations"))
    invitations = invitations_of(current_user)
    lots = _lots_by_id({i.draw.lot_id for i in invitations})
    return render_template(
        "experts/my.html",
        invitations=invitations,
        lot_of=lots,
        bidders_of={lot_id: _bidders(lot) for lot_id, lot in lots.items()},
        signin_early=settings.signin_early(),
    )


def _bidders(lot: Lot) -> list[str] | None:
    """The bidders frozen at the deadline (None before it): what an expert needs to judge
    a conflict of interest. Before the deadline nobody may learn who intends to bid."""
    freeze = get_freeze(lot)
    return [str(e["supplier"]) for e in freeze.entries] if freeze is not None else None


def _answer_done(action: str, inv: Invitation) -> str:
    """What the expert's answer did, in words."""
    lot = db.session.get(Lot, inv.draw.lot_id)
    what = lot.name if lot is not None else _("评标")
    when = formatting.cst(inv.draw.evaluation_at)
    return {
        "join": _("已确认参加“%(w)s”的评标（%(t)s，%(v)s）。", w=what, t=when, v=inv.draw.venue),
        "decline": _("已拒绝“%(w)s”的评标邀请，席位将由候补专家递补。", w=what),
        "conflict": _("已申报与“%(w)s”的利害关系，您将回避本次评标。", w=what),
        "sign_in": _("已签到：“%(w)s”的评标。", w=what),
    }.get(action, _("已提交。"))
