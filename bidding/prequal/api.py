"""JSON API of prequalification (资格预审): the notice, applications and receipts, the
(secret until the deadline) applicant list, members' verdicts, the conclusion, and the
passed applicants invited."""

from __future__ import annotations

from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import Conflict, Forbidden, NotFound
from app.core.extensions import db
from app.core.http import load_or_404
from app.core.storage import get_store
from bidding.documents.files import stage_file
from bidding.invitations import invitations
from bidding.invitations.schemas import InviteeOut
from bidding.prequal import applications, changes, notice, policies, review
from bidding.prequal.models import PrequalApplication
from bidding.prequal.schemas import (
    ApplicantsOut,
    ApplicationOut,
    FileForm,
    InvitePrequalifiedIn,
    PrequalCorrectionForm,
    PrequalForm,
    PrequalMemberOut,
    PrequalOut,
    PrequalVerdictIn,
    PrequalVerdictOut,
    PrequalWithdrawalIn,
)
from bidding.projects import get_lot
from bidding.schemas import AnnouncementOut

blp = Blueprint(
    "prequal_api",
    __name__,
    url_prefix="/api/v1",
    description="Prequalification (资格预审): notice, applications, review, notices, invitations",
)


def _prequal_of_lot(lot_id: int) -> Any:
    item = notice.prequal_of(get_lot(lot_id))
    if item is None:
        raise NotFound(_("本标段没有资格预审。"))
    return item


