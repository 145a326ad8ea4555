"""异议, 质疑 and 投诉 about a lot's result: windows, answers, and who sees what.

- an objection (异议) is filed during the candidate publicity and answered by the agency
  within the configured days; while one is pending the award waits;
- a challenge (质疑, government procurement) is filed within the configured working days
  of the result announcement and answered by the agency within its own period;
- a complaint (投诉) follows an answered (or unanswered and overdue) objection or
  challenge of the same bidder, within the legal window, and is decided by the centre's
  supervisors.
A filing after its window is refused with the moment the window closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, NotFound, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding import clocks
from bidding.documents.files import stage_file
from bidding.documents.forms import clean_text
from bidding.models import Lot, LotStatus
from bidding.projects import lock_lot
from bidding.results import actions, policies, rules
from bidding.results.handoff import result_of
from bidding.results.labels import FILING_LABELS
from bidding.results.models import FilingKind, FilingStatus, LotResult, ResultFiling

MAX_ATTACHMENTS = 5
Upload = tuple[str, IO[bytes]]


def _closed(what: object, at: dt.datetime) -> TooLate:
    return TooLate(
        _l("%(what)s的期限已于 %(t)s（北京时间）截止，不再受理。", what=what, t=formatting.cst(at)),
        closed_at=at.isoformat(),
    )


def _window(
    lot: Lot, result: LotResult, kind: FilingKind, follows: ResultFiling | None
) -> dt.datetime:
    """When the answer to a filing of this kind made now is due, or a refusal."""
    now = clock.now()
    cal = rules.calendar(lot)
    if kind == FilingKind.OBJECTION:
        if not rules.has_candidate_publicity(lot):
            raise Conflict(
                _l(
                    "本项目不进行候选人公示；对结果有异议的，请在%(n)s发布后提出质疑。",
                    n=_(rules.words(lot).result_notice),
                )
            )
        if result.publicity_start is None or result.publicity_end is None:
            raise Conflict(_l("中标候选人公示尚未发布，暂不能对评标结果提出异议。"))
        if now > result.publicity_end:
            raise _closed(_l("对评标结果提出异议"), result.publicity_end)
        days = rules.period(
            lot, "result_objection_answer_days", clocks.DEFAULT_RESULT_OBJECTION_ANSWER_DAYS
        )
        return clocks.result_objection_answer_due(now, days, cal)
    if kind == FilingKind.CHALLENGE:
        if not rules.is_procurement(lot):
            raise Conflict(_l("本项目适用招标投标法，对评标结果请在公示期内提出异议。"))
        if result.awarded_at is None:
            raise Conflict(_l("中标（成交）结果公告发布后才能提出质疑。"))
        days = rules.period(lot, "challenge_working_days", clocks.DEFAULT_CHALLENGE_WORKING_DAYS)
        closes = clocks.challenge_window_end(result.awarded_at, days, cal)
        if now > closes:
            raise _closed(_l("提出质疑"), closes)
        answer = rules.period(
            lot, "challenge_answer_working_days", clocks.DEFAULT_CHALLENGE_ANSWER_WORKING_DAYS
        )
        return clocks.challenge_answer_due(now, answer, cal)
    # A complaint follows the answer, or the answer's deadline when none came.
    if follows is None or follows.kind == FilingKind.COMPLAINT:
        raise ValidationError(_l("投诉须针对本单位已提出的异议或质疑。"), field="follows_id")
    if follows.status == FilingStatus.PENDING and now <= follows.due_at:
        raise Conflict(
            _l(
                "异议或质疑尚在答复期内（答复期限 %(t)s），答复后或逾期未答复时方可投诉。",
                t=formatting.cst(follows.due_at),
            )
        )
    start = follows.answered_at or follows.due_at
    procurement = rules.is_procurement(lot)
    if procurement:
        days = rules.period(lot, "complaint_working_days", clocks.DEFAULT_COMPLAINT_WORKING_DAYS)
    else:
        days = rules.period(
            lot, "complaint_days_tendering", clocks.DEFAULT_COMPLAINT_DAYS_TENDERING
        )
    closes = clocks.complaint_window_end(start, days, cal, working=procurement)
    if now > closes:
        raise _closed(_l("提出投诉"), closes)
    decide = rules.period(
        lot, "complaint_decision_working_days", clocks.DEFAULT_COMPLAINT_DECISION_WORKING_DAYS
    )
    return clocks.complaint_decision_due(now, decide, cal)


def file_filing(
    lot: Lot,
    user: User,
    kind: FilingKind | str,
    text: str,
    *,
    attachments: Sequence[Upload] = (),
    follows: ResultFiling | None = None,
) -> ResultFiling:
    """A bidder files an objection, a challenge or a complaint about the lot's result."""
    try:
        kind = FilingKind(kind)
    except ValueError:
        raise ValidationError(_l("请选择异议、质疑或投诉。"), field="kind") from None
    policies.ensure_bidder(user, lot)
    result = result_of(lot)
    if result is None:
        raise Conflict(_l("该标段尚无评标结果。"))
    if follows is not None and (
        follows.lot_id != lot.id or follows.supplier_id != user.organisation_id
    ):
        raise ValidationError(_l("投诉须针对本单位已提出的异议或质疑。"), field="follows_id")
    text = clean_text(text, "text", FILING_LABELS[kind.value])
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(_l("附件最多 %(n)s 个。", n=MAX_ATTACHMENTS), field="attachments")
    lock_lot(lot)
    due = _window(lot, result, kind, follows)
    files = []
    for name, stream in attachments:
        staged = stage_file(stream, name)
        files.append({"name": staged.filename, "sha256": staged.sha256, "size": staged.size})
    filing = ResultFiling(
        lot_id=lot.id,
        kind=kind,
        supplier_id=user.organisation_id,
        user_id=user.id,
        follows_id=follows.id if follows is not None else None,
        text=text,
        attachments=files,
        filed_at=clock.now(),
        due_at=due,
        status=FilingStatus.PENDING,
    )
    db.session.add(filing)
    db.session.flush()
    record(
        actions.FILING_FILED,
        filing,
        {
            "lot_id": lot.id,
            "kind": kind.value,
            "due_at": due.isoformat(),
            "follows_id": filing.follows_id,
            "attachments": [f["sha256"] for f in files],
        },
        actor=user,
    )
    answerers = rules.supervisors(lot) if kind == FilingKind.COMPLAINT else rules.agency_staff(lot)
    for person in answerers:
        notify(
            person,
            "result_filing",
            str(_l("收到%(k)s：%(lot)s", k=FILING_LABELS[kind.value], lot=lot.name)),
            str(_l("请在 %(t)s（北京时间）前答复。", t=formatting.cst(due))),
            rules.staff_link(lot),
        )
    return filing


