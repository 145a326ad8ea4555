"""Pages of the evaluation report: the readable report (print, PDF, export) and the signing page."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.crypto import p256_key_id
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding.models import Lot
from remote_eval import flow, policies, report
from remote_eval.models import EvalReport, EvalSession, MemberStatus
from remote_eval.report_api import pdf_response

bp = Blueprint("eval_report", __name__, url_prefix="/evaluations", template_folder="templates")


def _watched(session_id: int) -> EvalSession:
    session = load_or_404(EvalSession, session_id)
    policies.ensure_can_watch(current_user, session)
    return session


def _version() -> int | None:
    raw = request.args.get("version", "")
    return int(raw) if raw.isdigit() else None


def _versions(session: EvalSession) -> list[EvalReport]:
    return list(
        db.session.execute(
            db.select(EvalReport)
            .where(EvalReport.session_id == session.id)
            .order_by(EvalReport.version.desc())
        ).scalars()
    )


def _signing_rows(session: EvalSession, rep: EvalReport, doc: dict[str, Any]) -> list[Any]:
    """One row per member who signs this version: signed, refused (with the text) or pending."""
    from remote_eval.models import Dissent

    answers = report.answers(rep)
    rows = []
    for m in doc["members"]:
        if not m["active"]:
            continue
        a = answers.get(m["id"])
        dissent = db.session.get(Dissent, a.dissent_id) if a is not None and a.refused else None
        rows.append({"member": m, "answer": a, "dissent": dissent})
    return rows


@bp.route("/<int:session_id>/report")
@login_required
def report_page(session_id: int) -> Any:
    session = _watched(session_id)
    versions = _versions(session)
    version = _version()
    rep = next((r for r in versions if r.version == version), versions[0] if versions else None)
    current = report.current_report(session)
    doc = report.body_of(rep) if rep is not None else None
    lot = db.session.get(Lot, session.lot_id)
    me = policies.active_member_of(current_user, session)
    keys_missing = [m for m in policies.acting_members(session) if not m.public_key]
    return render_template(
        "remote_eval/report.html",
        session=session,
        lot=lot,
        rep=rep,
        doc=doc,
        versions=versions,
        current=current,
        is_current=rep is not None and current is not None and rep.id == current.id,
        rows=_signing_rows(session, rep, doc) if rep is not None and doc is not None else [],
        me=me,
        is_host=policies.is_host(current_user, session),
        keys_missing=keys_missing,
        phase_label=flow.phase_label(session.phase),
        signing=session.phase.value == "signing",
    )


@bp.route("/<int:session_id>/report/generate", methods=["POST"])
@login_required
def generate(session_id: int) -> Any:
    session = load_or_404(EvalSession, session_id)
    policies.ensure_host(current_user, session)
    try:
        rep = report.generate_report(session, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("eval_report.report_page", session_id=session_id))
    db.session.commit()
    flash(_("已生成第 %(n)s 版评标报告，请评委逐一签署。", n=rep.version), "success")
    return redirect(url_for("eval_report.report_page", session_id=session_id))


@bp.route("/<int:session_id>/report.pdf")
@login_required
def report_pdf(session_id: int) -> Any:
    session = _watched(session_id)
    return pdf_response(session, report.report_or_404(session, _version()))


@bp.route("/<int:session_id>/report/export.json")
@login_required
def report_export(session_id: int) -> Any:
    session = _watched(session_id)
    rep = report.report_or_404(session, _version())
    text = json.dumps(report.export(rep), ensure_ascii=False, indent=2)
    return Response(
        text,
        mimetype="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="eval-report-{session.id}-v{rep.version}.json"'
            )
        },
    )


@bp.route("/<int:session_id>/sign")
@login_required
def sign_page(session_id: int) -> Any:
    session = load_or_404(EvalSession, session_id)
    member = policies.member_of(session, current_user)
    policies.ensure_may_act(session, member) if member is None else policies.ensure_acting_member(
        current_user, member
    )
    assert member is not None
    rep = report.current_report(session)
    doc = report.body_of(rep) if rep is not None else None
    answer = report.answers(rep).get(member.id) if rep is not None else None
    listed = None
    if doc is not None:
        listed = next((m.get("public_key") for m in doc["members"] if m["id"] == member.id), None)
    lot = db.session.get(Lot, session.lot_id)
    return render_template(
        "remote_eval/report_sign.html",
        session=session,
        lot=lot,
        member=member,
        rep=rep,
        doc=doc,
        answer=answer,
        listed_key=listed,
        signed_in=member.status == MemberStatus.SIGNED_IN,
        signing=session.phase.value == "signing" and not session.paused,
        phase_label=flow.phase_label(session.phase),
        key_id=p256_key_id,
    )
