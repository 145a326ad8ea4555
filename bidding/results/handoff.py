"""The hand-off: a signed evaluation report becomes the input of the lot's result stages.

The evaluation room calls `receive_report` in the transaction in which the last member
signs or dissents, so the lot never sits in a finished evaluation without a result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.notify import notify
from bidding.labels import status_label
from bidding.models import Lot, LotStatus
from bidding.projects import lock_lot
from bidding.results import actions, ranking, rules
from bidding.results.models import LotResult


@dataclass(frozen=True)
class SignedReport:
    """What the results need from a signed report, whoever produced it."""

    source: str  # e.g. "eval_report:12"
    sha256: str  # of the canonical body the members signed
    pdf_sha256: str | None
    at: dt.datetime  # when the report was complete
    # [{rank, bid_id, supplier_id, supplier_name, price, total, price_score, technical,
    #   commercial}] best first; amounts and scores as strings
    candidates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # Every bid the committee kept, in opening order: [{bid_id, supplier_id, supplier_name,
    # price, received_at (ISO), total, price_score, technical, commercial}]. A method whose
    # result is decided here (lowest compliant price) ranks these; empty → the candidates.
    valid: list[dict[str, Any]] = field(default_factory=list)


def result_of(lot: Lot) -> LotResult | None:
    return db.session.execute(
        select(LotResult).where(LotResult.lot_id == lot.id)
    ).scalar_one_or_none()


def failure_reason(lot: Lot, candidates: list[dict[str, Any]]) -> str | None:
    """Why the signed report ends the lot as failed (废标), or None when it has a result."""
    if not candidates:
        return str(_l("评标委员会否决了全部投标，本标段废标。"))
    least = rules.valid_bids_minimum(lot)
    if least is not None and len(candidates) < least:
        return str(
            _l(
                "评标后有效投标不足 %(m)s 家（实际 %(n)s 家），缺乏竞争，本标段废标。",
                m=least,
                n=len(candidates),
            )
        )
    return None


def receive_report(lot: Lot, report: SignedReport, user: User) -> LotResult:
    """Record the report as the lot's result input; the lot moves to 评标结束 (or fails
    when no bid survived the evaluation)."""
    lock_lot(lot)
    if lot.status != LotStatus.EVALUATING:
        raise Conflict(_l("标段当前状态为“%(s)s”，不能接收评标报告。", s=status_label(lot.status)))
    if result_of(lot) is not None:
        raise Conflict(_l("该标段已经接收过评标报告。"))
    now = clock.now()
    candidates = ranking.candidates(lot, report)
    result = LotResult(
        lot_id=lot.id,
        source=report.source,
        report_sha256=report.sha256,
        report_pdf_sha256=report.pdf_sha256,
        report_at=report.at,
        candidates=candidates,
        rejected=list(report.rejected),
        publish_by=rules.publish_by(lot, report.at),
        flagged=[],
        created_at=now,
    )
    db.session.add(result)
    failure = failure_reason(lot, candidates)
    if failure is None:
        lot.status = LotStatus.EVALUATED
        lot.status_reason = ""
        action = actions.LOT_EVALUATED
    else:
        # The lot fails (废标): staff announce it and may tender it again.
        lot.status = LotStatus.FAILED
        lot.status_reason = failure
        action = actions.LOT_RESULT_FAILED
    db.session.flush()
    record(
        action,
        lot,
        {
            "source": report.source,
            "report_sha256": report.sha256,
            "candidates": len(candidates),
            "ranked_by": ranking.result_rule(lot).value,
            "rejected": len(report.rejected),
            "publish_by": result.publish_by.isoformat(),
        },
        actor=user,
    )
    if failure is not None:
        next_step = lot.status_reason
    elif rules.has_candidate_publicity(lot):
        next_step = str(
            _l("请在 %(t)s（北京时间）前发布中标候选人公示。", t=formatting.cst(result.publish_by))
        )
    else:
        next_step = str(
            _l(
                "请在 %(t)s（北京时间）前确定%(w)s并发布%(n)s。",
                t=formatting.cst(result.publish_by),
                w=_(rules.words(lot).winner),
                n=_(rules.words(lot).result_notice),
            )
        )
    for staff in rules.agency_staff(lot):
        notify(
            staff,
            "result",
            str(_l("评标报告已签署：%(lot)s", lot=lot.name)),
            next_step,
            rules.staff_link(lot),
        )
    return result
