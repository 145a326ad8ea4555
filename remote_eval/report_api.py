"""JSON API of the evaluation report and its signatures (thin: parse, load, check, call, commit).

Every call goes through `refusals.run`: a refused attempt is answered with its reason and
audited once (`eval.refused`)."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.storage import get_store
from remote_eval import committee, policies, refusals, report, signatures
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
blp.after_request(refusals.audit_other_refusals)


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

        def read() -> Any:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            rep = report.report_or_404(session, query["version"])
            return report.report_view(session, rep, current_user)

        return refusals.run("report_read", session_id, read, commit=False)

    @login_required
    @blp.response(201, ReportOut)
    def post(self, session_id: int) -> Any:
        """The host generates the report (a new version while nobody has signed)."""

        def generate() -> tuple[EvalSession, Any]:
            session = committee.get_session(session_id)
            policies.ensure_host(current_user, session)
            return session, report.generate_report(session, current_user)

        session, rep = refusals.run("report", session_id, generate)
        return report.report_view(session, rep, current_user)


@blp.route("/<int:session_id>/report/pdf")
class ReportPdfResource(MethodView):
    @login_required
    @blp.arguments(ReportQuery, location="query")
    def get(self, query: dict[str, Any], session_id: int) -> Any:
        """The report as PDF (a rendering of the signed body)."""

        def read() -> Response:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            return pdf_response(session, report.report_or_404(session, query["version"]))

        return refusals.run("report_pdf", session_id, read, commit=False)


@blp.route("/<int:session_id>/report/export")
class ReportExportResource(MethodView):
    @login_required
    @blp.arguments(ReportQuery, location="query")
    def get(self, query: dict[str, Any], session_id: int) -> Any:
        """Body, hash, signatures and refusals: what `flask eval verify-report` checks."""

        def read() -> Any:
            session = committee.get_session(session_id)
            policies.ensure_can_watch(current_user, session)
            return report.export(report.report_or_404(session, query["version"]))

        return refusals.run("report_export", session_id, read, commit=False)


@blp.route("/<int:session_id>/signing-key")
class SigningKeyResource(MethodView):
    @login_required
    @blp.response(200, SigningKeyOut)
    def get(self, session_id: int) -> Any:
        """The caller's own wrapped key (unwrapped only in their browser, with the passphrase)."""
        return refusals.run(
            "signing_key_read",
            session_id,
            lambda: signatures.my_key(_seat(committee.get_session(session_id)), current_user),
            commit=False,
        )

    @login_required
    @blp.arguments(SigningKeyIn)
    @blp.response(201, SigningKeyOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """Store the caller's public key and passphrase-wrapped private key."""

        def register() -> EvalMember:
            return signatures.register_key(
                _seat(committee.get_session(session_id)),
                current_user,
                data["public_key"],
                data["wrapped_key"],
            )

        member = refusals.run("signing_key", session_id, register)
        return signatures.my_key(member, current_user)


@blp.route("/<int:session_id>/report/signatures")
class SignatureResource(MethodView):
    @login_required
    @blp.arguments(SignatureIn)
    @blp.response(201, AnswerOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The caller's signature of the current version, checked before it is stored."""

        def sign() -> Any:
            session = committee.get_session(session_id)
            member = policies.acting_member(session, current_user)
            return signatures.sign(session, member, data["signature"], data["sha256"])

        return refusals.run("signature", session_id, sign)


@blp.route("/<int:session_id>/report/refusal")
class RefusalResource(MethodView):
    @login_required
    @blp.arguments(RefusalIn)
    @blp.response(201, AnswerOut)
    def post(self, data: dict[str, Any], session_id: int) -> Any:
        """The caller declines to sign and writes why (a dissent that goes with the report)."""

        def refuse() -> Any:
            session = committee.get_session(session_id)
            member = policies.acting_member(session, current_user)
            return signatures.refuse(session, member, data["text"])

        return refusals.run("signature_refusal", session_id, refuse)
