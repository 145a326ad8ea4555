"""Pages of sealed bids: the supplier's bid page, receipts, freeze list and the opening hall."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.auth.models import User
from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import custody, receipts, uploads
from bidding.bids import opening as hall
from bidding.bids.bonds import bond_of
from bidding.bids.eligibility import bid_problems, deadline_passed, quote_given
from bidding.bids.freeze import retender
from bidding.bids.models import Bid, LotOpeningKey, OpeningStatus, get_freeze
from bidding.bids.policies import (
    can_enter_hall,
    can_see_receipt,
    ensure_can_enter_hall,
    is_bidder,
    is_custodian,
)
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, can_oversee_lot
from bidding.projects import get_lot

bp = Blueprint("bids", __name__, url_prefix="/bids", template_folder="templates")


def price_example(lot: Lot) -> str:
    """The price box's example: under the ceiling (or budget), so nobody copies a price
    that would be rejected."""
    cap = lot.ceiling_price if lot.ceiling_price is not None else lot.budget
    return f"{(cap * Decimal('0.9')).quantize(Decimal('1')):,.2f}"


@bp.route("/")
@login_required
def my_bids() -> Any:
    """A supplier's lots: those in the bid period and those it has bid on."""
    org_id = current_user.organisation_id
    bid_lots = set(
        db.session.execute(select(Bid.lot_id).where(Bid.supplier_id == org_id)).scalars()
    )
    open_lots = db.session.execute(
        select(Lot)
        .join(LotOpeningKey, LotOpeningKey.lot_id == Lot.id)
        .where(Lot.status == LotStatus.PUBLISHED)
    ).scalars()
    lots = {lot.id: lot for lot in open_lots}
    for lot_id in bid_lots:
        lots.setdefault(lot_id, db.session.get(Lot, lot_id))  # type: ignore[arg-type]
    return render_template("bidding/bids_home.html", lots=sorted(lots.values(), key=lambda x: x.id))


@bp.route("/custody")
@login_required
def custody_home() -> Any:
    """Lots whose hall the user may enter (staff, supervisors, custodians)."""
    lots = [
        lot
        for lot in db.session.execute(
            select(Lot)
            .join(LotOpeningKey, LotOpeningKey.lot_id == Lot.id)
            .order_by(Lot.id.desc())
            .limit(200)
        ).scalars()
        if can_manage_lot(current_user, lot)
        or can_oversee_lot(current_user, lot)
        or is_custodian(current_user, lot)
    ]
    return render_template("bidding/bids_home.html", lots=lots)


@bp.route("/lots/<int:lot_id>")
@login_required
def lot_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    org = current_user.organisation
    if org is None:
        abort(403)
    return render_template(
        "bidding/bids_lot.html",
        price_example=price_example(lot),
        lot=lot,
        org=org,
        problems=bid_problems(lot, org),
        key=db.session.execute(
            select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
        ).scalar_one_or_none(),
        bids=uploads.my_bids(lot, org),
        # 询价: a quote once given is final, so the button must not offer a replacement.
        quote_final=quote_given(lot, org) is not None,
        bond=bond_of(lot, org),
        freeze=get_freeze(lot),
        chunk_size=int(current_app.config.get("BID_SEAL_CHUNK_BYTES", 1024 * 1024)),
    )


@bp.route("/lots/<int:lot_id>/retender", methods=["POST"])
@login_required
def retender_page(lot_id: int) -> Any:
    """The agency starts a new tender of a failed (流标) lot: a new draft lot to publish."""
    lot = get_lot(lot_id)
    try:
        copy = retender(lot, current_user)
        db.session.commit()
        flash(
            _(
                "已重新招标：新标段 %(c)s 已登记，请设置时间安排后发布招标公告。",
                c=copy.code,
            ),
            "success",
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("bidding.project_detail", project_id=lot.project_id))


