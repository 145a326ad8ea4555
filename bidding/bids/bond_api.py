"""JSON API of bid bonds: the supplier's own bond, the centre's bond account, the bank's notices."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import Centre
from app.core.errors import Forbidden, NotFound, Unauthorized, ValidationError
from app.core.extensions import db
from bidding.bids import bank, bonds, refunds
from bidding.bids.loaders import load_bond
from bidding.bids.models import BondKind
from bidding.bids.policies import can_see_payer_accounts, ensure_can_run_bond_account
from bidding.bids.schemas import (
    ArrivalOut,
    ArrivalResolveIn,
    BankKeyIn,
    BankKeyOut,
    BankNoticeIn,
    BankNoticeOut,
    BondDecisionIn,
    BondRowOut,
    GuaranteeCheckOut,
    GuaranteeForm,
    GuaranteeQueueOut,
    LetterFileForm,
    MyBondOut,
    RefundDoneIn,
    RefundOut,
    StatementFileForm,
    StatementOut,
)
from bidding.projects import get_lot

blp = Blueprint("bonds_api", __name__, url_prefix="/api/v1", description="Bid bonds")

NOTICE_PATH = "/api/v1/bank/notices"


def _centre() -> Centre:
    centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
    if centre is None:
        raise Forbidden(_("只有交易中心的工作人员可以办理保证金账户业务。"))
    return centre


# ---------------------------------------------------------------- the supplier's own bond


@blp.route("/lots/<int:lot_id>/my-bond")
class MyBondResource(MethodView):
    @login_required
    @blp.response(200, MyBondOut)
    def get(self, lot_id: int) -> Any:
        """The caller's own bond on the lot: sub-account, payments seen, state, refund."""
        return bonds.my_bond(get_lot(lot_id), current_user)


@blp.route("/lots/<int:lot_id>/my-bond/sub-account")
class SubAccountResource(MethodView):
    @login_required
    @blp.response(201, MyBondOut)
    def post(self, lot_id: int) -> Any:
        """Ask for the caller's virtual sub-account for this lot (the same one if asked again)."""
        lot = get_lot(lot_id)
        bonds.issue_sub_account(lot, current_user)
        db.session.commit()
        return bonds.my_bond(lot, current_user)


