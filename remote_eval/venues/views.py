"""Pages of evaluation rooms, seat bookings and assistance requests (thin: parse, call one
service through `refusals.run`, answer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import Centre
from app.core.errors import DomainError, Forbidden, ValidationError
from app.core.extensions import db
from bidding.projects import get_lot
from experts import sharing
from experts.models import Specialty
from remote_eval.venues import assistance, bookings, fees, labels, policies, rooms, start
from remote_eval.venues.refusals import run

bp = Blueprint("venues", __name__, template_folder="templates")


@bp.app_template_filter("venue_status")
def _status(value: Any) -> str:
    return labels.status_label(value)


@bp.app_template_filter("venue_badge")
def _badge(value: Any) -> str:
    return labels.badge(value)


def _when(day: str, time: str, field: str) -> dt.datetime:
    try:
        return clock.parse_cst(f"{day} {time}")
    except ValueError as exc:
        raise ValidationError(_l("请填写正确的日期和时间。"), field=field) from exc


def _int(value: Any, label: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_l("%(f)s 应为整数。", f=label)) from exc


@bp.get("/venues")
@login_required
def index() -> Any:
    if not policies.may_open_venues(current_user):
        raise Forbidden(policies.NO_VENUES)
    centre_id = current_user.centre_id
    manage = policies.can_manage_venues(current_user, centre_id)
    own = rooms.venues_of(centre_id, published_only=not manage)
    others = [v for v in rooms.published_venues() if v.centre_id != centre_id]
    return render_template(
        "venues/index.html",
        manage=manage,
        own=own,
        others=others,
        requests=assistance.requests_for(current_user),
        share=sharing.share_of(centre_id),
        fee_standard=sharing.standard(centre_id),
        lot_names=_lot_names(assistance.requests_for(current_user)),
    )


def _lot_names(items: list[Any]) -> dict[int, str]:
    from bidding.models import Lot

    out = {}
    for item in items:
        lot = db.session.get(Lot, item.lot_id)
        if lot is not None:
            out[item.lot_id] = f"{lot.code} · {lot.name}"
    return out


def _seat_rows(text: str) -> list[dict[str, str]]:
    """One seat per line: "A01" or "A01 | 双屏电脑、读卡器"."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _sep, kit = line.partition("|")
        rows.append({"label": label.strip(), "equipment": kit.strip()})
    return rows


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(venue_id: int | None = None) -> Any:
    venue = rooms.get_venue(venue_id) if venue_id else None
    policies.ensure_can_manage_venues(
        current_user, venue.centre_id if venue else current_user.centre_id
    )
    if request.method == "POST":
        form = request.form.to_dict()
        data = {
            "name": form.get("name", ""),
            "location": form.get("location", ""),
            "equipment": form.get("equipment", ""),
            "seats": _seat_rows(form.get("seats", "")),
        }
        try:
            saved = run(
                "venue.edit" if venue else "venue.create",
                ("venue", venue_id),
                current_user,
                lambda: rooms.save_venue(current_user, data, venue),
            )
        except DomainError as exc:
            flash(str(exc.message), "error")
            return render_template("venues/edit.html", venue=venue, form=form), exc.status
        flash(_("评标室已保存。"), "success")
        return redirect(url_for("venues.room", venue_id=saved.id))
    form = {}
    if venue is not None:
        form = {
            "name": venue.name,
            "location": venue.location,
            "equipment": venue.equipment,
            "seats": "\n".join(
                f"{s.label} | {s.equipment}" if s.equipment else s.label for s in venue.seats
            ),
        }
    return render_template("venues/edit.html", venue=venue, form=form)


@bp.post("/venues/<int:venue_id>/published")
@login_required
def publish(venue_id: int) -> Any:
    venue = rooms.get_venue(venue_id)
    wanted = request.form.get("published") == "1"
    try:
        run(
            "venue.publish",
            ("venue", venue_id),
            current_user,
            lambda: rooms.set_published(venue, current_user, wanted),
        )
        flash(_("评标室已发布，可供预约。") if wanted else _("评标室已停止发布。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.room", venue_id=venue_id))


@bp.get("/venues/<int:venue_id>")
@login_required
def room(venue_id: int) -> Any:
    venue = rooms.get_venue(venue_id)
    policies.ensure_can_see_venue(current_user, venue)
    first = clock.cst_date(clock.now())
    days = bookings.room_calendar(venue, first, 14)
    return render_template(
        "venues/room.html",
        venue=venue,
        days=days,
        manage=policies.can_manage_venues(current_user, venue.centre_id),
        lot_names=_booking_lots(days),
    )


def _booking_lots(days: list[Any]) -> dict[int, str]:
    from bidding.models import Lot

    out = {}
    for day in days:
        for b in day.bookings:
            lot = db.session.get(Lot, b.lot_id)
            if lot is not None:
                out[b.lot_id] = lot.code
    return out


