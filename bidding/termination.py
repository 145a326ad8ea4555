"""Termination (终止) of a lot: the termination notice, the final status, the downloaders told."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import actions, hooks, policies
from bidding.announcements import publish_announcement
from bidding.bids.freeze import retendered_as
from bidding.documents.downloads import notify_downloaders
from bidding.forms import text_field
from bidding.labels import status_label
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title, party_fields, render_termination_body
from bidding.plans.models import ReturnCause
from bidding.plans.returns import give_back

# States from which a lot can no longer be terminated: it is finished either way.
FINAL_STATUSES = (LotStatus.AWARDED, LotStatus.CONTRACTED, LotStatus.TERMINATED)


def terminate_lot(
    user: User,
    lot: Lot,
    reason: str,
    *,
    supersedes: Announcement | None = None,
    extra_fields: Mapping[str, Any] | None = None,
) -> Announcement:
    """Terminate a lot (终止): publish the termination notice and close the lot for good.

    `supersedes`: the notice the termination ends (a prequalification notice), so that the
    portal links the two; `extra_fields`: what that stage adds to the notice's facts."""
    project = lot.project
    policies.ensure_can_manage_lot(user, lot)
    if lot.status in FINAL_STATUSES:
        raise Conflict(
            _(
                "标段“%(n)s”当前状态为“%(s)s”，不能终止。",
                n=lot.name,
                s=status_label(lot.status),
            )
        )
    reason = text_field(reason, _("终止原因"), "", "reason", required=True, max_len=2000)
    if len(reason) < 5:
        raise ValidationError(_("请具体说明终止原因（至少 5 个字）。"), field="reason")
    previous = lot.status
    fields = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "reason": reason,
        "previous_status": previous.value,
        **(extra_fields or {}),
        **party_fields(project, {}),
    }
    with force_locale("zh_CN"):
        title = fit_title(f"{project.name}（{lot.name}）", _("终止公告"))
        body = render_termination_body(fields)
    ann = publish_announcement(
        user,
        project,
        AnnouncementKind.TERMINATION,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=supersedes,
    )
    lot.status = LotStatus.TERMINATED
    lot.status_reason = reason
    db.session.flush()
    record(
        actions.LOT_TERMINATED,
        lot,
        {"reason": reason, "previous_status": previous.value, "announcement_id": ann.id},
        actor=user,
    )
    _return_budget(user, lot, previous, reason)
    hooks.lot_terminated(lot, user, reason)
    _tell_downloaders(lot, title, body, ann)
    return ann


def _return_budget(user: User, lot: Lot, previous: LotStatus, reason: str) -> None:
    """The plan line gets the lot's budget back, unless a re-tender took it over."""
    if previous == LotStatus.FAILED:
        if retendered_as(lot) is not None:
            return
        give_back(user, lot, ReturnCause.FAILED, reason)
    else:
        give_back(user, lot, ReturnCause.TERMINATED, reason)


def _tell_downloaders(lot: Lot, title: str, body: str, ann: Announcement) -> None:
    """Suppliers who fetched the documents learn of the termination directly."""
    try:
        link = url_for("portal.announcement", announcement_id=ann.id)
    except BuildError:  # the portal's detail page may not be installed
        link = ""
    notify_downloaders(lot, title, body, link)