@blp.route("/lots/<int:lot_id>/my-bond/guarantee")
class GuaranteeResource(MethodView):
    @login_required
    @blp.arguments(GuaranteeForm, location="form")
    @blp.arguments(LetterFileForm, location="files")
    @blp.response(201, MyBondOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """Upload a bank guarantee letter (保函; multipart `letter`, `amount`, `reference`)."""
        lot = get_lot(lot_id)
        letter = files.get("letter")
        if letter is None or not letter.filename:
            raise ValidationError(_("请选择保函文件（PDF、OFD、JPG 或 PNG）。"), field="letter")
        bonds.submit_guarantee(
            lot,
            current_user,
            amount=form["amount"],
            reference=form["reference"],
            filename=letter.filename,
            stream=letter.stream,
        )
        db.session.commit()
        return bonds.my_bond(lot, current_user)


# ---------------------------------------------------------------- the lot's list (after the deadline)


@blp.route("/lots/<int:lot_id>/bonds")
class LotBondsResource(MethodView):
    @login_required
    @blp.response(200, BondRowOut(many=True))
    def get(self, lot_id: int) -> Any:
        """The lot's bonds: supervisors at any time, the agency only after the deadline (403 before)."""
        lot = get_lot(lot_id)
        return bonds.bonds_of(
            lot, current_user, with_payers=can_see_payer_accounts(current_user, lot)
        )


# ---------------------------------------------------------------- guarantee checks (centre staff)


@blp.route("/guarantees/pending")
class GuaranteeQueueResource(MethodView):
    @login_required
    @blp.response(200, GuaranteeQueueOut(many=True))
    def get(self) -> Any:
        """Centre staff: guarantee checks waiting, as numbers (no list of bidders)."""
        return bonds.pending_guarantees(current_user)


def _guarantee(bond_id: int) -> Any:
    bond = load_bond(bond_id)
    lot = get_lot(bond.lot_id)
    ensure_can_run_bond_account(current_user, lot.project.centre_id)
    if bond.kind != BondKind.GUARANTEE:
        raise NotFound(_("保函不存在。"))
    return bond


@blp.route("/guarantees/<int:bond_id>")
class GuaranteeCheckResource(MethodView):
    @login_required
    @blp.response(200, GuaranteeCheckOut)
    def get(self, bond_id: int) -> Any:
        """One guarantee to check: the letter's facts and the lot's requirement, nothing else."""
        return _guarantee(bond_id)


@blp.route("/guarantees/<int:bond_id>/decision")
class GuaranteeDecisionResource(MethodView):
    @login_required
    @blp.arguments(BondDecisionIn)
    @blp.response(200, GuaranteeCheckOut)
    def post(self, data: dict[str, Any], bond_id: int) -> Any:
        """Centre staff accept or reject a guarantee letter (a reason is required to reject)."""
        bond = _guarantee(bond_id)
        bonds.decide_guarantee(bond, current_user, accept=data["accept"], note=data["note"])
        db.session.commit()
        return bond


# ---------------------------------------------------------------- the bond account (centre staff)


@blp.route("/bank/statements")
class StatementResource(MethodView):
    @login_required
    @blp.arguments(StatementFileForm, location="files")
    @blp.response(201, StatementOut)
    def post(self, files: dict[str, Any]) -> Any:
        """Import the bank's statement (CSV, multipart `file`): all rows or none (422 lists every
        bad row); a transaction already recorded is skipped, so a second import changes nothing."""
        upload = files.get("file")
        if upload is None or not upload.filename:
            raise ValidationError(_("请选择银行对账单文件（CSV）。"), field="file")
        result = bank.import_statement(_centre(), current_user, upload.filename, upload.read())
        db.session.commit()
        return {
            "added": len(result.added),
            "matched": result.matched,
            "held": result.held,
            "already": result.already,
        }


@blp.route("/bank/arrivals/held")
class HeldArrivalsResource(MethodView):
    @login_required
    @blp.response(200, ArrivalOut(many=True))
    def get(self) -> Any:
        """Centre staff: payments held for a decision, each with its reason."""
        return bank.held_arrivals(current_user, current_user.centre_id)


@blp.route("/bank/arrivals/<int:arrival_id>/resolve")
class ResolveArrivalResource(MethodView):
    @login_required
    @blp.arguments(ArrivalResolveIn)
    @blp.response(200, ArrivalOut)
    def post(self, data: dict[str, Any], arrival_id: int) -> Any:
        """Credit a held payment to its bond, or return it to the payer (a reason is required)."""
        row = bank.resolve_arrival(
            bank.load_arrival(arrival_id), current_user, credit=data["credit"], note=data["note"]
        )
        db.session.commit()
        return row


@blp.route("/bank/notices")
class BankNoticeResource(MethodView):
    @blp.arguments(BankNoticeIn)
    @blp.response(201, BankNoticeOut)
    @blp.alt_response(200, schema=BankNoticeOut, description="already recorded")
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> Any:
        """A bank's signed arrival notice (see the schema for the headers and signed bytes);
        401 on a bad signature or a stale timestamp, 409 on a reused nonce."""
        headers = request.headers
        for name in ("X-Bank-Key", "X-Bank-Timestamp", "X-Bank-Nonce", "X-Bank-Signature"):
            if not headers.get(name):
                raise Unauthorized(_("缺少签名请求头 %(h)s。", h=name))
        timestamp, nonce = headers["X-Bank-Timestamp"], headers["X-Bank-Nonce"]
        message = bank.signed_message("POST", NOTICE_PATH, timestamp, nonce, request.get_data())
        key = bank.authenticate_notice(
            headers["X-Bank-Key"], timestamp, nonce, headers["X-Bank-Signature"], message
        )
        row, created = bank.receive_notice(key, data)
        db.session.commit()
        return row, 201 if created else 200


@blp.route("/bank/keys")
class BankKeysResource(MethodView):
    @login_required
    @blp.response(200, BankKeyOut(many=True))
    def get(self) -> Any:
        """The banks' keys registered for the caller's centre."""
        return bank.keys_of(current_user, current_user.centre_id)

    @login_required
    @blp.arguments(BankKeyIn)
    @blp.response(201, BankKeyOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a bank's key (Ed25519 public key, or an HMAC secret made and shown once)."""
        centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
        if centre is None:
            raise ValidationError(_("您的账号不属于任何交易中心。"))
        key, secret = bank.register_key(
            centre,
            current_user,
            bank_name=data["bank_name"],
            alg=data["alg"],
            public_key=data["public_key"],
        )
        db.session.commit()
        key.secret = secret  # shown in this answer only; never stored in clear
        return key


@blp.route("/bank/keys/<int:key_id>/revoke")
class BankKeyRevokeResource(MethodView):
    @login_required
    @blp.response(200, BankKeyOut)
    def post(self, key_id: int) -> Any:
        """Stop accepting notices signed with this key."""
        key = bank.revoke_key(bank.load_key(key_id), current_user)
        db.session.commit()
        return key


# ---------------------------------------------------------------- refunds


@blp.route("/bank/refunds")
class RefundsResource(MethodView):
    @login_required
    @blp.response(200, RefundOut(many=True))
    def get(self) -> Any:
        """Centre staff: refunds not yet done, the nearest due first (overdue ones flagged)."""
        return refunds.refunds_of_centre(current_user, current_user.centre_id)


@blp.route("/bank/refunds/<int:refund_id>/done")
class RefundDoneResource(MethodView):
    @login_required
    @blp.arguments(RefundDoneIn)
    @blp.response(200, RefundOut)
    def post(self, data: dict[str, Any], refund_id: int) -> Any:
        """Record that a bond (or a held payment) went back, with the bank's reference."""
        refund = refunds.record_refund_done(
            refunds.load_refund(refund_id), current_user, bank_reference=data["bank_reference"]
        )
        db.session.commit()
        return refund
