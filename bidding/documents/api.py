"""JSON API for tender documents, downloads, clarifications, Q&A and objections."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core import clock
from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.core.extensions import db
from app.core.http import client_info
from bidding.documents import (
    clarifications,
    downloads,
    objections,
    policies,
    queries,
    questions,
    versions,
)
from bidding.documents.files import stage_file
from bidding.documents.models import Objection, ObjectionStatus, Question
from bidding.documents.schemas import (
    ClarificationForm,
    ClarificationOut,
    ClarificationPlanOut,
    DocAnswerIn,
    DocFileForm,
    DocTextIn,
    DocumentForm,
    DocumentOut,
    DownloaderOut,
    ObjectionOut,
    QuestionOut,
    SupplierLotOut,
)
from bidding.documents.views import document_response
from bidding.policies import can_manage_lot, can_supervise_lot
from bidding.projects import get_lot, get_lot_to_manage

blp = Blueprint(
    "bidding_docs_api",
    __name__,
    url_prefix="/api/v1",
    description="Tender documents, downloads, clarifications, Q&A and objections",
)


def _objection_out(obj: Objection, *, show_supplier: bool) -> dict[str, Any]:
    overdue = obj.status == ObjectionStatus.PENDING and clock.now() >= obj.answer_due_at
    return {
        "id": obj.id,
        "lot_id": obj.lot_id,
        "text": obj.text,
        "filed_at": obj.filed_at,
        "answer_due_at": obj.answer_due_at,
        "answer": obj.answer,
        "answered_at": obj.answered_at,
        "status": obj.status.value,
        "overdue": overdue,
        "supplier_name": obj.supplier.name if show_supplier else None,
    }


# --------------------------------------------------------------------------- documents


@blp.route("/lots/<int:lot_id>/documents")
class DocumentsResource(MethodView):
    @login_required
    @blp.response(200, DocumentOut(many=True))
    def get(self, lot_id: int) -> Any:
        """All versions of the lot's tender documents, newest first."""
        lot = get_lot(lot_id)
        policies.ensure_lot_readable(current_user, lot)
        return queries.documents_of(lot)

    @login_required
    @blp.arguments(DocumentForm, location="form")
    @blp.arguments(DocFileForm, location="files")
    @blp.response(201, DocumentOut)
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """Upload a new version (multipart: `file`, optional `note`). Staff of the agency only.

        Limits: MAX_DOCUMENT_BYTES and ALLOWED_DOCUMENT_EXTENSIONS; an empty, oversized or
        wrongly typed file is refused with 422 and nothing is stored.
        """
        lot = get_lot_to_manage(current_user, lot_id)
        upload = files.get("file")
        staged = stage_file(upload.stream if upload else None, upload.filename if upload else "")
        doc = versions.upload_document(lot, current_user, staged, form.get("note", ""))
        db.session.commit()
        return doc


@blp.route("/lots/<int:lot_id>/documents/latest")
class LatestDocumentResource(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "The current version's bytes"}})
    def get(self, lot_id: int) -> Any:
        """Download the current version as a supplier (recorded; hash checked)."""
        lot = get_lot(lot_id)
        client = client_info()
        doc = downloads.download_document(
            lot,
            current_user,
            ip=client.ip,
            user_agent=client.user_agent,
        )
        db.session.commit()
        return document_response(doc)


@blp.route("/lots/<int:lot_id>/documents/<int:version>")
class DocumentVersionResource(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "That version's bytes"}})
    def get(self, lot_id: int, version: int) -> Any:
        """Fetch any version as staff of the agency or a supervisor (not a supplier download)."""
        lot = get_lot(lot_id)
        doc = versions.staff_fetch(lot, current_user, version)
        return document_response(doc)