def _centres() -> list[Centre]:
    return list(db.session.execute(select(Centre).order_by(Centre.code)).scalars())


def _specialties() -> list[Specialty]:
    return list(
        db.session.execute(
            select(Specialty).where(Specialty.level <= 2).order_by(Specialty.code)
        ).scalars()
    )


def _lot_page(lot: Any, form: dict[str, Any] | None = None, status: int = 200) -> Any:
    venues = [v for v in rooms.venues_of(lot.project.centre_id, published_only=True)]
    return (
        render_template(
            "venues/lot.html",
            lot=lot,
            venues=venues,
            remote=assistance.is_remote(lot),
            items=bookings.bookings_of(lot),
            requests=assistance.requests_of(lot),
            centres=[c for c in _centres() if c.id != lot.project.centre_id],
            specialties=_specialties(),
            form=form or {},
            today=clock.cst_date(clock.now()).isoformat(),
        ),
        status,
    )


@bp.get("/lots/<int:lot_id>/venues")
@login_required
def lot_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_book_for_lot(current_user, lot)
    return _lot_page(lot)


@bp.post("/lots/<int:lot_id>/venues/book")
@login_required
def book(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_book_for_lot(current_user, lot)
    form = request.form.to_dict()

    def go() -> Any:
        venue = rooms.get_venue(_int(form.get("venue_id"), _l("评标室")))
        start = _when(form.get("day", ""), form.get("start", ""), "start_at")
        end = _when(form.get("day", ""), form.get("end", ""), "end_at")
        return bookings.book_seats(
            lot, venue, current_user, start, end, _int(form.get("seats"), _l("工位数"))
        )

    try:
        run("venue.book", ("lot", lot_id), current_user, go)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return _lot_page(lot, form, exc.status)
    flash(_("工位已预约。"), "success")
    return redirect(url_for("venues.lot_page", lot_id=lot_id))


@bp.post("/seat-bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int) -> Any:
    booking = bookings.get_booking(booking_id)
    lot_id = booking.lot_id
    reason = request.form.get("reason", "")
    try:
        run(
            "venue.cancel",
            ("venue_booking", booking_id),
            current_user,
            lambda: bookings.cancel_booking(booking, current_user, reason),
        )
        flash(_("预约已取消，工位已释放。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.lot_page", lot_id=lot_id))


@bp.post("/lots/<int:lot_id>/venues/remote")
@login_required
def mark_remote(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    try:
        run(
            "venue.mark_remote",
            ("lot", lot_id),
            current_user,
            lambda: assistance.mark_remote(lot, current_user),
        )
        flash(_("标段已标记为远程异地评标。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.lot_page", lot_id=lot_id))


@bp.post("/lots/<int:lot_id>/assistance")
@login_required
def ask(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_book_for_lot(current_user, lot)
    form = request.form.to_dict()

    def go() -> Any:
        wanted = []
        for i in (1, 2, 3):
            code = form.get(f"s{i}_specialty", "").strip()
            if code:
                wanted.append(
                    {"specialty": code, "count": _int(form.get(f"s{i}_count"), _l("专家人数"))}
                )
        data = {
            "to_centre_id": _int(form.get("to_centre_id"), _l("交易中心")),
            "start_at": _when(form.get("day", ""), form.get("start", ""), "start_at"),
            "end_at": _when(form.get("day", ""), form.get("end", ""), "end_at"),
            "seats": _int(form.get("seats"), _l("工位数")),
            "specialties": wanted,
            "note": form.get("note", ""),
        }
        if form.get("due_day") and form.get("due_time"):
            data["answer_due_at"] = _when(form["due_day"], form["due_time"], "answer_due_at")
        return assistance.request_assistance(lot, current_user, data)

    try:
        item = run("assistance.request", ("lot", lot_id), current_user, go)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return _lot_page(lot, form, exc.status)
    flash(_("协助请求已发出。"), "success")
    return redirect(url_for("venues.assistance_page", request_id=item.id))


@bp.get("/assistance/<int:request_id>")
@login_required
def assistance_page(request_id: int) -> Any:
    item = assistance.get_request(request_id)
    lot = get_lot(item.lot_id)
    policies.ensure_can_see_assistance(current_user, item, lot)
    answer = policies.can_answer_assistance(current_user, item)
    return render_template(
        "venues/assistance.html",
        item=item,
        lot=lot,
        answer=answer,
        venues=rooms.venues_of(item.to_centre_id, published_only=True) if answer else [],
        history=assistance.history(item),
        action_label=labels.action_label,
        specialty_names={
            s.code: s.name
            for s in db.session.execute(
                select(Specialty).where(
                    Specialty.code.in_([w["specialty"] for w in item.specialties])
                )
            ).scalars()
        },
    )


@bp.post("/assistance/<int:request_id>/answer")
@login_required
def answer(request_id: int) -> Any:
    item = assistance.get_request(request_id)
    form = request.form.to_dict()

    def go() -> Any:
        if form.get("decision") == "accept":
            venue = rooms.get_venue(_int(form.get("venue_id"), _l("评标室")))
            return assistance.accept(item, current_user, venue)
        return assistance.decline(item, current_user, form.get("reason", ""))

    try:
        command = "assistance.accept" if form.get("decision") == "accept" else "assistance.decline"
        run(command, ("venue_assistance", request_id), current_user, go)
        flash(_("已答复协助请求。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.assistance_page", request_id=request_id))


@bp.post("/venues/share")
@login_required
def share() -> Any:
    centre_id = current_user.centre_id
    form = request.form
    data = {
        "specialties": [c for c in form.get("specialties", "").replace("，", ",").split(",")],
        "fee_half_day": form.get("fee_half_day", ""),
        "pay_higher": form.get("pay_higher") == "1",
    }
    try:
        run(
            "experts.share",
            ("centre", centre_id),
            current_user,
            lambda: sharing.set_share(current_user, centre_id, data),
        )
        flash(_("共享专家与劳务费标准已保存。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.index"))


@bp.get("/lots/<int:lot_id>/expert-fees")
@login_required
def fee_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_see_fee_sheet(current_user, lot)
    return render_template("venues/fees.html", lot=lot, sheet=fees.fee_sheet(lot))


@bp.get("/lots/<int:lot_id>/expert-fees.csv")
@login_required
def fee_csv(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_see_fee_sheet(current_user, lot)
    body = "\ufeff" + fees.sheet_csv(fees.fee_sheet(lot))  # BOM: spreadsheets read UTF-8
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=expert-fees-{lot.id}.csv"},
    )


@bp.get("/lots/<int:lot_id>/expert-fees.pdf")
@login_required
def fee_pdf(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_can_see_fee_sheet(current_user, lot)
    return Response(
        fees.sheet_pdf(fees.fee_sheet(lot)),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=expert-fees-{lot.id}.pdf"},
    )


def session_venues_panel(session: Any) -> Markup:
    """The venues' panel of a remote evaluation's room (empty for other evaluations)."""
    if not start.is_remote_session(session):
        return Markup("")
    return Markup(
        render_template(
            "venues/_session_venues.html",
            session=session,
            venues=start.venue_states(session, current_user),
        )
    )


def _faults_context(session_id: int) -> dict[str, Any]:
    from remote_eval import committee
    from remote_eval import policies as eval_policies
    from remote_eval.venues import faults, handover

    session = committee.get_session(session_id)
    lot = get_lot(session.lot_id)
    purchaser = current_user.organisation_id == lot.project.purchaser_id
    if not (purchaser or eval_policies.can_watch(current_user, session)):
        raise Forbidden(_l("您无权查看该评标。"))
    rows = handover.handovers_of(session)
    return {
        "session": session,
        "lot": lot,
        "overdue": faults.start_overdue(session),
        "may_decide": purchaser,
        "decisions": faults.DECISIONS,
        "today": clock.cst_date(clock.now()).isoformat(),
        "sealed": faults.sealed_record(session),
        "handovers": rows,
        "may_hand_over": {
            r.id for r in rows if policies.can_manage_venues(current_user, r.centre_id)
        },
    }


@bp.get("/evaluations/<int:session_id>/faults")
@login_required
def faults_page(session_id: int) -> Any:
    return render_template("venues/faults.html", **_faults_context(session_id))


@bp.post("/evaluations/<int:session_id>/start-decision")
@login_required
def start_decision(session_id: int) -> Any:
    from remote_eval import committee
    from remote_eval import refusals as eval_refusals
    from remote_eval.venues import faults

    session = committee.get_session(session_id)
    form = request.form
    decision, note = form.get("decision", ""), form.get("note", "")

    def decide() -> Any:
        start = end = None
        if decision == "reschedule":
            start = _when(form.get("day", ""), form.get("start", ""), "start_at")
            if form.get("end"):
                end = _when(form.get("day", ""), form.get("end", ""), "end_at")
        return faults.decide_start(session, current_user, decision, note, start, end)

    try:
        eval_refusals.run("venue.start_decision", session_id, decide)
        flash(_("已作出决定。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.faults_page", session_id=session_id))


@bp.post("/venue-handovers/<int:handover_id>")
@login_required
def hand_over(handover_id: int) -> Any:
    from remote_eval import refusals as eval_refusals
    from remote_eval.venues import handover

    row = handover.get_handover(handover_id)
    note = request.form.get("note", "")
    try:
        eval_refusals.run(
            "venue.hand_over", row.session_id, lambda: handover.hand_over(row, current_user, note)
        )
        flash(_("评标资料移交已登记。"), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("venues.faults_page", session_id=row.session_id))
