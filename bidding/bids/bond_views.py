"""Pages of bid bonds: the supplier's own bond, the lot's list (after the deadline), and the
centre's bond account desk (statements, held payments, guarantee checks, refunds, bank keys)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.auth.models import Centre
from app.core.errors import DomainError, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import bank, bonds, refunds
from bidding.bids.eligibility import deadline_passed
from bidding.bids.loaders import load_bond
from bidding.bids.models import BondKind
from bidding.bids.policies import (
    can_read_guarantee,
    can_register_bank_keys,
    can_run_bond_account,
    can_see_bond_list,
    can_see_payer_accounts,
)
from bidding.policies import can_manage_lot, can_oversee_lot
from bidding.projects import get_lot

bp = Blueprint("bonds", __name__, url_prefix="/bonds", template_folder="templates")


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    flash(str(exc.message), "error")


# ---------------------------------------------------------------- the supplier


@bp.route("/lots/<int:lot_id>/mine")
@login_required
def mine(lot_id: int) -> Any:
    """The supplier's own bond: its sub-account to pay into, what arrived, its guarantee."""
    lot = get_lot(lot_id)
    try:
        state = bonds.my_bond(lot, current_user)
    except DomainError:
        abort(403)
    return render_template("bidding/bonds_mine.html", lot=lot, state=state)


