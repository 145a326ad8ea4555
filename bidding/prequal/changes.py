"""Correction (更正公告) and withdrawal (终止) of a prequalification notice.

A correction is the platform's clarification/correction notice (kind CLARIFICATION) that
supersedes the notice it corrects, as the tender notices' corrections are: the portal links
the two and the OCDS feed carries it as a tenderAmendment. It may move the end of the offer
and the application deadline and replace the documents; both ≥ 5-day clocks (招标投标法实施
条例 第十六条、第十七条) run again from the correction, since the corrected documents are on
offer only from then. A withdrawal is the termination of the tender (第三十一条) through the
lots' own termination, possible only until the review committee is seated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, TooLate
from app.core.extensions import db
from app.core.notify import notify
from bidding.announcements import publish_announcement
from bidding.documents.files import StagedFile
from bidding.forms import text_field
from bidding.models import Announcement, AnnouncementKind
from bidding.notice_text import fit_title, party_fields
from bidding.policies import ensure_can_manage_lot
from bidding.prequal import actions
from bidding.prequal.applications import applications
from bidding.prequal.models import Prequalification, PrequalStatus
from bidding.prequal.notice import aware_time, check_clocks, notice_identity
from bidding.termination import terminate_lot


def corrections_of(prequal: Prequalification) -> list[Announcement]:
    """The published corrections of a prequalification notice, oldest first."""
    rows = db.session.execute(
        select(Announcement)
        .where(
            Announcement.lot_id == prequal.lot_id,
            Announcement.kind == AnnouncementKind.CLARIFICATION,
            Announcement.published_at.is_not(None),
        )
        .order_by(Announcement.published_at, Announcement.id)
    ).scalars()
    return [a for a in rows if (a.fields or {}).get("prequal_id") == prequal.id]


def _latest_notice(prequal: Prequalification) -> Announcement | None:
    """What a new correction supersedes: the last correction, else the notice."""
    corrections = corrections_of(prequal)
    if corrections:
        return corrections[-1]
    if prequal.announcement_id is None:
        return None
    return db.session.get(Announcement, prequal.announcement_id)


def _ensure_open(prequal: Prequalification, *, withdrawing: bool) -> None:
    if prequal.status == PrequalStatus.WITHDRAWN:
        raise Conflict(_("本次资格预审已终止。"))
    if prequal.status != PrequalStatus.OPEN or prequal.members:
        if withdrawing:
            raise Conflict(
                _("资格审查委员会已经组建、审查已经开始，不能再终止资格预审。"), field="reason"
            )
        raise Conflict(_("资格审查委员会已经组建、审查已经开始，资格预审公告不能再更正。"))


def _tell_applicants(prequal: Prequalification, title: str, body: str) -> None:
    """Every account of every supplier that applied learns of it in its inbox."""
    link = url_for("prequal.supplier_page", prequal_id=prequal.id)
    for row in applications(prequal):
        for account in db.session.execute(
            select(User).where(User.organisation_id == row.supplier_id, User.role == Role.SUPPLIER)
        ).scalars():
            notify(account, "prequal", title, body, link)


def _time(value: Any, current: dt.datetime, field: str) -> dt.datetime:
    if value is None or (isinstance(value, str) and not value.strip()):
        return current
    return aware_time(value, field)


def ensure_may_correct(user: User, prequal: Prequalification) -> None:
    """The refusals a correction meets before its documents are read."""
    ensure_can_manage_lot(user, prequal.lot)
    _ensure_open(prequal, withdrawing=False)
    if clock.now() >= prequal.application_deadline:
        raise TooLate(
            _(
                "资格预审申请已于 %(d)s 截止，截止后不能再发布更正公告。",
                d=formatting.cst(prequal.application_deadline, formatting.CHINESE_MINUTE),
            )
        )


def correct(
    user: User, prequal: Prequalification, data: dict[str, Any], document: StagedFile | None
) -> Announcement:
    """Publish a correction of the notice, moving its clocks and/or replacing its documents."""
    lot, project = prequal.lot, prequal.lot.project
    ensure_may_correct(user, prequal)
    now = clock.now()
    content = text_field(
        data.get("content"), _("更正内容"), "", "content", required=True, max_len=20_000
    )
    old_end, old_deadline = prequal.offer_end_at, prequal.application_deadline
    end = _time(data.get("offer_end_at"), old_end, "offer_end_at")
    deadline = _time(data.get("application_deadline"), old_deadline, "application_deadline")
    # The corrected documents are on offer from the correction: both clocks start again.
    check_clocks(lot, now, end, deadline)
    prequal.offer_end_at, prequal.application_deadline = end, deadline
    old_document = prequal.document_sha256
    if document is not None:
        prequal.document_sha256, prequal.document_name = document.sha256, document.filename
    original = _latest_notice(prequal)
    fields: dict[str, Any] = {
        **notice_identity(prequal),
        "content": content,
        "old_offer_end_at": old_end,
        "offer_end_at": end,
        "old_application_deadline": old_deadline,
        "application_deadline": deadline,
        "offer_end_moved": end != old_end,
        "application_deadline_moved": deadline != old_deadline,
        "document_replaced": document is not None,
        "document_sha256": prequal.document_sha256,
        **party_fields(project, {}),
    }
    with force_locale("zh_CN"):
        title = fit_title(f"{project.name} {lot.name}", _("资格预审更正公告"))
        lines = [content, ""]
        lines.append(
            _(
                "更正后，资格预审文件获取截止时间为 %(e)s，资格预审申请截止时间为 %(d)s。",
                e=formatting.cst(end, formatting.CHINESE_MINUTE),
                d=formatting.cst(deadline, formatting.CHINESE_MINUTE),
            )
        )
        if document is not None:
            lines.append(_("资格预审文件已更新，请重新获取。"))
        body = "\n".join(lines)
    ann = publish_announcement(
        user,
        project,
        AnnouncementKind.CLARIFICATION,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=original,
    )
    db.session.flush()
    record(
        actions.CORRECTED,
        prequal,
        {
            "lot_id": lot.id,
            "announcement_id": ann.id,
            "supersedes_id": original.id if original is not None else None,
            "old_offer_end_at": old_end.isoformat(),
            "offer_end_at": end.isoformat(),
            "old_application_deadline": old_deadline.isoformat(),
            "application_deadline": deadline.isoformat(),
            "old_document_sha256": old_document,
            "document_sha256": prequal.document_sha256,
        },
        actor=user,
    )
    _tell_applicants(prequal, _("资格预审更正：%(lot)s", lot=f"{lot.code} {lot.name}"), body)
    return ann


def withdraw(user: User, prequal: Prequalification, reason: str) -> Announcement:
    """Terminate the tender at the prequalification stage, with the public reason."""
    lot = prequal.lot
    ensure_can_manage_lot(user, lot)
    _ensure_open(prequal, withdrawing=True)
    original = _latest_notice(prequal)
    ann = terminate_lot(
        user, lot, reason, supersedes=original, extra_fields={"prequal_id": prequal.id}
    )
    prequal.status = PrequalStatus.WITHDRAWN
    db.session.flush()
    record(
        actions.WITHDRAWN,
        prequal,
        {
            "lot_id": lot.id,
            "announcement_id": ann.id,
            "reason": lot.status_reason,
            "applicants": len(applications(prequal)),
        },
        actor=user,
    )
    _tell_applicants(
        prequal,
        _("资格预审终止：%(lot)s", lot=f"{lot.code} {lot.name}"),
        _("本次资格预审已终止。终止原因：%(r)s", r=lot.status_reason),
    )
    return ann