@blp.route("/lots/<int:lot_id>/prequalification")
class PrequalResource(MethodView):
    decorators = [login_required]

    @blp.response(200, PrequalOut)
    def get(self, lot_id: int) -> Any:
        """The lot's prequalification: timetable, method, status (its notice is public)."""
        return _prequal_of_lot(lot_id)

    @blp.arguments(PrequalForm, location="form")
    @blp.arguments(FileForm, location="files")
    @blp.response(201, PrequalOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """Publish the prequalification notice with the documents (multipart `file`).

        The documents must be on offer ≥ 5 days and applications due ≥ 5 days after the
        offer closes (422 with the earliest lawful date otherwise)."""
        lot = get_lot(lot_id)
        upload = files.get("file")
        staged = stage_file(upload.stream if upload else None, upload.filename if upload else "")
        item = notice.publish(current_user, lot, form, staged)
        db.session.commit()
        return item


@blp.route("/lots/<int:lot_id>/prequalification/corrections")
class CorrectionsResource(MethodView):
    decorators = [login_required]

    @blp.response(200, AnnouncementOut(many=True))
    def get(self, lot_id: int) -> Any:
        """The published corrections of the lot's prequalification notice, oldest first."""
        return changes.corrections_of(_prequal_of_lot(lot_id))

    @blp.arguments(PrequalCorrectionForm, location="form")
    @blp.arguments(FileForm, location="files")
    @blp.response(201, AnnouncementOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """Publish a correction (更正公告): new offer end, application deadline or documents.

        Refused after the application deadline or once the committee is seated (409), and
        when the clocks counted again from the correction are too short (422 with the
        earliest lawful date)."""
        item = _prequal_of_lot(lot_id)
        changes.ensure_may_correct(current_user, item)
        upload = files.get("file")
        staged = stage_file(upload.stream, upload.filename) if upload and upload.filename else None
        ann = changes.correct(current_user, item, form, staged)
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/prequalification/withdrawal")
class WithdrawalResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PrequalWithdrawalIn)
    @blp.response(201, AnnouncementOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Terminate (终止) the prequalification and the lot's tender with a public reason;
        refused once the review committee is seated (409)."""
        item = _prequal_of_lot(lot_id)
        ann = changes.withdraw(current_user, item, data["reason"])
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/prequalification/applications")
class ApplicationsResource(MethodView):
    decorators = [login_required]

    @blp.response(200, ApplicantsOut)
    def get(self, lot_id: int) -> Any:
        """How many applied; who, for supervisors, and for the agency after the deadline."""
        item = _prequal_of_lot(lot_id)
        policies.ensure_can_count_applicants(current_user, item.lot)
        rows = applications.applications(item)
        visible = policies.can_see_applicants(current_user, item)
        return {"count": len(rows), "visible": visible, "items": rows if visible else []}

    @blp.arguments(FileForm, location="files")
    @blp.response(201, ApplicationOut)
    def post(self, files: dict[str, Any], lot_id: int) -> Any:
        """Submit the supplier's application (multipart `file`): one per supplier, before
        the deadline; answered with the platform-signed receipt."""
        item = _prequal_of_lot(lot_id)
        # Refused before a byte is stored: late, second, barred (each audited).
        applications.ensure_may_apply(current_user, item)
        upload = files.get("file")
        staged = stage_file(upload.stream if upload else None, upload.filename if upload else "")
        row = applications.apply(current_user, item, staged)
        db.session.commit()
        return row


@blp.route("/lots/<int:lot_id>/prequalification/my-application")
class MyApplicationResource(MethodView):
    decorators = [login_required]

    @blp.response(200, ApplicationOut)
    def get(self, lot_id: int) -> Any:
        """The supplier's own application, its receipt and, once concluded, its outcome."""
        item = _prequal_of_lot(lot_id)
        if not policies.is_supplier(current_user):
            raise Forbidden(_("只有供应商账户有资格预审申请。"))
        row = applications.application_of(item, current_user.organisation_id)
        if row is None:
            raise NotFound(_("贵单位没有提交资格预审申请。"))
        return row


@blp.route("/lots/<int:lot_id>/prequalification/members")
class MembersResource(MethodView):
    decorators = [login_required]

    @blp.response(200, PrequalMemberOut(many=True))
    def get(self, lot_id: int) -> Any:
        """The seated review committee (the agency, its overseers and the members)."""
        item = _prequal_of_lot(lot_id)
        if policies.member_of(current_user, item) is None:
            policies.ensure_can_count_applicants(current_user, item.lot)
        return item.members


@blp.route("/prequal-applications/<int:application_id>/verdict")
class VerdictResource(MethodView):
    decorators = [login_required]

    @blp.arguments(PrequalVerdictIn)
    @blp.response(200, PrequalVerdictOut)
    def put(self, data: dict[str, Any], application_id: int) -> Any:
        """A committee member passes or fails one applicant (a fail needs the reason)."""
        row = load_or_404(PrequalApplication, application_id)
        verdict = review.give_verdict(current_user, row, data["passed"], data["reason"])
        db.session.commit()
        return verdict


@blp.route("/prequal-applications/<int:application_id>/notice.pdf")
class NoticePdfResource(MethodView):
    decorators = [login_required]

    @blp.doc(responses={"200": {"description": "The signed pass or fail notice (PDF)"}})
    def get(self, application_id: int) -> Any:
        """The applicant's signed notice (the applicant, the agency and its overseers)."""
        row = load_or_404(PrequalApplication, application_id)
        own = policies.is_supplier(current_user) and current_user.organisation_id == row.supplier_id
        if not own and not policies.can_see_applicants(current_user, row.prequal):
            raise Forbidden(_("您无权查看该通知书。"))
        if not row.notice_sha256:
            raise NotFound(_("资格审查尚未出结果。"))
        if not get_store().verify(row.notice_sha256):
            raise Conflict(_("通知书文件校验失败，请联系交易中心。"))
        path = get_store().path_for(row.notice_sha256)
        return send_file(path, mimetype="application/pdf", download_name="prequal-notice.pdf")


@blp.route("/lots/<int:lot_id>/prequalification/conclusion")
class ConclusionResource(MethodView):
    decorators = [login_required]

    @blp.response(201, ApplicationOut(many=True))
    def post(self, lot_id: int) -> Any:
        """Decide every applicant by the committee's majority and send the signed notices."""
        item = _prequal_of_lot(lot_id)
        rows = review.conclude(current_user, item)
        db.session.commit()
        return rows


@blp.route("/lots/<int:lot_id>/invitees/prequalified")
class InvitePrequalifiedResource(MethodView):
    decorators = [login_required]

    @blp.arguments(InvitePrequalifiedIn)
    @blp.response(201, InviteeOut(many=True))
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Invite the passed applicants (all unless named); one who failed is refused (409)."""
        lot = get_lot(lot_id)
        rows = invitations.invite_prequalified(
            current_user, lot, data.get("supplier_ids"), data["short_reason"]
        )
        db.session.commit()
        return rows