@bp.route("/lots/<int:lot_id>/sub-account", methods=["POST"])
@login_required
def sub_account(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    try:
        bonds.issue_sub_account(lot, current_user)
        db.session.commit()
        flash(_("虚拟子账号已生成，请按页面所示账户转账。"), "success")
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.mine", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/guarantee", methods=["POST"])
@login_required
def guarantee(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    upload = request.files.get("letter")
    try:
        if upload is None or not upload.filename:
            raise ValidationError(_("请选择保函文件（PDF、OFD、JPG 或 PNG）。"), field="letter")
        bonds.submit_guarantee(
            lot,
            current_user,
            amount=request.form.get("amount", ""),
            reference=request.form.get("reference", ""),
            filename=upload.filename,
            stream=upload.stream,
        )
        db.session.commit()
        flash(_("保函已提交，交易中心核验通过后即可投标。"), "success")
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.mine", lot_id=lot.id))


# ---------------------------------------------------------------- the lot (agency, supervisors)


@bp.route("/lots/<int:lot_id>")
@login_required
def lot_bonds(lot_id: int) -> Any:
    """Before the deadline the agency learns nothing here but the rule; after it, the list."""
    lot = get_lot(lot_id)
    if not (can_manage_lot(current_user, lot) or can_oversee_lot(current_user, lot)):
        abort(403)
    visible = can_see_bond_list(current_user, lot)
    payers = can_see_payer_accounts(current_user, lot)
    rows = bonds.bonds_of(lot, current_user, with_payers=payers) if visible else []
    return render_template(
        "bidding/bonds_lot.html",
        lot=lot,
        rows=rows,
        visible=visible,
        payers=payers,
        account=bonds.bond_account(lot.project.centre),
        deadline_passed=deadline_passed(lot),
    )


# ---------------------------------------------------------------- the centre's desk


def _centre() -> Centre:
    centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
    if centre is None or not can_run_bond_account(current_user, centre.id):
        abort(403)
    return centre


@bp.route("/centre")
@login_required
def desk() -> Any:
    """The centre's bond account: import a statement, settle held payments, checks, refunds."""
    centre = _centre()
    return render_template(
        "bidding/bonds_desk.html",
        centre=centre,
        account=bonds.bond_account(centre),
        held=bank.held_arrivals(current_user, centre.id),
        checks=bonds.pending_guarantees(current_user),
        refunds=refunds.refunds_of_centre(current_user, centre.id),
        errors=[],
        may_keys=can_register_bank_keys(current_user, centre.id),
    )


@bp.route("/centre/statement", methods=["POST"])
@login_required
def statement() -> Any:
    centre = _centre()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationError(_("请选择银行对账单文件（CSV）。"), field="file")
        result = bank.import_statement(centre, current_user, upload.filename, upload.read())
        db.session.commit()
        flash(
            _(
                "对账单已导入：新增 %(a)s 笔（自动匹配 %(m)s 笔，待处理 %(h)s 笔），此前已导入 %(o)s 笔。",
                a=len(result.added),
                m=result.matched,
                h=result.held,
                o=result.already,
            ),
            "success",
        )
        return redirect(url_for("bonds.desk"))
    except DomainError as exc:
        _fail(exc)
        errors = str(exc.details.get("errors", "")).splitlines()
    return (
        render_template(
            "bidding/bonds_desk.html",
            centre=centre,
            account=bonds.bond_account(centre),
            held=bank.held_arrivals(current_user, centre.id),
            checks=bonds.pending_guarantees(current_user),
            refunds=refunds.refunds_of_centre(current_user, centre.id),
            errors=errors,
            may_keys=can_register_bank_keys(current_user, centre.id),
        ),
        422,
    )


@bp.route("/arrivals/<int:arrival_id>/resolve", methods=["POST"])
@login_required
def resolve(arrival_id: int) -> Any:
    row = bank.load_arrival(arrival_id)
    credit = request.form.get("credit") == "1"
    try:
        bank.resolve_arrival(row, current_user, credit=credit, note=request.form.get("note", ""))
        db.session.commit()
        flash(_("已计为保证金。") if credit else _("已安排退回付款人。"), "success")
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.desk"))


@bp.route("/refunds/<int:refund_id>/done", methods=["POST"])
@login_required
def refund_done(refund_id: int) -> Any:
    refund = refunds.load_refund(refund_id)
    try:
        refunds.record_refund_done(
            refund, current_user, bank_reference=request.form.get("bank_reference", "")
        )
        db.session.commit()
        flash(_("已登记退还。"), "success")
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.desk"))


# ---------------------------------------------------------------- one guarantee check


def _guarantee_for_officer(bond_id: int) -> Any:
    bond = load_bond(bond_id)
    lot = get_lot(bond.lot_id)
    if bond.kind != BondKind.GUARANTEE or not can_run_bond_account(
        current_user, lot.project.centre_id
    ):
        abort(403)
    return bond, lot


@bp.route("/guarantees/<int:bond_id>")
@login_required
def guarantee_check(bond_id: int) -> Any:
    """One letter, its applicant and the lot's requirement: nothing about other bidders."""
    bond, lot = _guarantee_for_officer(bond_id)
    return render_template("bidding/bonds_guarantee.html", bond=bond, lot=lot)


@bp.route("/guarantees/<int:bond_id>/decision", methods=["POST"])
@login_required
def guarantee_decision(bond_id: int) -> Any:
    bond, _lot = _guarantee_for_officer(bond_id)
    accept = request.form.get("accept") == "1"
    try:
        bonds.decide_guarantee(bond, current_user, accept=accept, note=request.form.get("note", ""))
        db.session.commit()
        flash(_("保函已核验通过。") if accept else _("保函已退回。"), "success")
        return redirect(url_for("bonds.desk"))
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.guarantee_check", bond_id=bond.id))


@bp.route("/guarantees/<int:bond_id>/letter")
@login_required
def letter(bond_id: int) -> Any:
    bond = load_bond(bond_id)
    lot = get_lot(bond.lot_id)
    if not can_read_guarantee(current_user, bond, lot):
        abort(403)
    store = get_store()
    if not bond.letter_sha256 or not store.exists(bond.letter_sha256):
        abort(404)
    return send_file(
        store.path_for(bond.letter_sha256),
        download_name=bond.letter_name or "guarantee.pdf",
        as_attachment=True,
    )


# ---------------------------------------------------------------- banks' keys


@bp.route("/bank-keys", methods=["GET", "POST"])
@login_required
def bank_keys() -> Any:
    centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
    if centre is None or not can_register_bank_keys(current_user, centre.id):
        abort(403)
    secret = None
    status = 200
    form = {"bank_name": "", "alg": "ed25519", "public_key": ""}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in form}
        try:
            key, secret = bank.register_key(
                centre,
                current_user,
                bank_name=form["bank_name"],
                alg=form["alg"],
                public_key=form["public_key"],
            )
            db.session.commit()
            flash(_("已登记银行密钥 %(k)s。", k=key.key_id), "success")
            if secret is None:
                return redirect(url_for("bonds.bank_keys"))
        except DomainError as exc:
            _fail(exc)
            status = 422
    return (
        render_template(
            "bidding/bonds_keys.html",
            centre=centre,
            keys=bank.keys_of(current_user, centre.id),
            form=form,
            secret=secret,
        ),
        status,
    )


@bp.route("/bank-keys/<int:key_id>/revoke", methods=["POST"])
@login_required
def revoke_key(key_id: int) -> Any:
    try:
        bank.revoke_key(bank.load_key(key_id), current_user)
        db.session.commit()
        flash(_("密钥已停用。"), "success")
    except DomainError as exc:
        _fail(exc)
    return redirect(url_for("bonds.bank_keys"))


def may_open_desk(user: Any) -> bool:
    """Menu condition: staff of a centre's own organisation."""
    return bool(getattr(user, "is_authenticated", False)) and can_run_bond_account(
        user, user.centre_id
    )


def may_register_keys(user: Any) -> bool:
    """Menu condition: an administrator of a centre (banks' keys belong to one centre)."""
    return bool(getattr(user, "is_authenticated", False)) and can_register_bank_keys(
        user, user.centre_id
    )