@bp.route("/lots/<int:lot_id>/withdraw", methods=["POST"])
@login_required
def withdraw(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    try:
        with uploads.quote_refusal_audited(current_user):
            uploads.withdraw_bid(lot, current_user)
            db.session.commit()
        flash(_("投标文件已撤回。"), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    return redirect(url_for("bids.lot_page", lot_id=lot.id))


@bp.route("/receipts/<int:bid_id>")
@login_required
def receipt(bid_id: int) -> Any:
    bid = db.session.get(Bid, bid_id)
    if bid is None or not bid.receipt or not can_see_receipt(current_user, bid):
        abort(404)
    return render_template("bidding/bids_receipt.html", bid=bid, doc=bid.receipt)


@bp.route("/receipts/<int:bid_id>.json")
@login_required
def receipt_json(bid_id: int) -> Any:
    bid = db.session.get(Bid, bid_id)
    if bid is None or not bid.receipt or not can_see_receipt(current_user, bid):
        abort(404)
    return Response(
        json.dumps(bid.receipt, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=receipt-{bid.id}.json"},
    )


@bp.route("/receipts/<int:bid_id>.pdf")
@login_required
def receipt_pdf(bid_id: int) -> Any:
    bid = db.session.get(Bid, bid_id)
    if bid is None or not can_see_receipt(current_user, bid) or not bid.receipt:
        abort(404)
    return Response(
        receipts.receipt_pdf(bid),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=receipt-{bid.id}.pdf"},
    )


@bp.route("/lots/<int:lot_id>/freeze")
@login_required
def freeze(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    frozen = get_freeze(lot)
    if frozen is None:
        abort(404)
    ensure_can_enter_hall(current_user, lot)
    return render_template("bidding/bids_freeze.html", lot=lot, freeze=frozen)


@bp.route("/lots/<int:lot_id>/hall")
@login_required
def hall_page(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    if not deadline_passed(lot) and not can_enter_hall(current_user, lot):
        # Nobody is a bidder before the deadline: say when the hall opens, not "403".
        return render_template("bidding/bids_hall_waiting.html", lot=lot)
    ensure_can_enter_hall(current_user, lot)
    return render_template(
        "bidding/bids_hall.html",
        lot=lot,
        state=hall.hall_state(lot),
        is_staff=can_manage_lot(current_user, lot),
        is_custodian=is_custodian(current_user, lot),
        is_bidder=is_bidder(current_user, lot),
        freeze=get_freeze(lot),
        my_org_name=current_user.organisation.name if current_user.organisation else None,
        room=hall.room(lot),
        events=_recent_events(hall.room(lot)),
    )


def _recent_events(room: str, limit: int = 50) -> list[dict[str, Any]]:
    """The hall's latest persisted events, so the page shows them before the socket joins."""
    from app.core.realtime import RoomEvent

    rows = db.session.execute(
        select(RoomEvent).where(RoomEvent.room == room).order_by(RoomEvent.seq.desc()).limit(limit)
    ).scalars()
    return [
        {"type": "event", "seq": e.seq, "kind": e.kind, "payload": e.payload}
        for e in reversed(list(rows))
    ]


# ---------------------------------------------------------------- staff: key ceremony


def _ensure_sees_lot(lot: Any) -> bool:
    """Staff of the lot manage; supervisors of its centre watch. Returns `manages`."""
    manages = can_manage_lot(current_user, lot)
    if not (manages or can_oversee_lot(current_user, lot)):
        abort(403)
    return manages


def _ceremony_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "user_id": request.form.get(f"user_{i}", ""),
            "passphrase": request.form.get(f"passphrase_{i}", ""),
            "confirm": request.form.get(f"confirm_{i}", ""),
        }
        for i in range(count)
    ]


def _ceremony_pairs(rows: list[dict[str, str]]) -> list[tuple[User, str]]:
    pairs: list[tuple[User, str]] = []
    for n, row in enumerate(rows, start=1):
        try:
            user = db.session.get(User, int(row["user_id"]))
        except ValueError:
            user = None
        if user is None:
            raise ValidationError(_("请为第 %(n)s 份分片选择保管人。", n=n), field="custodians")
        if row["passphrase"] != row["confirm"]:
            raise ValidationError(
                _("%(u)s 两次输入的口令不一致，请重新输入。", u=user.display_name),
                field="passphrase",
            )
        pairs.append((user, row["passphrase"]))
    return pairs


@bp.route("/lots/<int:lot_id>/ceremony", methods=["GET", "POST"])
@login_required
def ceremony(lot_id: int) -> Any:
    """Key ceremony (密钥仪式): name the custodians; each types their own passphrase."""
    lot = get_lot(lot_id)
    manages = _ensure_sees_lot(lot)
    key = db.session.execute(
        select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
    ).scalar_one_or_none()
    default_n = int(current_app.config.get("OPENING_KEY_CUSTODIANS", 3))
    try:
        count = min(max(int(request.values.get("n", default_n)), 2), 9)
    except ValueError:
        count = default_n
    k_value = request.values.get("k", str(current_app.config["OPENING_KEY_THRESHOLD"]))
    rows = [{"user_id": "", "passphrase": "", "confirm": ""} for _i in range(count)]
    status = 200
    if request.method == "POST" and request.form.get("action") == "create":
        if not manages:
            abort(403)
        rows = _ceremony_rows(count)
        try:
            try:
                k = int(k_value)
            except ValueError as exc:
                raise ValidationError(_("开启门限 k 应为整数。"), field="k") from exc
            custody.create_opening_key(lot, _ceremony_pairs(rows), k, current_user)
            db.session.commit()
            flash(
                _(
                    "开标密钥已生成：%(k)s/%(n)s 门限，分片已分别以各保管人的口令密封。",
                    k=k,
                    n=count,
                ),
                "success",
            )
            return redirect(url_for("bids.ceremony", lot_id=lot.id))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = 422
    for row in rows:  # a passphrase is never sent back to the browser
        row["passphrase"] = row["confirm"] = ""
    return (
        render_template(
            "bidding/bids_ceremony.html",
            lot=lot,
            key=key,
            manages=manages,
            custodians=custody.custodians(lot) if key else [],
            candidates=custody.custodian_candidates(lot),
            rows=rows,
            count=count,
            k_value=k_value,
            min_length=int(current_app.config["CUSTODIAN_PASSPHRASE_MIN_LENGTH"]),
            deadline_passed=deadline_passed(lot),
        ),
        status,
    )


# ---------------------------------------------------------------- opening record files


@bp.route("/lots/<int:lot_id>/record.<fmt>")
@login_required
def record_file(lot_id: int, fmt: str) -> Any:
    """The signed opening record (开标记录) as stored: HTML or PDF."""
    lot = get_lot(lot_id)
    ensure_can_enter_hall(current_user, lot)
    opening = hall.get_opening(lot)
    if fmt not in ("html", "pdf") or opening is None:
        abort(404)
    if opening.status not in (OpeningStatus.SIGNED, OpeningStatus.PUBLISHED):
        abort(404)
    sha = opening.record_sha256 if fmt == "html" else opening.record_pdf_sha256
    store = get_store()
    if not sha or not store.exists(sha):
        abort(404)
    return send_file(
        store.path_for(sha),
        mimetype="text/html" if fmt == "html" else "application/pdf",
        download_name=f"opening-record-{lot.code}.{fmt}",
        as_attachment=fmt == "pdf",
    )
