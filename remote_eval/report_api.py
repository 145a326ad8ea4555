"""JSON API of the evaluation report and its signatures (thin: parse, load, check, call, commit)."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import committee, policies, report, signatures
from remote_eval.models import EvalMember, EvalSession
from remote_eval.report_schemas import (
    AnswerOut,
    RefusalIn,
    ReportOut,
    ReportQuery,
    SignatureIn,
    SigningKeyIn,
    SigningKeyOut,
)

blp = Blueprint(
    "eval_report_api",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Evaluation report (评标报告), signing keys and signatures",
)


def _seat(session: EvalSession) -> EvalMember:
    """The caller's own seat (signed in or not): keys can be made before the signing phase."""
    member = policies.member_of(session, current_user)
    if member is None:
        return policies.ensure_may_act(session, None)
    policies.ensure_acting_member(current_user, member)
    return member


def pdf_response(session: EvalSession, rep: Any) -> Response:
    lot_code = session.lot_id
    return send_file(
        get_store().open(rep.pdf_sha256),
        mimetype="application/pdf",
        download_name=f"eval-report-{lot_code}-v{rep.version}.pdf",
        max_age=0,
    )


@blp.route("/<int:session_id>/report")
class ReportResource(MethodView):
    @login_required
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ReportOut)
    def get(self, query: dict[str, Any], session_id: int) -> Any:
        """The report (latest version, or `version`): its signed text, content and answers."""
        session = committee.get_session(session_id)
        policies.ensure_can_watch(current_user, session)
        rep = report.report_or_404(session, query["version"])
        return report.report_view(session, rep, current_user)

    @login_required
    @blp.response(201, ReportOut)
    def post(self, session_id: int) -> Any:
        """The host generates the report (a new version while nobody has signed)."""
        session = committee.get_session(session_id)
        policies.ensure_host(current_user, session)
        rep = report.generate_report(session, current_user)
        db.session.commit()
        return report.report_view(session, rep, current_user)


@blp.route("/<int:session_id>/report/pdf")
class ReportPdfResource(MethodView):
    @login_required
    @blp.arguments(ReportQuery, location="query")
    def get(self, query: dict[str, Any], session_id: int) -> Any:
        """The report as PDF (a rendering of the signed body)."""
        session = committee.get_session(session_id)
        policies.ensure_can_watch(current_user, session)
        return pdf_response(session, report.report_or_404(session, query["version"]))


@blp.route("/<int:session_id>/report/export")
class ReportExportResource(MethodView):
    @login_required
    @blp.arguments(ReportQuery, location="query")
    def get(self, query: dict[str, Any], session_id: int) -> Any:
        """Body, hash, signatures and refusals: what `flask eval verify-report` checks."""
        session = committee.get_session(session_id)
        policies.ensure_can_watch(current_user, session)
        return report.export(report.report_or_404(session, query["version"]))


@blp.route("/<int:session_id>/signing-key")
class SigningKeyResource(MethodView):
    @login_required
    @blp.response(200, SigningKeyOut)
    def get(self, session_id: int) -> Any:
        """The caller's own wrapped key (unwrapped only in their browser, with the passphrase)."""
        session = committee.get_session(session_id)
        return signatures.my_key(_seat(session), current_user)

    @login_required
    @blp.arguments(SigningKeyIn)
    @blp.response(201, SigningKeyOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Store the caller's public key and passphrase-wrapped private key."""
        session = committee.get_session(session_id)
        member = signatures.register_key(
            _seat(session), current_user, data["public_key"], data["wrapped_key"]
        )
        db.session.commit()
        return signatures.my_key(member, current_user)


@blp.route("/<int:session_id>/report/signatures")
class SignatureResource(MethodView):
    @login_required
    @blp.arguments(SignatureIn)
    @blp.response(201, AnswerOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The caller's signature of the current version, checked before it is stored."""
        session = committee.get_session(session_id)
        member = policies.acting_member(session, current_user)
        row = signatures.sign(session, member, data["signature"], data["sha256"])
        db.session.commit()
        return row


@blp.route("/<int:session_id>/report/refusal")
class RefusalResource(MethodView):
    @login_required
    @blp.arguments(RefusalIn)
    @blp.response(201, AnswerOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The caller declines to sign and writes why (a dissent that goes with the report)."""
        session = committee.get_session(session_id)
        member = policies.acting_member(session, current_user)
        row = signatures.refuse(session, member, data["text"])
        db.session.commit()
        return row
