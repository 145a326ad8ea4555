"""流标/废标公告: a lot that failed — at the deadline (too few bids) or at the evaluation
(every bid rejected, or too few valid bids) — is announced as failed with its reason, and
may then be tendered again (the one re-tender rule is `bidding.bids.freeze.retender`)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict
from app.core.notify import notify
from bidding.announcements import publish_announcement
from bidding.bids.models import get_freeze
from bidding.forms import text_field
from bidding.labels import status_label
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title
from bidding.policies import ensure_can_manage_lot
from bidding.projects import latest_announcement, lock_lot
from bidding.results import actions, rules
from bidding.results.handoff import result_of
from bidding.results.texts import lot_fields, render_failure_body

STAGE_DEADLINE = "deadline"  # 流标: too few bids at the deadline, nothing was opened
STAGE_EVALUATION = "evaluation"  # 废标: the committee's report left too few valid bids


def failure_notice(lot: Lot) -> Announcement | None:
    return latest_announcement(lot.project, AnnouncementKind.FAILURE, lot)


def failure_stage(lot: Lot) -> str:
    return STAGE_EVALUATION if result_of(lot) is not None else STAGE_DEADLINE


def failure_facts(lot: Lot) -> dict[str, Any]:
    """The counts the notice states: bids at the deadline; valid and rejected after the
    evaluation. Also what the OCDS bid statistics read."""
    freeze = get_freeze(lot)
    result = result_of(lot)
    return {
        "stage": failure_stage(lot),
        "bid_count": freeze.bid_count if freeze is not None else 0,
        "valid_count": len(result.candidates) if result is not None else None,
        "rejected": list(result.rejected) if result is not None else [],
        "failed_at": (result.report_at if result is not None else freeze.frozen_at)
        if (result is not None or freeze is not None)
        else None,
    }


def announcement_refusal(lot: Lot) -> str | None:
    """Why the lot's failure cannot be announced now, or None."""
    if lot.status != LotStatus.FAILED:
        return _(
            "标段当前状态为“%(s)s”，只有流标或废标的标段可以发布流标/废标公告。",
            s=status_label(lot.status),
        )
    if failure_notice(lot) is not None:
        return _("该标段的流标/废标公告已经发布。")
    return None


def announce_failure(
    lot: Lot, user: User, reason: str | None = None, next_step: str | None = None
) -> Announcement:
    """Publish the lot's 流标/废标公告 with the reason (the recorded one unless staff word it)."""
    ensure_can_manage_lot(user, lot)
    lock_lot(lot)
    refusal = announcement_refusal(lot)
    if refusal is not None:
        raise Conflict(refusal)
    reason = text_field(
        reason if (reason or "").strip() else lot.status_reason,
        _("流标/废标原因"),
        "",
        "reason",
        required=True,
        max_len=2000,
    )
    next_step = text_field(next_step, _("后续安排"), "", "next_step", required=False, max_len=2000)
    facts = failure_facts(lot)
    fields = {**lot_fields(lot), **facts, "reason": reason, "next_step": next_step}
    with force_locale("zh_CN"):
        word = _("废标公告") if facts["stage"] == STAGE_EVALUATION else _("流标公告")
        title = fit_title(f"{lot.project.name}（{lot.name}）", word)
        body = render_failure_body(fields)
    ann = publish_announcement(
        user, lot.project, AnnouncementKind.FAILURE, title, body, lot=lot, fields=fields
    )
    record(
        actions.FAILURE_PUBLISHED,
        lot,
        {"announcement_id": ann.id, "stage": facts["stage"], "reason": reason},
        actor=user,
    )
    for org_id in rules.bidder_ids(lot):
        for person in rules.supplier_users(org_id):
            notify(
                person,
                "result",
                str(_l("%(w)s：%(lot)s", w=word, lot=lot.name)),
                reason,
                f"/announcements/{ann.id}",
            )
    return ann