@blp.route("/lots/<int:lot_id>/downloaders")
class DownloadersResource(MethodView):
    @login_required
    @blp.response(200, DownloaderOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Who downloaded the documents: refused to everyone before the bid deadline."""
        lot = get_lot(lot_id)
        return downloads.list_downloaders(lot, current_user)


@blp.route("/supplier/lots")
class SupplierLotsResource(MethodView):
    @login_required
    @blp.response(200, SupplierLotOut(many=True))
    def get(self) -> Any:
        """Lots whose documents the supplier's organisation downloaded (我的投标项目)."""
        return downloads.supplier_lots(current_user)


# --------------------------------------------------------------------------- clarifications


@blp.route("/lots/<int:lot_id>/clarifications")
class ClarificationsResource(MethodView):
    @login_required
    @blp.response(200, ClarificationOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Published clarification/amendment notices of the lot, newest first."""
        lot = get_lot(lot_id)
        policies.ensure_lot_readable(current_user, lot)
        return clarifications.clarifications_of(lot)

    @login_required
    @blp.arguments(ClarificationForm, location="form")
    @blp.arguments(DocFileForm, location="files")
    @blp.response(201, ClarificationOut)
    @blp.alt_response(409, description="deadline_must_move: confirm with new_deadline")
    def post(self, form: dict[str, Any], files: dict[str, Any], lot_id: int) -> Any:
        """Publish a clarification (multipart: title, body, optional file and new_deadline).

        Less than CLARIFICATION_MIN_DAYS before the deadline the answer is 409 with
        error "deadline_must_move" and `proposed_deadline`; repeat the call with
        `new_deadline` set to that date or a later one to confirm.
        """
        lot = get_lot_to_manage(current_user, lot_id)
        upload = files.get("file")
        staged = stage_file(upload.stream, upload.filename) if upload else None
        ann = clarifications.publish_clarification(
            lot,
            current_user,
            title=form["title"],
            body=form["body"],
            staged=staged,
            new_deadline=form.get("new_deadline"),
        )
        db.session.commit()
        return ann


@blp.route("/lots/<int:lot_id>/clarifications/plan")
class ClarificationPlanResource(MethodView):
    @login_required
    @blp.response(200, ClarificationPlanOut)
    def get(self, lot_id: int) -> Any:
        """Whether a clarification published now must move the deadline, and to when."""
        lot = get_lot_to_manage(current_user, lot_id)
        return clarifications.plan_clarification(lot)


# --------------------------------------------------------------------------- Q&A


@blp.route("/lots/<int:lot_id>/questions")
class QuestionsResource(MethodView):
    @login_required
    @blp.response(200, QuestionOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Staff: every question. Downloaders: published answers plus their own pending ones."""
        lot = get_lot(lot_id)
        if can_manage_lot(current_user, lot):
            return questions.all_questions(lot, current_user)
        if can_supervise_lot(current_user, lot):
            return questions.published_questions(lot)
        policies.ensure_downloader(current_user, lot)
        return questions.published_questions(lot) + questions.own_pending_questions(
            lot, current_user
        )

    @login_required
    @blp.arguments(DocTextIn)
    @blp.response(201, QuestionOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """Ask a question on the documents (suppliers that downloaded them)."""
        lot = get_lot(lot_id)
        q = questions.ask_question(lot, current_user, data["text"])
        db.session.commit()
        return q


@blp.route("/questions/<int:qid>/answer")
class AnswerResource(MethodView):
    @login_required
    @blp.arguments(DocAnswerIn)
    @blp.response(200, QuestionOut)
    def post(self, data: dict[str, Any], qid: int) -> Any:
        """Answer a question; the answer is published anonymously to every downloader."""
        q: Question = questions.get_question(qid)
        questions.answer_question(q, current_user, data["answer"])
        db.session.commit()
        return q


# --------------------------------------------------------------------------- objections


@blp.route("/lots/<int:lot_id>/objections")
class ObjectionsResource(MethodView):
    @login_required
    @blp.response(200, ObjectionOut(many=True))
    def get(self, lot_id: int) -> Any:
        """Staff and supervisors: all objections (objector named only after the deadline).
        Suppliers: their own."""
        lot = get_lot(lot_id)
        if policies.can_inspect_lot(current_user, lot):
            show = policies.objector_visible(lot)
            rows = objections.objections_of(lot)
            return [_objection_out(o, show_supplier=show) for o in rows]
        if current_user.role != Role.SUPPLIER:
            raise Forbidden(policies.NO_ACCESS)
        return [
            _objection_out(o, show_supplier=True)
            for o in objections.own_objections(lot, current_user)
        ]

    @login_required
    @blp.arguments(DocTextIn)
    @blp.response(201, ObjectionOut)
    def post(self, data: dict[str, Any], lot_id: int) -> Any:
        """File an objection (异议) to the documents; suspends the lot until it is answered."""
        lot = get_lot(lot_id)
        obj = objections.file_objection(lot, current_user, data["text"])
        db.session.commit()
        return _objection_out(obj, show_supplier=True)


@blp.route("/objections/<int:oid>/answer")
class ObjectionAnswerResource(MethodView):
    @login_required
    @blp.arguments(DocAnswerIn)
    @blp.response(200, ObjectionOut)
    def post(self, data: dict[str, Any], oid: int) -> Any:
        """Answer an objection; the lot resumes once no objection is pending."""
        obj = objections.get_objection(oid)
        objections.answer_objection(obj, current_user, data["answer"])
        db.session.commit()
        return _objection_out(obj, show_supplier=policies.objector_visible(obj.lot))
