"""What the result pages and the API show of a lot's result, per viewer."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _

from app.core import clock
from app.core.auth.models import User
from app.core.errors import Forbidden
from bidding import clocks
from bidding.bids import freeze
from bidding.labels import status_label
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot
from bidding.results import award, contracts, failure, filings, negotiation, policies, rules
from bidding.results.handoff import result_of
from bidding.results.labels import FILING_LABELS, FILING_STATUS_LABELS, notice_label
from bidding.results.models import FilingKind, FilingStatus, ResultFiling


def filing_view(f: ResultFiling, *, named: bool) -> dict[str, Any]:
    return {
        "id": f.id,
        "lot_id": f.lot_id,
        "kind": f.kind.value,
        "kind_label": str(FILING_LABELS[f.kind.value]),
        "supplier_name": f.supplier.name if named else None,
        "follows_id": f.follows_id,
        "text": f.text,
        "attachments": f.attachments,
        "filed_at": f.filed_at,
        "due_at": f.due_at,
        "status": f.status.value,
        "status_label": str(FILING_STATUS_LABELS[f.status.value]),
        "overdue": f.status == FilingStatus.PENDING and clock.now() > f.due_at,
        "answer": f.answer,
        "answered_at": f.answered_at,
    }


def lot_ref(lot: Lot | None) -> dict[str, Any] | None:
    if lot is None:
        return None
    return {
        "id": lot.id,
        "code": lot.code,
        "name": lot.name,
        "status_label": status_label(lot.status),
    }


def failure_view(lot: Lot, manage: bool) -> dict[str, Any]:
    """A failed lot: why, its notice, what may be done; any lot: the lot it tenders again."""
    failed = lot.status == LotStatus.FAILED
    notice = failure.failure_notice(lot) if failed else None
    return {
        "failed": failed,
        "failure_stage": failure.failure_stage(lot) if failed else None,
        "failure_reason": lot.status_reason if failed else None,
        "failure_notice_id": notice.id if notice is not None else None,
        "retendered_as": lot_ref(freeze.retendered_as(lot)) if failed else None,
        "retendered_from": lot_ref(freeze.retendered_from(lot)),
        "actions": {
            "announce_failure": manage and failure.announcement_refusal(lot) is None,
            "retender": manage and freeze.retender_refusal(lot) is None,
        },
    }


def result_view(lot: Lot, user: User) -> dict[str, Any]:
    """The lot's result for the agency, the centre's overseers and the lot's bidders."""
    staff = policies.can_read_result(user, lot)
    bidder = policies.is_bidder(user, lot)
    if not (staff or bidder):
        raise Forbidden(policies.NO_ACCESS)
    result = result_of(lot)
    manage = can_manage_lot(user, lot)
    out: dict[str, Any] = {
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "project_name": lot.project.name,
        "status": lot.status.value,
        "status_label": status_label(lot.status),
        "procurement": rules.is_procurement(lot),
        "contract_notice_days": rules.period(
            lot, "contract_notice_working_days", clocks.DEFAULT_CONTRACT_NOTICE_WORKING_DAYS
        ),
        # 中标 or 成交, and whether candidates are published before the award: the method's.
        "words": {k: _(v) for k, v in asdict(rules.words(lot)).items()},
        "candidate_publicity": rules.has_candidate_publicity(lot),
        "received": result is not None,
        "viewer": "staff" if staff else "bidder",
        **failure_view(lot, manage),
    }
    # 单一来源: the recorded price negotiation stands in for the evaluation report.
    out["negotiated"] = negotiation.negotiated(lot)
    out["negotiation"] = negotiation.negotiation_view(lot) if out["negotiated"] else None
    out["actions"] = {
        **out["actions"],
        "negotiate": manage and out["negotiated"] and negotiation.refusal(lot) is None,
    }
    if result is None:
        return out
    public = result.publicity_id is not None or result.result_id is not None
    reasons = rules.pass_over_labels(lot)
    out.update(
        {
            "report_sha256": result.report_sha256 if staff else None,
            "report_at": result.report_at,
            "publish_by": result.publish_by if staff else None,
            "publicity_days": rules.publicity_days(lot),
            "candidates": result.candidates if staff or public else [],
            "rejected": result.rejected if staff or public else [],
            "publicity_id": result.publicity_id,
            "publicity_start": result.publicity_start,
            "publicity_end": result.publicity_end,
            "awarded_at": result.awarded_at,
            "winner_name": result.winner.name if result.winner else None,
            "winner_rank": result.winner_rank,
            "award_price": str(result.award_price) if result.award_price is not None else None,
            "passed_over": [
                {**p, "reason_label": reasons[p["reason"]]} for p in result.passed_over
            ],
            "result_id": result.result_id,
            "contract_due": result.contract_due,
            "winner_supplier_id": result.winner_supplier_id,
        }
    )
    rows = filings.filings_for(lot, user)
    out["filings"] = [
        {
            **filing_view(f, named=staff or f.supplier_id == user.organisation_id),
            "can_answer": f.status == FilingStatus.PENDING and policies.can_answer(user, f),
        }
        for f in rows
    ]
    out["notices"] = [
        {
            "id": n.id,
            "kind": n.kind.value,
            "kind_label": notice_label(n.kind.value, lot.project.method),
            "supplier_name": n.supplier.name,
            "issued_at": n.issued_at,
            "pdf_sha256": n.pdf_sha256,
        }
        for n in award.notices_for(lot, user, all_=staff)
    ]
    out["contracts"] = [
        {
            "id": c.id,
            "amends_id": c.amends_id,
            "number": c.number,
            "supplier_name": c.supplier.name,
            "price": str(c.price),
            "signed_on": c.signed_on.isoformat(),
            "reason": c.reason,
            "filename": c.filename,
            "sha256": c.sha256,
            "filed_at": c.filed_at,
            "announcement_id": c.announcement_id,
            "notice_due": due,
            "notice_late": due is not None and c.filed_at >= due,
        }
        for c in (contracts.contracts_of(lot) if staff or bidder else [])
        for due in [contracts.notice_due(lot, c)]
    ]
    pending_objections = filings.pending_count(lot, FilingKind.OBJECTION, FilingKind.COMPLAINT)
    now = clock.now()
    out["actions"] = {
        **out["actions"],
        "publish": manage and lot.status == LotStatus.EVALUATED and out["candidate_publicity"],
        "award": manage and award.award_refusal(lot, result, now) is None,
        "award_waits_for": pending_objections,
        "contract": policies.can_file_contract(user, lot) and lot.status == LotStatus.AWARDED,
        "amend": policies.can_file_contract(user, lot) and lot.status == LotStatus.CONTRACTED,
        "object": bidder and lot.status == LotStatus.PUBLICITY,
        "challenge": bidder and rules.is_procurement(lot) and result.awarded_at is not None,
        "complain": bidder
        and any(
            f.kind != FilingKind.COMPLAINT and (f.status == FilingStatus.ANSWERED or now > f.due_at)
            for f in rows
        ),
    }
    out["pass_over_reasons"] = [
        {"code": k, "label": v} for k, v in rules.pass_over_labels(lot).items()
    ]
    return out
