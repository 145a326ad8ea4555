"""JSON API of the result stages: publicity, filings, award, notices, contracts."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_babel import lazy_gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Forbidden, NotFound
from app.core.extensions import db
from app.core.storage import get_store
from bidding.projects import get_lot
from bidding.results import (
    award,
    contracts,
    failure,
    filings,
    negotiation,
    notices,
    policies,
    publicity,
    queries,
)
from bidding.results.models import ResultNotice
from bidding.results.schemas import (
    ResultAmendmentForm,
    ResultAnnouncementRef,
    ResultAnswerIn,
    ResultAwardIn,
    ResultContractForm,
    ResultContractOut,
    ResultFailureIn,
    ResultFileForm,
    ResultFilingFiles,
    ResultFilingForm,
    ResultFilingOut,
    ResultNegotiationIn,
    ResultNegotiationOut,
    ResultNoticeExportOut,
    ResultOut,
    ResultPublicityIn,
)

blp = Blueprint(
    "results_api",
    __name__,
    url_prefix="/api/v1",
    description="Result stages: candidate publicity, objections, challenges, complaints, "
    "award, notices and contracts",
)


def _filing_out(filing: Any) -> dict[str, Any]:
    named = policies.can_read_result(current_user, filing.lot) or (
        filing.supplier_id == current_user.organisation_id
    )
    return queries.filing_view(filing, named=named)


@blp.route("/lots/<int:lot_id>/result")
class ResultResource(MethodView):
    @login_required
    @blp.response(200, ResultOut)
    def get(self, lot_id: int) -> Any:
        """The lot's result: staff and the centre's supervisors see all; a bidder sees the
        published candidates, its own filings and its own notice."""
        return queries.result_view(get_lot(lot_id), current_user)


@blp.route("/lots/<int:lot_id>/result/publicity")
class PublicityResource(MethodView):
    @login_required
    @blp.arguments(ResultPublicityIn)
    @blp.response(201, ResultAnnouncementRef)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Publish the candidate publicity (中标候选人公示) from the signed report."""
        ann = publicity.publish_publicity(get_lot(lot_id), current_user, data.get("days"))
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/result/negotiation")
class ResultNegotiationResource(MethodView):
    @login_required
    @blp.response(200, ResultNegotiationOut)
    def get(self, lot_id: int) -> Any:
        """单一来源: the recorded price negotiation (staff and the centre's overseers)."""
        lot = get_lot(lot_id)
        policies.ensure_can_read_result(current_user, lot)
        view = negotiation.negotiation_view(lot)
        if view is None:
            raise NotFound(_("该标段尚未记录价格谈判。"))
        return view

    @login_required
    @blp.arguments(ResultNegotiationIn)
    @blp.response(201, ResultNegotiationOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """单一来源: record the price negotiated with the one supplier and the minutes; the
        lot's result follows (evaluation ended, candidate publicity due)."""
        lot = get_lot(lot_id)
        negotiation.record_negotiation(current_user, lot, data["price"], data["minutes"])
        db.session.commit()
        return negotiation.negotiation_view(lot)


@blp.route("/lots/<int:lot_id>/result/failure")
class FailureResource(MethodView):
    @login_required
    @blp.arguments(ResultFailureIn)
    @blp.response(201, ResultAnnouncementRef)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Publish the failed lot's 流标/废标公告 with its reason (the recorded one by
        default); the lot may then be tendered again (`POST /lots/<id>/retender`)."""
        ann = failure.announce_failure(
            get_lot(lot_id), current_user, data.get("reason"), data.get("next_step")
        )
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/result/filings")
class FilingsResource(MethodView):
    @login_required
    @blp.response(200, ResultFilingOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Staff and the centre's supervisors: every filing; a bidder: its own."""
        lot = get_lot(lot_id)
        policies.ensure_can_follow_result(current_user, lot)
        return [_filing_out(f) for f in filings.filings_for(lot, current_user)]

    @login_required
    @blp.arguments(ResultFilingForm, location="form")
    @blp.arguments(ResultFilingFiles, location="files")
    @blp.response(201, ResultFilingOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """A bidder files an objection (异议), a challenge (质疑) or a complaint (投诉)."""
        lot = get_lot(lot_id)
        follows = None
        if form.get("follows_id"):
            follows = filings.get_filing(form["follows_id"], current_user)
        uploads = [(f.filename or "", f.stream) for f in files.get("attachments") or []]
        filing = filings.file_filing(
            lot, current_user, form["kind"], form["text"], attachments=uploads, follows=follows
        )
        db.session.commit()
        return _filing_out(filing)


@blp.route("/result-filings/<int:filing_id>")
class FilingResource(MethodView):
    @login_required
    @blp.response(200, ResultFilingOut)
    def get(self, filing_id: int) -> Any:
        return _filing_out(filings.get_filing(filing_id, current_user))


@blp.route("/result-filings/<int:filing_id>/answer")
class FilingAnswerResource(MethodView):
    @login_required
    @blp.arguments(ResultAnswerIn)
    @blp.response(200, ResultFilingOut)
    def post(self, data: dict[str, Any], filing_id: int) -> Any:
        """The agency answers an objection or challenge; a supervisor decides a complaint."""
        filing = filings.get_filing(filing_id, current_user)
        filings.answer_filing(filing, current_user, data["answer"])
        db.session.commit()
        return _filing_out(filing)


@blp.route("/lots/<int:lot_id>/result/award")
class AwardResource(MethodView):
    @login_required
    @blp.arguments(ResultAwardIn)
    @blp.response(201, ResultAnnouncementRef)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Confirm the winner, publish the result and issue the notices."""
        ann = award.confirm_award(
            get_lot(lot_id), current_user, rank=data["rank"], passed_over=data["passed_over"]
        )
        db.session.commit()
        return ann


def _notice(notice_id: int) -> ResultNotice:
    notice = db.session.get(ResultNotice, notice_id)
    if notice is None:
        raise NotFound(policies.NO_ACCESS)
    lot = get_lot(notice.lot_id)
    mine = current_user.organisation_id == notice.supplier_id
    if not (mine or policies.can_read_result(current_user, lot)):
        raise Forbidden(policies.NO_ACCESS)
    return notice


@blp.route("/result-notices/<int:notice_id>")
class NoticeResource(MethodView):
    @login_required
    @blp.response(200, ResultNoticeExportOut)
    def get(self, notice_id: int) -> Any:
        """The signed description of a notice, to verify offline with the platform key."""
        return notices.export(_notice(notice_id))


@blp.route("/result-notices/<int:notice_id>/pdf")
class NoticePdfResource(MethodView):
    @login_required
    @blp.response(200, content_type="application/pdf")
    def get(self, notice_id: int) -> Any:
        notice = _notice(notice_id)
        data = get_store().open(notice.pdf_sha256).read()
        return send_file(
            io.BytesIO(data), mimetype="application/pdf", download_name=f"notice-{notice.id}.pdf"
        )


@blp.route("/lots/<int:lot_id>/result/contracts")
class ContractsResource(MethodView):
    @login_required
    @blp.response(200, ResultContractOut(many=True))
    def get(self, lot_id: int) -> Any:
        lot = get_lot(lot_id)
        policies.ensure_can_follow_result(current_user, lot)
        return contracts.contracts_of(lot)

    @login_required
    @blp.arguments(ResultContractForm, location="form")
    @blp.arguments(ResultFileForm, location="files")
    @blp.response(201, ResultContractOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """File the signed contract (合同备案); checked against the award."""
        upload = files.get("file")
        row = contracts.file_contract(
            get_lot(lot_id),
            current_user,
            number=form["number"],
            lot_code=form["lot_code"],
            supplier_id=form["supplier_id"],
            price=form["price"],
            signed_on=form["signed_on"],
            filename=upload.filename if upload else "",
            stream=upload.stream if upload else None,
        )
        db.session.commit()
        return row


@blp.route("/lots/<int:lot_id>/result/contracts/amendments")
class AmendmentsResource(MethodView):
    @login_required
    @blp.arguments(ResultAmendmentForm, location="form")
    @blp.arguments(ResultFileForm, location="files")
    @blp.response(201, ResultContractOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """File a change to the contract with its reason."""
        upload = files.get("file")
        row = contracts.amend_contract(
            get_lot(lot_id),
            current_user,
            reason=form["reason"],
            price=form["price"],
            signed_on=form["signed_on"],
            filename=upload.filename if upload else "",
            stream=upload.stream if upload else None,
        )
        db.session.commit()
        return row
