"""JSON API of sealed bids and the opening hall (/api/v1/...)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import User
from app.core.errors import Forbidden, NotFound, ValidationError
from app.core.extensions import db
from app.core.http import request_body
from bidding.bids import custody, decryption, freeze, opening_record, uploads
from bidding.bids import opening as hall
from bidding.bids.models import Bid, BidUpload, OpeningObjection, get_freeze
from bidding.bids.policies import can_see_receipt, ensure_can_enter_hall
from bidding.bids.schemas import (
    BidChunkQuery,
    BidOut,
    BidUploadIn,
    BidUploadOut,
    FreezeOut,
    HallAnswerIn,
    HallDecryptIn,
    HallObjectionIn,
    HallOut,
    OpeningKeyIn,
    OpeningKeyOut,
    ReceiptOut,
    RetenderLotOut,
    SharePassphraseIn,
)
from bidding.models import Lot
from bidding.policies import ensure_can_manage_lot
from bidding.projects import get_lot

blp = Blueprint(
    "bids_api", __name__, url_prefix="/api/v1", description="Sealed bids and the opening hall"
)


def _upload_out(upload: BidUpload) -> dict[str, Any]:
    """Where the upload stands, read before the request commits: after the commit every
    attribute would be loaded again, a query per chunk that tells nothing new."""
    return {
        "token": upload.token,
        "lot_id": upload.lot_id,
        "declared_size": upload.declared_size,
        "received": uploads.progress(upload),
        "status": upload.status.value,
        "chunk_max": int(current_app.config["BID_CHUNK_MAX_BYTES"]),
    }


@blp.route("/lots/<int:lot_id>/opening-key")
class OpeningKeyResource(MethodView):
    @blp.response(200, OpeningKeyOut)
    def get(self, lot_id: int) -> Any:
        """The lot's public opening key (PEM): seal bids to it. Public."""
        lot = get_lot(lot_id)
        return _key_out(lot, custody.opening_key(lot))

    @login_required
    @blp.arguments(OpeningKeyIn)
    @blp.response(201, OpeningKeyOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Key ceremony: create the opening key, one share sealed to each custodian's passphrase."""
        lot = get_lot(lot_id)
        ensure_can_manage_lot(current_user, lot)
        pairs = []
        for c in data["custodians"]:
            user = db.session.get(User, c["user_id"])
            if user is None:
                raise ValidationError(
                    _("保管人 %(i)s 不存在。", i=c["user_id"]), field="custodians"
                )
            pairs.append((user, c["passphrase"]))
        key = custody.create_opening_key(lot, pairs, data["k"], current_user)
        db.session.commit()
        return _key_out(lot, key)


def _key_out(lot: Lot, key: Any) -> dict[str, Any]:
    return {
        "lot_id": lot.id,
        "lot_code": lot.code,
        "public_key_pem": key.public_pem,
        "key_sha256": key.fingerprint,
        "k": key.k,
        "n": key.n,
    }


@blp.route("/lots/<int:lot_id>/uploads")
class UploadsResource(MethodView):
    @login_required
    @blp.arguments(BidUploadIn)
    @blp.response(201, BidUploadOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Start a resumable upload of a sealed bid (refused after the deadline by server time)."""
        lot = get_lot(lot_id)
        with uploads.quote_refusal_audited(current_user):
            upload = uploads.start_upload(
                lot, current_user, size=data["size"], fingerprint=data["fingerprint"]
            )
            out = _upload_out(upload)
        db.session.commit()
        return out


@blp.route("/uploads/<token>")
class UploadResource(MethodView):
    @login_required
    @blp.response(200, BidUploadOut)
    def get(self, token: str) -> Any:
        """Where a resumable upload stands: `received` is the next offset to send."""
        return _upload_out(uploads.get_upload(token, current_user))

    @login_required
    @blp.arguments(BidChunkQuery, location="query")
    @blp.response(200, BidUploadOut)
    def put(self, query: dict[str, Any], token: str) -> Any:
        """Send the next chunk (raw bytes, application/octet-stream) at `offset`."""
        upload = uploads.get_upload(token, current_user)
        limit = int(current_app.config["BID_CHUNK_MAX_BYTES"])
        if (request.content_length or 0) > limit:
            raise ValidationError(_("单个分片不得超过 %(n)s 字节。", n=limit), field="chunk")
        uploads.put_chunk(upload, current_user, query["offset"], request_body())
        out = _upload_out(upload)
        db.session.commit()
        return out


@blp.route("/uploads/<token>/finish")
class UploadFinishResource(MethodView):
    @login_required
    @blp.response(201, ReceiptOut)
    def post(self, token: str) -> Any:
        """Finish the upload: the container is verified, stored and a signed receipt returned."""
        upload = uploads.get_upload(token, current_user)
        with uploads.quote_refusal_audited(current_user):
            bid = uploads.finish_upload(upload, current_user)
            receipt = bid.receipt  # read before the commit expires it
            db.session.commit()
        return receipt


@blp.route("/lots/<int:lot_id>/withdraw")
class WithdrawResource(MethodView):
    @login_required
    @blp.response(200, BidOut)
    def post(self, lot_id: int) -> Any:
        """Withdraw the current bid before the deadline."""
        with uploads.quote_refusal_audited(current_user):
            bid = uploads.withdraw_bid(get_lot(lot_id), current_user)
            db.session.commit()
        return bid


@blp.route("/lots/<int:lot_id>/my-bids")
class MyBidsResource(MethodView):
    @login_required
    @blp.response(200, BidOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Every version of the caller's bids on the lot (ciphertext facts only)."""
        if current_user.organisation is None:
            raise Forbidden(_("只有供应商可以查看自己的投标文件。"))
        return uploads.my_bids(get_lot(lot_id), current_user.organisation)


@blp.route("/bids/<int:bid_id>/receipt")
class ReceiptResource(MethodView):
    @login_required
    @blp.response(200, ReceiptOut)
    def get(self, bid_id: int) -> Any:
        """The signed receipt (回执) of a bid: only to its bidder, or the lot's staff after the deadline."""
        bid = db.session.get(Bid, bid_id)
        if bid is None or not bid.receipt or not can_see_receipt(current_user, bid):
            raise NotFound(_("回执不存在。"))
        return bid.receipt


@blp.route("/lots/<int:lot_id>/freeze")
class FreezeResource(MethodView):
    @login_required
    @blp.response(200, FreezeOut)
    def get(self, lot_id: int) -> Any:
        """The list of bid hashes frozen at the deadline (bidders, staff, supervisors)."""
        lot = get_lot(lot_id)
        frozen = get_freeze(lot)
        if frozen is None:
            raise NotFound(_("投标截止后才会生成投标文件哈希清单。"))
        ensure_can_enter_hall(current_user, lot)
        return frozen


@blp.route("/lots/<int:lot_id>/retender")
class RetenderResource(MethodView):
    @login_required
    @blp.response(201, RetenderLotOut)
    def post(self, lot_id: int) -> Any:
        """Copy a failed lot (流标 at the deadline, 废标 at the evaluation) into a new draft
        lot for a new tender; the new lot links back to it."""
        copy = freeze.retender(get_lot(lot_id), current_user)
        db.session.commit()
        return copy


# ---------------------------------------------------------------- opening hall


@blp.route("/lots/<int:lot_id>/hall")
class HallResource(MethodView):
    @login_required
    @blp.response(200, HallOut)
    def get(self, lot_id: int) -> Any:
        """The opening hall's state; price lines appear only once every bid is decrypted."""
        lot = get_lot(lot_id)
        ensure_can_enter_hall(current_user, lot)
        return hall.hall_state(lot)


def _hall_command(lot_id: int, fn: Any, *args: Any) -> Any:
    lot = get_lot(lot_id)
    fn(lot, current_user, *args)
    db.session.commit()
    return hall.hall_state(lot)


@blp.route("/lots/<int:lot_id>/hall/signin")
class SigninResource(MethodView):
    @login_required
    @blp.response(200, HallOut)
    def post(self, lot_id: int) -> Any:
        """A bidder signs in (签到) during the sign-in window."""
        return _hall_command(lot_id, hall.sign_in)


@blp.route("/lots/<int:lot_id>/hall/shares")
class ShareResource(MethodView):
    @login_required
    @blp.arguments(SharePassphraseIn)
    @blp.response(200, HallOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """A custodian presents their share with their passphrase (refused before the deadline)."""
        return _hall_command(lot_id, hall.present_share, data["passphrase"])


@blp.route("/lots/<int:lot_id>/hall/decrypt")
class DecryptResource(MethodView):
    @login_required
    @blp.arguments(HallDecryptIn)
    @blp.response(200, HallOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Staff decrypt the frozen bids (up to `max_bids` per call; call again to continue)."""
        return _hall_command(lot_id, decryption.decrypt_bids, data["max_bids"])


@blp.route("/lots/<int:lot_id>/hall/confirm")
class ConfirmResource(MethodView):
    @login_required
    @blp.response(200, HallOut)
    def post(self, lot_id: int) -> Any:
        """A bidder confirms its price line as read out."""
        return _hall_command(lot_id, hall.confirm_line)


@blp.route("/lots/<int:lot_id>/hall/objections")
class ObjectionResource(MethodView):
    @login_required
    @blp.arguments(HallObjectionIn)
    @blp.response(201, HallOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """A bidder raises an objection in the hall (现场异议)."""
        return _hall_command(lot_id, hall.raise_objection, data["text"])


@blp.route("/lots/<int:lot_id>/hall/objections/<int:objection_id>/answer")
class AnswerResource(MethodView):
    @login_required
    @blp.arguments(HallAnswerIn)
    @blp.response(200, HallOut)
    def post(self, data: dict[str, Any], lot_id: int, objection_id: int) -> Any:
        """Staff answer an objection in the hall."""
        lot = get_lot(lot_id)
        objection = db.session.get(OpeningObjection, objection_id)
        opening = hall.get_opening(lot)
        if objection is None or opening is None or objection.opening_id != opening.id:
            raise NotFound(_("异议不存在。"))
        hall.answer_objection(objection, current_user, data["answer"])
        db.session.commit()
        return hall.hall_state(lot)


@blp.route("/lots/<int:lot_id>/hall/record/sign")
class SignRecordResource(MethodView):
    @login_required
    @blp.response(200, HallOut)
    def post(self, lot_id: int) -> Any:
        """Staff sign the opening record (HTML and PDF generated and stored)."""
        return _hall_command(lot_id, opening_record.sign_record)


@blp.route("/lots/<int:lot_id>/hall/record/publish")
class PublishRecordResource(MethodView):
    @login_required
    @blp.response(200, HallOut)
    def post(self, lot_id: int) -> Any:
        """Staff publish the signed opening record."""
        return _hall_command(lot_id, opening_record.publish_record)