def answer_filing(filing: ResultFiling, user: User, answer: str) -> ResultFiling:
    """The agency answers an objection or challenge; a supervisor decides a complaint."""
    policies.ensure_can_answer(user, filing)
    lock_lot(filing.lot)
    if filing.status != FilingStatus.PENDING:
        raise Conflict(_l("该记录已答复。"))
    answer = clean_text(answer, "answer", _l("答复内容"))
    now = clock.now()
    filing.answer, filing.answered_by_id, filing.answered_at = answer, user.id, now
    filing.status = FilingStatus.ANSWERED
    db.session.flush()
    record(
        actions.FILING_ANSWERED,
        filing,
        {"lot_id": filing.lot_id, "kind": filing.kind.value, "overdue": now > filing.due_at},
        actor=user,
    )
    for person in rules.supplier_users(filing.supplier_id):
        notify(
            person,
            "result_filing_answered",
            str(
                _l(
                    "您的%(k)s已答复：%(lot)s",
                    k=FILING_LABELS[filing.kind.value],
                    lot=filing.lot.name,
                )
            ),
            answer,
            rules.supplier_link(filing.lot),
        )
    return filing


def pending_count(lot: Lot, *kinds: FilingKind) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(ResultFiling)
        .where(
            ResultFiling.lot_id == lot.id,
            ResultFiling.status == FilingStatus.PENDING,
            ResultFiling.kind.in_(kinds),
        )
    ).scalar_one()


