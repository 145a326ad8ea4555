"""OCDS of a lot's prequalification (资格预审), as the Open Contracting guidance on
pre-qualification models it: the invitation to pre-qualify initiates the contracting
process, so the prequalification notice is the `tender` release, and since only those who
pass are invited to bid, the procurement method is 'selective' in every release of the lot.

The notice carries what 1.1 and its extensions have room for: the applicants' requirements
(`eligibilityCriteria`), the review method (selection criteria extension), the most who may
pass under 有限数量制 (second stage extension), the documents and their price (participation
fee extension), and the application deadline. A correction is the same tender as amended;
the notice that the review is over is a tenderUpdate. How many applied and how many passed
are bid statistics, given with the lot's bid counts once its bids are frozen: before the
opening the number of potential bidders is secret (招标投标法 第二十二条), and no applicant
is ever named here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from bidding.models import Announcement, Lot
from bidding.prequal.models import (
    Outcome,
    PrequalApplication,
    Prequalification,
    ReviewMethod,
)

_EXT = "https://raw.githubusercontent.com/open-contracting-extensions/"
# The community extensions below publish no versioned release: their main branch is the
# address the extension registry gives.
SELECTION_CRITERIA_EXTENSION = f"{_EXT}ocds_selectionCriteria_extension/master/extension.json"
SECOND_STAGE_EXTENSION = f"{_EXT}ocds_secondStageDescription_extension/master/extension.json"
PARTICIPATION_FEE_EXTENSION = f"{_EXT}ocds_participationFee_extension/v1.1.5/extension.json"
EXTENSIONS = [SELECTION_CRITERIA_EXTENSION, SECOND_STAGE_EXTENSION, PARTICIPATION_FEE_EXTENSION]


def with_prequalification(lots: Sequence[Lot]) -> bool:
    """Whether any of these lots chose its bidders by a prequalification."""
    if not lots:
        return False
    count = db.session.scalar(
        select(func.count(Prequalification.id)).where(
            Prequalification.lot_id.in_([lot.id for lot in lots])
        )
    )
    return bool(count)


def _time(value: Any, fallback: dt.datetime) -> dt.datetime:
    """A time as the notice stated it (stored ISO text), else the prequalification's own."""
    if isinstance(value, str) and value:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return fallback


def tender(
    a: Announcement, prequal: Prequalification, base: dict[str, Any], iso: Any, value: Any
) -> dict[str, Any]:
    """The tender of a prequalification release: `base` (ids, title, parties, amounts,
    items, lots) with the prequalification's own facts as this notice stated them."""
    f = a.fields or {}
    deadline = _time(f.get("application_deadline"), prequal.application_deadline)
    offer_start = _time(f.get("offer_start_at"), prequal.offer_start_at)
    offer_end = _time(f.get("offer_end_at"), prequal.offer_end_at)
    sha = str(f.get("document_sha256") or prequal.document_sha256)
    consortium = (
        "接受联合体申请。" if prequal.consortium_allowed else "不接受联合体申请。"
    )  # the feed is in Chinese, as the notices it carries
    # Each release tells the tender as of its own date: open to requests, then to the
    # invited (a withdrawal is the lot's termination, a cancellation release of its own).
    out = {**base, "status": "active"}
    # A lot still in preparation is already open to requests to participate.
    out["lots"] = [
        {**lot, "status": "active"} if lot.get("status") == "planning" else lot
        for lot in base.get("lots", [])
    ]
    out["submissionMethod"] = ["electronicSubmission"]
    out["submissionMethodDetails"] = prequal.submission_place
    out["eligibilityCriteria"] = f"{prequal.requirements}\n{consortium}"
    review = str(f.get("review_method") or "")
    out["selectionCriteria"] = {
        "description": review or _review_words(prequal),
    }
    if prequal.review_method == ReviewMethod.LIMITED and prequal.max_passed:
        out["secondStage"] = {"maximumCandidates": prequal.max_passed}
    # Not a 1.1 core field (core from 1.2, which the 1.1 schema's open objects admit): the
    # deadline for requests to participate, which `tenderPeriod` (the bids') is not.
    out["expressionOfInterestDeadline"] = iso(deadline)
    out["documents"] = [
        {
            "id": f"prequal-documents-{sha[:16]}",
            "documentType": "biddingDocuments",
            "title": "资格预审文件",
            "description": (
                f"资格预审文件获取期 {iso(offer_start)} 至 {iso(offer_end)}；SHA-256 {sha}"
            ),
            "datePublished": iso(offer_start),
            "language": "zh",
        }
    ]
    if prequal.document_price and Decimal(prequal.document_price) > 0:
        out["participationFees"] = [
            {
                "id": "prequal-documents",
                "type": ["document"],
                "value": value(prequal.document_price),
                "description": "资格预审文件售价",
            }
        ]
    return out


def _review_words(prequal: Prequalification) -> str:
    if prequal.review_method == ReviewMethod.LIMITED:
        return f"有限数量制（通过资格预审的申请人不超过 {prequal.max_passed} 家）"
    return "合格制"


def statistics(lot: Lot, iso: Any) -> list[dict[str, Any]]:
    """How many applied, passed and failed: counts only, for a concluded prequalification
    (the caller gives them once the lot's bids are frozen)."""
    prequal = db.session.execute(
        select(Prequalification).where(Prequalification.lot_id == lot.id)
    ).scalar_one_or_none()
    if prequal is None or prequal.concluded_at is None:
        return []
    rows = db.session.execute(
        select(PrequalApplication.outcome, func.count(PrequalApplication.id))
        .where(PrequalApplication.prequal_id == prequal.id)
        .group_by(PrequalApplication.outcome)
    ).all()
    counts = {outcome: n for outcome, n in rows}
    when = iso(prequal.concluded_at)
    note = "资格预审"
    return [
        {
            "id": f"{lot.code}-prequal-{measure}",
            "measure": measure,
            "value": n,
            "date": when,
            "notes": note,
            "relatedLot": lot.code,
        }
        for measure, n in (
            ("requests", sum(counts.values())),
            ("qualifiedBidders", counts.get(Outcome.PASSED, 0)),
            ("disqualifiedBidders", counts.get(Outcome.FAILED, 0)),
        )
    ]
