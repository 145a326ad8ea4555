"""Pages: the supplier's lots and lot page, and staff pages for documents, clarifications,
questions and objections of a lot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer

from app.core import clock, formatting
from app.core.auth.models import Role
from app.core.auth.policies import require_role
from app.core.errors import DomainError, Forbidden, ValidationError
from app.core.extensions import db
from app.core.http import client_info
from app.core.storage import get_store
from bidding import hooks
from bidding.documents import (
    clarifications,
    downloads,
    objections,
    policies,
    queries,
    questions,
    versions,
)
from bidding.documents.errors import DeadlineMustMove
from bidding.documents.files import StagedFile, stage_file
from bidding.documents.models import ObjectionStatus, TenderDocument
from bidding.models import Lot
from bidding.policies import can_manage_lot
from bidding.projects import get_lot, get_lot_to_manage

bp = Blueprint("bidding_docs", __name__, template_folder="templates")


# --------------------------------------------------------------------------- helpers


def document_response(doc: TenderDocument) -> Response:
    """Stream the stored bytes, re-hashing them on the way out."""
    store = get_store()
    ascii_name = doc.filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(doc.filename)}"
    resp = Response(
        store.iter_verified(doc.sha256),
        mimetype="application/octet-stream",
        direct_passthrough=True,
    )
    resp.headers["Content-Disposition"] = disposition
    resp.headers["Content-Length"] = str(doc.size)
    resp.headers["X-Content-SHA256"] = doc.sha256
    resp.headers["X-Document-Version"] = str(doc.version)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _staged_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="staged-document")


def _sign_staged(staged: StagedFile, lot: Lot) -> str:
    return str(
        _staged_serializer().dumps(
            {"sha": staged.sha256, "size": staged.size, "name": staged.filename, "lot": lot.id}
        )
    )


def _unsign_staged(token: str, lot: Lot) -> StagedFile | None:
    if not token:
        return None
    try:
        data = _staged_serializer().loads(token)
    except BadSignature:
        raise ValidationError(_l("上传的文件凭据无效，请重新选择文件。"), field="file") from None
    if data.get("lot") != lot.id or not get_store().exists(data["sha"]):
        raise ValidationError(_l("上传的文件凭据无效，请重新选择文件。"), field="file")
    return StagedFile(sha256=data["sha"], size=int(data["size"]), filename=data["name"])


# --------------------------------------------------------------------------- supplier pages


@bp.route("/supplier/lots")
@require_role(Role.SUPPLIER)
def supplier_lots() -> Any:
    lots = downloads.supplier_lots(current_user)
    return render_template("bidding/doc_supplier_lots.html", lots=lots)


def _supplier_lot_page(lot: Lot, status: int = 200) -> Any:
    user = current_user
    downloaded = False
    org_error = None
    try:
        org = policies.ensure_supplier_org(user)
        downloaded = queries.has_downloaded(lot, org)
    except DomainError as exc:
        org_error = str(exc.message)
    refusal = downloads.download_refusal(lot, user)
    return (
        render_template(
            "bidding/doc_supplier_lot.html",
            lot=lot,
            document=queries.current_document(lot),
            documents=queries.documents_of(lot),
            refusal=str(refusal.message) if refusal else None,
            org_error=org_error,
            downloaded=downloaded,
            clarifications=clarifications.clarifications_of(lot),
            questions=questions.published_questions(lot) if downloaded else [],
            pending=questions.own_pending_questions(lot, user) if downloaded else [],
            objections=objections.own_objections(lot, user),
            objection_last=objections.objection_last_moment(lot),
            # A method with a publicity (单一来源) takes objections from any supplier.
            objection_publicity=objections.publicity_days(lot),
            objection_open=(downloaded or objections.publicity_days(lot) > 0)
            and objections.objection_window_open(lot),
            objection_answer_days=objections.answer_days(lot),
            form=request.form,
        ),
        status,
    )


@bp.route("/supplier/lots/<int:lot_id>")
@require_role(Role.SUPPLIER)
def supplier_lot(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_lot_readable(current_user, lot)
    return _supplier_lot_page(lot)


@bp.route("/supplier/lots/<int:lot_id>/download")
@require_role(Role.SUPPLIER)
def supplier_download(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_lot_readable(current_user, lot)
    client = client_info()
    doc = downloads.download_document(lot, current_user, ip=client.ip, user_agent=client.user_agent)
    db.session.commit()
    return document_response(doc)


@bp.route("/supplier/lots/<int:lot_id>/questions", methods=["POST"])
@require_role(Role.SUPPLIER)
def supplier_ask(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_lot_readable(current_user, lot)
    try:
        questions.ask_question(lot, current_user, request.form.get("text", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _supplier_lot_page(lot, exc.status)
    db.session.commit()
    flash(_("问题已提交，答复将匿名发布给所有已下载招标文件的供应商。"), "success")
    return redirect(url_for("bidding_docs.supplier_lot", lot_id=lot.id) + "#qa")


@bp.route("/supplier/lots/<int:lot_id>/objections", methods=["POST"])
@require_role(Role.SUPPLIER)
def supplier_object(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    policies.ensure_lot_readable(current_user, lot)
    try:
        obj = objections.file_objection(lot, current_user, request.form.get("text", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _supplier_lot_page(lot, exc.status)
    due = formatting.cst_until(obj.answer_due_at)
    db.session.commit()
    flash(_("异议已提交，标段已暂停；代理机构应在 %(t)s 前答复。", t=due), "success")
    return redirect(url_for("bidding_docs.supplier_lot", lot_id=lot.id) + "#objections")


# --------------------------------------------------------------------------- staff pages


@bp.route("/staff/tender-documents")
@require_role(Role.STAFF)
def staff_lots() -> Any:
    lots = versions.managed_lots(current_user)
    return render_template("bidding/doc_staff_lots.html", lots=lots)


def _staff_documents_page(lot: Lot, status: int = 200) -> Any:
    return (
        render_template(
            "bidding/doc_staff_documents.html",
            lot=lot,
            tab="documents",
            documents=queries.documents_of(lot),
            can_upload=policies.can_upload_directly(lot),
            allowed=", ".join(current_app.config["ALLOWED_DOCUMENT_EXTENSIONS"]),
            max_mb=current_app.config["MAX_DOCUMENT_BYTES"] // (1024 * 1024),
            downloaders_visible=policies.can_list_downloaders(current_user, lot),
        ),
        status,
    )


@bp.route("/staff/lots/<int:lot_id>/documents", methods=["GET", "POST"])
@require_role(Role.STAFF)
def staff_documents(lot_id: int) -> Any:
    lot = get_lot_to_manage(current_user, lot_id)
    if request.method == "GET":
        return _staff_documents_page(lot)
    upload = request.files.get("file")
    try:
        staged = stage_file(upload.stream if upload else None, upload.filename if upload else "")
        doc = versions.upload_document(lot, current_user, staged, request.form.get("note", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _staff_documents_page(lot, exc.status)
    version = doc.version
    db.session.commit()
    flash(_("已上传招标文件第 %(v)s 版。", v=version), "success")
    return redirect(url_for("bidding_docs.staff_documents", lot_id=lot.id))


@bp.route("/staff/lots/<int:lot_id>/documents/<int:version>")
@login_required
def staff_fetch(lot_id: int, version: int) -> Any:
    lot = get_lot(lot_id)
    doc = versions.staff_fetch(lot, current_user, version)
    return document_response(doc)


@bp.route("/staff/lots/<int:lot_id>/downloaders")
@require_role(Role.STAFF, Role.SUPERVISOR)
def downloaders(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    rows = downloads.list_downloaders(lot, current_user)
    return render_template("bidding/doc_downloaders.html", lot=lot, rows=rows, tab="documents")


def _clarify_page(lot: Lot, status: int = 200, **extra: Any) -> Any:
    return (
        render_template(
            "bidding/doc_staff_clarifications.html",
            lot=lot,
            tab="clarifications",
            plan=clarifications.plan_clarification(lot),
            clarifications=clarifications.clarifications_of(lot),
            addenda=hooks.clarification_addenda(lot),
            form=request.form,
            **extra,
        ),
        status,
    )


@bp.route("/staff/lots/<int:lot_id>/clarifications", methods=["GET", "POST"])
@require_role(Role.STAFF)
def staff_clarifications(lot_id: int) -> Any:
    lot = get_lot_to_manage(current_user, lot_id)
    if request.method == "GET":
        return _clarify_page(lot)
    form = request.form
    try:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            staged: StagedFile | None = stage_file(upload.stream, upload.filename)
        else:
            staged = _unsign_staged(form.get("staged", ""), lot)
        new_deadline = None
        if form.get("new_deadline", "").strip():
            try:
                new_deadline = clock.parse_cst(form["new_deadline"])
            except ValueError:
                raise ValidationError(
                    _l("新的截止时间格式无效，应为“YYYY-MM-DD HH:MM”（北京时间）。"),
                    field="new_deadline",
                ) from None
        try:
            ann = clarifications.publish_clarification(
                lot,
                current_user,
                title=form.get("title", ""),
                body=form.get("body", ""),
                staged=staged,
                new_deadline=new_deadline,
            )
        except DeadlineMustMove as exc:
            db.session.rollback()
            return render_template(
                "bidding/doc_staff_clarify_confirm.html",
                lot=get_lot(lot_id),
                tab="clarifications",
                message=str(exc.message),
                proposed=exc.proposed,
                minimum=exc.minimum,
                title=form.get("title", ""),
                body=form.get("body", ""),
                staged=staged,
                staged_token=_sign_staged(staged, lot) if staged else "",
            ), 409
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _clarify_page(get_lot(lot_id), exc.status)
    title = ann.title
    db.session.commit()
    flash(_("澄清/更正公告“%(t)s”已发布，并已通知所有下载人。", t=title), "success")
    return redirect(url_for("bidding_docs.staff_clarifications", lot_id=lot_id))


@bp.route("/staff/lots/<int:lot_id>/questions")
@require_role(Role.STAFF)
def staff_questions(lot_id: int) -> Any:
    lot = get_lot_to_manage(current_user, lot_id)
    return render_template(
        "bidding/doc_staff_questions.html",
        lot=lot,
        tab="questions",
        questions=questions.all_questions(lot, current_user),
    )


@bp.route("/staff/questions/<int:qid>/answer", methods=["POST"])
@require_role(Role.STAFF)
def staff_answer_question(qid: int) -> Any:
    q = questions.get_question(qid)
    return _answer(
        lambda: questions.answer_question(q, current_user, request.form.get("answer", "")),
        url_for("bidding_docs.staff_questions", lot_id=q.lot_id),
        _("答复已匿名发布，并已通知所有下载人。"),
    )


@bp.route("/staff/lots/<int:lot_id>/objections")
@require_role(Role.STAFF, Role.SUPERVISOR)
def staff_objections(lot_id: int) -> Any:
    lot = get_lot(lot_id)
    if not policies.can_inspect_lot(current_user, lot):
        raise Forbidden(policies.NO_ACCESS)
    return render_template(
        "bidding/doc_staff_objections.html",
        lot=lot,
        tab="objections",
        objections=objections.objections_of(lot),
        show_supplier=policies.objector_visible(lot),
        can_answer=can_manage_lot(current_user, lot),
        pending=ObjectionStatus.PENDING,
        now_at=clock.now(),
    )


@bp.route("/staff/objections/<int:oid>/answer", methods=["POST"])
@require_role(Role.STAFF)
def staff_answer_objection(oid: int) -> Any:
    obj = objections.get_objection(oid)
    return _answer(
        lambda: objections.answer_objection(obj, current_user, request.form.get("answer", "")),
        url_for("bidding_docs.staff_objections", lot_id=obj.lot_id),
        _("异议已答复；如无其他待答复异议，标段已恢复。"),
    )


def _answer(answer: Callable[[], object], back: str, done: str) -> Any:
    """Answer a question or an objection, then back to its list with the outcome flashed."""
    try:
        answer()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(done, "success")
    return redirect(back)