def filings_for(lot: Lot, user: User) -> list[ResultFiling]:
    """Staff and overseers: every filing of the lot; a bidder: its own only."""
    query = select(ResultFiling).where(ResultFiling.lot_id == lot.id)
    if not policies.can_read_result(user, lot):
        if not policies.is_bidder(user, lot):
            return []
        query = query.where(ResultFiling.supplier_id == user.organisation_id)
    return list(db.session.execute(query.order_by(ResultFiling.filed_at)).scalars())


def get_filing(filing_id: int, user: User) -> ResultFiling:
    filing = db.session.get(ResultFiling, filing_id)
    if filing is None:
        raise NotFound(_l("记录不存在。"))
    policies.ensure_can_see_filing(user, filing)
    return filing


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind answerers before a filing falls due; flag a late one to the supervisors once."""
    now = now or clock.now()
    hours = int(current_app.config.get("RESULT_REMIND_HOURS", 24))
    pending = db.session.execute(
        select(ResultFiling).where(
            ResultFiling.status == FilingStatus.PENDING,
            ResultFiling.due_at <= now + dt.timedelta(hours=hours),
        )
    ).scalars()
    counts = {"reminded": 0, "late": 0}
    for filing in pending:
        lot = filing.lot
        label = FILING_LABELS[filing.kind.value]
        if filing.due_at < now and filing.late_flagged_at is None:
            filing.late_flagged_at = now
            db.session.flush()
            record(
                actions.FILING_LATE, filing, {"lot_id": lot.id, "due_at": filing.due_at.isoformat()}
            )
            for supervisor in rules.supervisors(lot):
                notify(
                    supervisor,
                    "result_filing_late",
                    str(_l("%(k)s逾期未答复：%(lot)s", k=label, lot=lot.name)),
                    str(_l("答复期限 %(t)s（北京时间）已过。", t=formatting.cst(filing.due_at))),
                    rules.staff_link(lot),
                )
            counts["late"] += 1
        elif filing.due_at >= now and filing.reminded_at is None:
            filing.reminded_at = now
            db.session.flush()
            record(
                actions.FILING_REMINDED,
                filing,
                {"lot_id": lot.id, "due_at": filing.due_at.isoformat()},
            )
            answerers = (
                rules.supervisors(lot)
                if filing.kind == FilingKind.COMPLAINT
                else rules.agency_staff(lot)
            )
            for person in answerers:
                notify(
                    person,
                    "result_filing_due",
                    str(_l("%(k)s即将到期：%(lot)s", k=label, lot=lot.name)),
                    str(_l("请在 %(t)s（北京时间）前答复。", t=formatting.cst(filing.due_at))),
                    rules.staff_link(lot),
                )
            counts["reminded"] += 1
    return counts


def sweep_result_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Tell the supervisors, once, of a publicity not published or a contract not filed
    by its deadline."""
    now = now or clock.now()
    counts = {"publicity": 0, "contract": 0}
    late = db.session.execute(
        select(LotResult).where(
            (LotResult.publicity_id.is_(None) & (LotResult.publish_by < now))
            | (LotResult.contract_due.is_not(None) & (LotResult.contract_due < now))
        )
    ).scalars()
    for result in late:
        lot = result.lot
        if result.publicity_id is None and lot.status == LotStatus.EVALUATED:
            what, due, title = (
                "publicity",
                result.publish_by,
                _l(
                    "%(what)s逾期未发布：%(lot)s",
                    what=_(
                        rules.words(lot).publicity
                        if rules.has_candidate_publicity(lot)
                        else rules.words(lot).result_notice
                    ),
                    lot=lot.name,
                ),
            )
        elif lot.status == LotStatus.AWARDED and result.contract_due is not None:
            what, due, title = (
                "contract",
                result.contract_due,
                _l("合同逾期未备案：%(lot)s", lot=lot.name),
            )
        else:
            continue
        if what in (result.flagged or []):
            continue
        result.flagged = [*(result.flagged or []), what]
        db.session.flush()
        record(
            actions.PUBLICITY_LATE if what == "publicity" else actions.CONTRACT_OVERDUE,
            lot,
            {"due": due.isoformat()},
        )
        for supervisor in rules.supervisors(lot):
            notify(
                supervisor,
                "result_late",
                str(title),
                str(_l("期限 %(t)s（北京时间）已过。", t=formatting.cst(due))),
                rules.staff_link(lot),
            )
        counts[what] += 1
    return counts
