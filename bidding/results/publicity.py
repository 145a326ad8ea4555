"""中标候选人公示: the agency publishes the candidates of the signed report."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, ValidationError
from app.core.notify import notify
from bidding import clocks
from bidding.announcements import publish_announcement
from bidding.labels import method_label, status_label
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title
from bidding.policies import ensure_can_manage_lot
from bidding.projects import lock_lot
from bidding.results import actions, rules
from bidding.results.handoff import result_of
from bidding.results.models import LotResult
from bidding.results.texts import lot_fields, render_publicity_body


def loaded_result(lot: Lot) -> LotResult:
    result = result_of(lot)
    if result is None:
        raise Conflict(_l("该标段尚无已签署的评标报告。"))
    return result


def publish_publicity(lot: Lot, user: User, days: int | None = None) -> Announcement:
    """Publish the candidates, rejected bids and how to object; the lot enters publicity."""
    ensure_can_manage_lot(user, lot)
    lock_lot(lot)
    result = loaded_result(lot)
    if not rules.has_candidate_publicity(lot):
        raise Conflict(
            _l(
                "%(m)s不进行候选人公示：评审结束后直接确定%(w)s并发布%(n)s。",
                m=method_label(lot.project.method),
                w=_(rules.words(lot).winner),
                n=_(rules.words(lot).result_notice),
            )
        )
    if lot.status != LotStatus.EVALUATED:
        raise Conflict(
            _l(
                "标段当前状态为“%(s)s”，只有评标结束的标段可以发布中标候选人公示。",
                s=status_label(lot.status),
            )
        )
    least = rules.publicity_days(lot)
    if days is None:
        days = least
    if days < least:
        raise ValidationError(
            _l("公示期不得少于 %(n)s 日。", n=least),
            field="days",
        )
    if days > 30:
        raise ValidationError(_l("公示期不得超过 30 日。"), field="days")
    now = clock.now()
    end = clocks.publicity_end(now, days, rules.calendar(lot))
    answer_days = rules.period(
        lot, "result_objection_answer_days", clocks.DEFAULT_RESULT_OBJECTION_ANSWER_DAYS
    )
    fields = {
        **lot_fields(lot),
        "candidates": result.candidates,
        "rejected": result.rejected,
        "report_sha256": result.report_sha256,
        "publicity_start": now,
        "publicity_end": end,
        "answer_days": answer_days,
    }
    with force_locale("zh_CN"):
        title = fit_title(f"{lot.project.name}（{lot.name}）", _("中标候选人公示"))
        body = render_publicity_body({**fields, "publicity_start": now, "publicity_end": end})
    ann = publish_announcement(
        user, lot.project, AnnouncementKind.CANDIDATES, title, body, lot=lot, fields=fields
    )
    late = now > result.publish_by
    result.publicity_id, result.publicity_start, result.publicity_end = ann.id, now, end
    lot.status = LotStatus.PUBLICITY
    record(
        actions.PUBLICITY_PUBLISHED,
        lot,
        {
            "announcement_id": ann.id,
            "publicity_end": end.isoformat(),
            "days": days,
            "late": late,
            "publish_by": result.publish_by.isoformat(),
        },
        actor=user,
    )
    if late:
        # Published after the legal window: the supervisors are told, not the publication refused.
        for supervisor in rules.supervisors(lot):
            notify(
                supervisor,
                "result_late",
                str(_l("中标候选人公示逾期发布：%(lot)s", lot=lot.name)),
                str(
                    _l(
                        "应于 %(t)s 前发布，实际发布于 %(a)s。",
                        t=formatting.cst(result.publish_by),
                        a=formatting.cst(now),
                    )
                ),
                rules.staff_link(lot),
            )
    for org_id in rules.bidder_ids(lot):
        for person in rules.supplier_users(org_id):
            notify(
                person,
                "result",
                str(_l("中标候选人公示已发布：%(lot)s", lot=lot.name)),
                str(_l("公示期至 %(t)s（北京时间）。", t=formatting.cst(end))),
                rules.supplier_link(lot),
            )
    return ann
