"""评标报告: the report's canonical body, its versions, renderings and export.

When it is built: the host generates it (`generate_report`) once the session is in the
signing phase (评标报告签署), which it reaches only after the leader locked the summary.
It is an explicit step rather than a side effect of entering the phase so that the host
can first see that every member has created a signing key (the body lists the keys) and
regenerate while nobody has signed yet. A roll-back or a reopened review starts a new
cycle; back in the signing phase the host generates a new version, and the signatures of
the earlier version stay with it.

What members sign: the SHA-256 of `body`, the canonical JSON (keys sorted, no spaces,
UTF-8, amounts as strings) written in Chinese whatever the host's language. The HTML and
PDF are renderings of the body alone, stored in the content store. docs/evaluation-report.md
describes the body and the export that `flask eval verify-report` checks.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.crypto import canonical_json
from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from app.core.storage import get_store
from bidding.results.handoff import SignedReport
from remote_eval import actions, flow, policies, room
from remote_eval.models import Dissent, EvalMember, EvalReport, EvalSession, EvalSignature, Phase
from remote_eval.report_body import FORMAT, build_body, iso
from remote_eval.report_pdf import report_pdf

__all__ = ["FORMAT", "build_body"]
EXPORT_FORMAT = "tenderhall.eval-report-export/1"
# Members sign these ASCII bytes: the prefix, then the body's SHA-256 in lowercase hex.
# The prefix keeps a report signature from being usable as any other kind of signature.
MESSAGE_PREFIX = "tenderhall.eval-report.v1:"


def signed_message(sha256_hex: str) -> bytes:
    return (MESSAGE_PREFIX + sha256_hex).encode("ascii")


# ---------------------------------------------------------------- versions
def current_report(session: EvalSession) -> EvalReport | None:
    """The latest version reporting on the session's current cycle (the one to sign)."""
    return (
        db.session.execute(
            select(EvalReport)
            .where(EvalReport.session_id == session.id, EvalReport.cycle == session.cycle)
            .order_by(EvalReport.version.desc())
        )
        .scalars()
        .first()
    )


def latest_report(session: EvalSession) -> EvalReport | None:
    return (
        db.session.execute(
            select(EvalReport)
            .where(EvalReport.session_id == session.id)
            .order_by(EvalReport.version.desc())
        )
        .scalars()
        .first()
    )


def report_or_404(session: EvalSession, version: int | None = None) -> EvalReport:
    if version is None:
        found = latest_report(session)
    else:
        found = db.session.execute(
            select(EvalReport).where(
                EvalReport.session_id == session.id, EvalReport.version == version
            )
        ).scalar_one_or_none()
    if found is None:
        raise NotFound(_l("评标报告尚未生成。"))
    return found


def answers(report: EvalReport) -> dict[int, EvalSignature]:
    """member id → their signature or refusal on this version."""
    rows = db.session.execute(
        select(EvalSignature).where(EvalSignature.report_id == report.id)
    ).scalars()
    return {s.member_id: s for s in rows}


def missing(session: EvalSession, report: EvalReport) -> list[EvalMember]:
    """Active members who have neither signed nor refused this version."""
    done = answers(report)
    return [m for m in policies.acting_members(session) if m.id not in done]


def report_view(session: EvalSession, report: EvalReport, viewer: User) -> dict[str, Any]:
    """The report as the API and the pages show it (the caller may watch the session)."""
    policies.ensure_can_watch(viewer, session)
    current = current_report(session)
    is_current = current is not None and current.id == report.id
    return {
        "version": report.version,
        "cycle": report.cycle,
        "current": is_current,
        "sha256": report.sha256,
        "created_at": report.created_at,
        "canonical": report.body,
        "body": body_of(report),
        "answers": [
            {"member_id": a.member_id, "refused": a.refused, "at": a.at}
            for a in answers(report).values()
        ],
        "missing": [m.id for m in missing(session, report)] if is_current else [],
        "phase": session.phase.value,
    }


def body_of(report: EvalReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.body)
    return data


