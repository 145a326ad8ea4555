"""Clarifications and amendments (澄清/更正): the notice, a new document version, and the
deadline moved when too little time is left before it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import actions, hooks
from bidding.announcements import publish_announcement
from bidding.clocks import (
    clarification_deadline,
    clarification_min_days,
    clarification_min_deadline,
)
from bidding.documents.downloads import notify_downloaders, supplier_lot_link
from bidding.documents.errors import DeadlineMustMove
from bidding.documents.files import StagedFile
from bidding.documents.forms import clean_text
from bidding.documents.policies import OPEN_STATUSES, ensure_before_deadline
from bidding.documents.versions import add_version
from bidding.models import Announcement, AnnouncementKind, Lot
from bidding.notice_text import TITLE_MAX
from bidding.policies import ensure_can_manage_lot
from bidding.projects import lock_lot


def _clarification_days(lot: Lot) -> int:
    return clarification_min_days(current_app.config, lot.project.centre.settings)


def clarification_floor(lot: Lot) -> dt.datetime | None:
    """The earliest deadline allowed for a clarification published now (00:00 of the
    period's last day), or None when the current deadline already leaves the legal minimum."""
    if lot.bid_deadline is None:
        return None
    if propose_deadline(lot) is None:
        return None
    cal = calendar_for(lot.project.centre_id)
    return clarification_min_deadline(clock.now(), _clarification_days(lot), cal)


def propose_deadline(lot: Lot) -> dt.datetime | None:
    """The lawful new deadline: the period's last day (a working day), at the old opening
    time of day."""
    if lot.bid_deadline is None:
        return None
    cal = calendar_for(lot.project.centre_id)
    return clarification_deadline(clock.now(), lot.bid_deadline, _clarification_days(lot), cal)


@dataclass(frozen=True)
class ClarificationPlan:
    deadline: dt.datetime | None
    must_move: bool
    minimum: dt.datetime | None
    proposed: dt.datetime | None
    days: int


def plan_clarification(lot: Lot) -> ClarificationPlan:
    days = _clarification_days(lot)
    proposed = propose_deadline(lot)
    if proposed is None:
        return ClarificationPlan(lot.bid_deadline, False, None, None, days)
    return ClarificationPlan(lot.bid_deadline, True, clarification_floor(lot), proposed, days)


def clarifications_of(lot: Lot) -> list[Announcement]:
    """The tender documents' clarifications of a lot (a prequalification notice's
    corrections are of the same kind, and belong to the prequalification's own page)."""
    rows = list(
        db.session.execute(
            select(Announcement)
            .where(
                Announcement.lot_id == lot.id,
                Announcement.kind == AnnouncementKind.CLARIFICATION,
                Announcement.published_at.is_not(None),
            )
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        ).scalars()
    )
    return [a for a in rows if not (a.fields or {}).get("prequal_id")]


def publish_clarification(
    lot: Lot,
    user: User,
    *,
    title: str,
    body: str,
    staged: StagedFile | None = None,
    new_deadline: dt.datetime | None = None,
) -> Announcement:
    """Publish a clarification/amendment, optionally with a new document version.

    Inside CLARIFICATION_MIN_DAYS of the deadline the deadline must move: without an
    explicit new deadline this raises DeadlineMustMove carrying the proposed date.
    """
    ensure_can_manage_lot(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("只有已发布（或因异议暂停）的标段可以发布澄清/更正公告。"))
    ensure_before_deadline(lot)
    title = clean_text(title, "title", _l("公告标题"), max_len=TITLE_MAX)
    body = clean_text(body, "body", _l("澄清/更正内容"))
    days = _clarification_days(lot)
    plan = plan_clarification(lot)
    old = lot.bid_deadline
    if plan.must_move:
        assert plan.minimum is not None and plan.proposed is not None
        if new_deadline is None:
            raise DeadlineMustMove(
                _l(
                    "澄清/更正距投标截止不足 %(d)s 日（发布当日不计入），截止日期须顺延至 %(m)s 或之后；"
                    "建议顺延至 %(p)s（北京时间），请确认后再发布。",
                    d=days,
                    m=formatting.cst(plan.minimum, formatting.DAY),
                    p=formatting.cst(plan.proposed),
                ),
                proposed=plan.proposed,
                minimum=plan.minimum,
            )
        if new_deadline < plan.minimum:
            raise ValidationError(
                _l(
                    "新的投标截止日期不得早于 %(m)s（发布当日不计入，满 %(d)s 日）。",
                    m=formatting.cst(plan.minimum, formatting.DAY),
                    d=days,
                ),
                field="new_deadline",
            )
    elif new_deadline is not None and old is not None and new_deadline < old:
        raise ValidationError(
            _l("澄清/更正不能提前投标截止时间（当前为 %(t)s）。", t=formatting.cst(old)),
            field="new_deadline",
        )
    # Pending changes of higher floors (a scoring scheme amendment) go out with this
    # notice; the notice text is always Chinese, whoever publishes it.
    with force_locale("zh_CN"):
        addenda = hooks.clarification_addenda(lot)
    if addenda:
        body = "\n\n".join([body, *addenda])
    moved = new_deadline is not None and new_deadline != old
    fields: dict[str, Any] = {
        "old_deadline": old.isoformat() if old else None,
        "new_deadline": (new_deadline if moved else old).isoformat() if (old or moved) else None,
        "deadline_moved": moved,
    }
    if moved:
        assert new_deadline is not None
        lock_lot(lot)
        lot.bid_deadline = new_deadline
        db.session.flush()
        record(
            actions.LOT_DEADLINE_MOVED,
            lot,
            {
                "old": old.isoformat() if old else None,
                "new": new_deadline.isoformat(),
                "reason": "clarification",
            },
        )
        hooks.lot_rescheduled(lot, user, "clarification")
    ann = publish_announcement(
        user, lot.project, AnnouncementKind.CLARIFICATION, title, body, lot=lot, fields=fields
    )
    hooks.clarification_published(lot, user, ann)
    if staged is not None:
        doc = add_version(lot, user, staged, title, ann)
        fields = {**fields, "document_version": doc.version, "document_sha256": doc.sha256}
        ann.fields = fields
    db.session.flush()
    text = body
    if moved:
        text += "\n\n" + str(
            _l(
                "投标截止（开标）时间由 %(o)s 顺延至 %(n)s（北京时间）。",
                o=formatting.cst(old),
                n=formatting.cst(new_deadline),
            )
        )
    if staged is not None:
        text += "\n\n" + str(_l("招标文件已更新，请下载最新版本。"))
    notify_downloaders(
        lot,
        str(_l("澄清/更正：%(lot)s", lot=lot.name)) + " — " + title,
        text,
        supplier_lot_link(lot),
    )
    return ann
