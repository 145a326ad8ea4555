"""定标: confirm the winner, publish the result announcement and issue the notices.

The first candidate wins unless the staff pass over it with one of the reasons the law
allows (rules.PASS_OVER_REASONS), recorded for each candidate passed over. The award
waits for the end of the publicity and for every objection and complaint to be answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Organisation, User
from app.core.errors import Conflict, DomainError, TooEarly, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding import clocks, hooks
from bidding.announcements import publish_announcement
from bidding.labels import status_label
from bidding.methods import ResultWords
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title
from bidding.policies import ensure_can_manage_lot
from bidding.projects import lock_lot
from bidding.results import actions, filings, rules
from bidding.results.models import FilingKind, LotResult, NoticeKind, ResultNotice
from bidding.results.notices import make_notice
from bidding.results.publicity import loaded_result
from bidding.results.texts import lot_fields, render_result_body


def _passed_over(
    candidates: list[dict[str, Any]],
    rank: int,
    given: Sequence[Mapping[str, Any]],
    words: ResultWords,
) -> list[dict[str, Any]]:
    """The recorded reason for every candidate ranked above the chosen one."""
    by_rank = {int(p.get("rank") or 0): p for p in given}
    out = []
    for c in candidates:
        if c["rank"] >= rank:
            break
        entry = by_rank.get(c["rank"])
        reason = str((entry or {}).get("reason") or "")
        if reason not in rules.PASS_OVER_REASONS:
            raise ValidationError(
                _l(
                    "确定排名第 %(w)s 的候选人为%(who)s，须为排名第 %(r)s 的候选人（%(s)s）选择法定理由。",
                    w=rank,
                    who=_(words.winner),
                    r=c["rank"],
                    s=c["supplier_name"],
                ),
                field="passed_over",
            )
        note = str((entry or {}).get("note") or "").strip()[:1000]
        out.append({"rank": c["rank"], "reason": reason, "note": note})
    return out


def award_refusal(lot: Lot, result: LotResult, now: dt.datetime) -> DomainError | None:
    """Why the award cannot be confirmed now, or None. Tendering awards after the candidate
    publicity has run; the other methods confirm the supplier straight after the review
    (no candidate publicity). Either way an open objection or complaint holds it."""
    if rules.has_candidate_publicity(lot):
        if lot.status != LotStatus.PUBLICITY or result.publicity_end is None:
            return Conflict(
                _l(
                    "标段当前状态为“%(s)s”，须在中标候选人公示后定标。",
                    s=status_label(lot.status),
                )
            )
        if now <= result.publicity_end:
            return TooEarly(
                _l(
                    "公示期至 %(t)s（北京时间）结束，公示期满后才能定标。",
                    t=formatting.cst(result.publicity_end),
                )
            )
    elif lot.status != LotStatus.EVALUATED:
        return Conflict(
            _l(
                "标段当前状态为“%(s)s”，须在评审结束后确定%(w)s。",
                s=status_label(lot.status),
                w=_(rules.words(lot).winner),
            )
        )
    open_ = filings.pending_count(lot, FilingKind.OBJECTION, FilingKind.COMPLAINT)
    if open_:
        return Conflict(_l("有 %(n)s 件异议或投诉尚未答复，答复前暂停定标。", n=open_))
    return None


def confirm_award(
    lot: Lot, user: User, *, rank: int = 1, passed_over: Sequence[Mapping[str, Any]] = ()
) -> Announcement:
    ensure_can_manage_lot(user, lot)
    lock_lot(lot)
    result = loaded_result(lot)
    now = clock.now()
    refusal = award_refusal(lot, result, now)
    if refusal is not None:
        raise refusal
    chosen = next((c for c in result.candidates if c["rank"] == rank), None)
    if chosen is None:
        raise ValidationError(
            _l("没有排名第 %(r)s 的%(c)s。", r=rank, c=_(rules.words(lot).candidates)),
            field="rank",
        )
    skipped = _passed_over(result.candidates, rank, passed_over, rules.words(lot))
    winner = db.session.get(Organisation, chosen["supplier_id"])
    assert winner is not None
    amount = Decimal(str(chosen["price"]))
    contract_days = rules.period(lot, "contract_filing_days", clocks.DEFAULT_CONTRACT_FILING_DAYS)
    contract_due = clocks.contract_filing_due(now, contract_days, rules.calendar(lot))
    challenge_until = None
    if rules.is_procurement(lot):
        days = rules.period(lot, "challenge_working_days", clocks.DEFAULT_CHALLENGE_WORKING_DAYS)
        challenge_until = clocks.challenge_window_end(now, days, rules.calendar(lot))
    base = lot_fields(lot)
    words = rules.words(lot)
    with force_locale("zh_CN"):
        labels = rules.pass_over_labels(lot)
        fields = {
            **base,
            "winner": winner.name,
            "winner_supplier_id": winner.id,
            "winner_rank": rank,
            "amount": amount,
            "passed_over": [{**p, "reason_label": labels[p["reason"]]} for p in skipped],
            "challenge_until": challenge_until,
            "contract_due": contract_due,
        }
        title = fit_title(f"{lot.project.name}（{lot.name}）", _(words.result_notice))
        body = render_result_body(fields, words)
    ann = publish_announcement(
        user, lot.project, AnnouncementKind.RESULT, title, body, lot=lot, fields=fields
    )
    result.awarded_at, result.awarded_by_id, result.winner_rank = now, user.id, rank
    result.winner_supplier_id, result.award_price = winner.id, amount
    result.passed_over, result.result_id, result.contract_due = skipped, ann.id, contract_due
    lot.status = LotStatus.AWARDED
    db.session.flush()
    record(
        actions.LOT_AWARDED,
        lot,
        {
            "winner_supplier_id": winner.id,
            "rank": rank,
            "amount": str(amount),
            "passed_over": skipped,
            "announcement_id": ann.id,
            "contract_due": contract_due.isoformat(),
        },
        actor=user,
    )
    _issue_notices(lot, user, base, winner, amount, contract_due)
    hooks.lot_awarded(lot, user, now)
    return ann


def _issue_notices(
    lot: Lot,
    user: User,
    base: dict[str, Any],
    winner: Organisation,
    amount: Decimal,
    contract_due: Any,
) -> None:
    now = clock.now()
    project = lot.project
    words = rules.words(lot)
    for org_id in sorted(rules.bidder_ids(lot) | {winner.id}):
        org = db.session.get(Organisation, org_id)
        assert org is not None
        kind = NoticeKind.AWARD if org_id == winner.id else NoticeKind.RESULT
        letter = words.award_letter if kind == NoticeKind.AWARD else words.result_letter
        doc = {
            "kind": kind.value,
            "project_code": base["project_code"],
            "project_name": base["project_name"],
            "lot_id": lot.id,
            "lot_code": base["lot_code"],
            "lot_name": base["lot_name"],
            "supplier": org.name,
            "supplier_id": org.id,
            "winner": winner.name,
            "amount": str(amount),
            "contract_due": contract_due.isoformat(),
            # The notice names the result in the method's words (中标 or 成交).
            "method": project.method.value,
            "purchaser": project.purchaser.name,
            "agency": project.agency.name,
            "issued_at": now.isoformat(),
        }
        notice = make_notice(doc, org.id, lot.id, now)
        db.session.add(notice)
        db.session.flush()
        record(
            actions.NOTICE_ISSUED,
            notice,
            {"lot_id": lot.id, "kind": kind.value, "pdf_sha256": notice.pdf_sha256},
            actor=user,
        )
        for person in rules.supplier_users(org.id):
            notify(
                person,
                "result_notice",
                str(_l("%(what)s：%(lot)s", what=_(letter), lot=lot.name)),
                str(_l("%(who)s：%(w)s", who=_(words.winner), w=winner.name)),
                rules.supplier_link(lot),
            )


def notices_for(lot: Lot, user: User, *, all_: bool) -> list[ResultNotice]:
    query = select(ResultNotice).where(ResultNotice.lot_id == lot.id)
    if not all_:
        query = query.where(ResultNotice.supplier_id == (user.organisation_id or -1))
    return list(db.session.execute(query.order_by(ResultNotice.id)).scalars())