def generate_report(session: EvalSession, host: User) -> EvalReport:
    policies.ensure_host(host, session)
    flow.ensure_phase(session, Phase.SIGNING)
    if session.summary_locked_at is None:
        raise Conflict(_l("组长锁定汇总后才能生成评标报告。"))
    current = current_report(session)
    if current is not None and answers(current):
        raise Conflict(
            _l("已有评委签署或拒签本版评标报告，不能重新生成；如需修改请申请回退或复议。")
        )
    last = db.session.execute(
        select(func.max(EvalReport.version)).where(EvalReport.session_id == session.id)
    ).scalar()
    version = (last or 0) + 1
    with force_locale("zh_CN"):
        body = build_body(session, host, version)
        canonical = canonical_json(body)
        html = render_template("remote_eval/report_doc.html", doc=body).encode("utf-8")
        pdf = report_pdf(body)
    store = get_store()
    html_sha, _n = store.put_bytes(html)
    pdf_sha, _n = store.put_bytes(pdf)
    report = EvalReport(
        session_id=session.id,
        version=version,
        cycle=session.cycle,
        body=canonical.decode("utf-8"),
        sha256=hashlib.sha256(canonical).hexdigest(),
        html_sha256=html_sha,
        pdf_sha256=pdf_sha,
        created_by_id=host.id,
        created_at=clock.now(),
    )
    db.session.add(report)
    db.session.flush()
    record(
        actions.REPORT_GENERATED,
        report,
        {"version": version, "sha256": report.sha256, "html": html_sha, "pdf": pdf_sha},
        actor=host,
    )
    room.publish(session, "report_generated", {"version": version, "sha256": report.sha256})
    return report


def export(report: EvalReport) -> dict[str, Any]:
    """What an outside verifier needs: the exact body, its hash, every signature and refusal."""
    body = body_of(report)
    members = {m["id"]: m for m in body["members"]}
    signatures, refusals = [], []
    for member_id, answer in sorted(answers(report).items()):
        who = members.get(member_id, {})
        entry = {"member_id": member_id, "seat": who.get("seat"), "name": who.get("name")}
        if answer.refused:
            dissent = db.session.get(Dissent, answer.dissent_id)
            refusals.append(
                {**entry, "text": dissent.text if dissent else "", "at": iso(answer.at)}
            )
        else:
            signatures.append(
                {
                    **entry,
                    "public_key": answer.public_key,
                    "signature": answer.signature,
                    "signed_at": iso(answer.at),
                }
            )
    return {
        "format": EXPORT_FORMAT,
        "algorithm": "ECDSA P-256 SHA-256, signature raw r||s (IEEE P1363), base64",
        "message_prefix": MESSAGE_PREFIX,
        "sha256": report.sha256,
        "body": report.body,
        "signatures": signatures,
        "refusals": refusals,
    }


def signed_report(report: EvalReport) -> SignedReport:
    """The complete report as the input of the lot's result stages (bidding.results)."""
    from bidding.bids.models import Bid

    body = body_of(report)
    rows = {r["bid_id"]: r for r in body["results"]}
    bid_ids = [r["bid_id"] for r in body["results"]]
    rows_ = db.session.execute(select(Bid.id, Bid.supplier_id).where(Bid.id.in_(bid_ids)))
    suppliers = {bid_id: supplier_id for bid_id, supplier_id in rows_}

    def score(value: Any) -> str | None:
        return None if value is None else str(value)

    candidates = [
        {
            "rank": c["order"],
            "bid_id": c["bid_id"],
            "supplier_id": suppliers.get(c["bid_id"]),
            "supplier_name": c["name"],
            "price": c["price"],
            "total": score(c["total"]),
            "price_score": score(rows.get(c["bid_id"], {}).get("price_score")),
            "technical": score(rows.get(c["bid_id"], {}).get("technical")),
            "commercial": score(rows.get(c["bid_id"], {}).get("commercial")),
        }
        for c in body["candidates"]
    ]
    rejected = [
        {
            "bid_id": r["bid_id"],
            "supplier_id": suppliers.get(r["bid_id"]),
            "supplier_name": r["name"],
            "reason": r["reason"] or "",
        }
        for r in body["rejected"]
    ]
    received = {b["bid_id"]: b.get("received_at") for b in body.get("bidders", [])}
    valid = [
        {
            "bid_id": r["bid_id"],
            "supplier_id": suppliers.get(r["bid_id"]),
            "supplier_name": r["name"],
            "price": r["price"],
            "received_at": received.get(r["bid_id"]),
            "total": score(r.get("total")),
            "price_score": score(r.get("price_score")),
            "technical": score(r.get("technical")),
            "commercial": score(r.get("commercial")),
        }
        for r in body["results"]
        if r.get("valid")
    ]
    return SignedReport(
        source=f"eval_report:{report.id}",
        sha256=report.sha256,
        pdf_sha256=report.pdf_sha256,
        at=clock.now(),
        candidates=candidates,
        rejected=rejected,
        valid=valid,
    )
