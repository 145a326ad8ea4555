"""Publish a lot's prequalification notice (资格预审公告) with its documents on offer.

The two clocks of 招标投标法实施条例 第十六条、第十七条 (`bidding.clocks`) are checked here
and refused with the earliest lawful date. The notice is an announcement like every other
(the portal lists it); its fields are the ones a real 资格预审公告 carries.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.calendar import calendar_for
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.core.http import load_or_404
from bidding import clocks, policies
from bidding.announcements import publish_announcement
from bidding.documents.files import StagedFile
from bidding.forms import text_field
from bidding.labels import method_label
from bidding.methods import rule_for
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title, party_fields
from bidding.prequal import actions
from bidding.prequal.models import Prequalification, PrequalStatus, ReviewMethod


@functools.cache
def _prequal_of_lot() -> Any:
    # Built once: every download and bid step asks whether the lot was prequalified.
    return select(Prequalification).where(Prequalification.lot_id == bindparam("lot_id"))


def prequal_of(lot: Lot) -> Prequalification | None:
    return db.session.execute(_prequal_of_lot(), {"lot_id": lot.id}).scalar_one_or_none()


def prequal_of_announcement(a: Announcement) -> Prequalification | None:
    """The prequalification a notice is about: its notice, a correction of it, or the
    notice that its review is over (a withdrawal is the lot's termination notice)."""
    prequal_id = (a.fields or {}).get("prequal_id")
    if not prequal_id or a.kind not in (
        AnnouncementKind.PREQUALIFICATION,
        AnnouncementKind.CLARIFICATION,
        AnnouncementKind.PREQUAL_RESULT,
    ):
        return None
    return db.session.get(Prequalification, prequal_id)


def get_prequal(prequal_id: int) -> Prequalification:
    return load_or_404(Prequalification, prequal_id)


def has_prequalification(lot: Lot) -> bool:
    return prequal_of(lot) is not None


def _day(day: dt.date) -> str:
    return formatting.cst(clocks.start_of_day(day), formatting.CHINESE_DAY)


def notice_identity(prequal: Prequalification) -> dict[str, Any]:
    """The fields every notice of a prequalification opens with: which prequalification,
    project and lot it belongs to."""
    lot, project = prequal.lot, prequal.lot.project
    return {
        "prequal_id": prequal.id,
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
    }


def check_clocks(lot: Lot, start: dt.datetime, end: dt.datetime, deadline: dt.datetime) -> None:
    """Refuse an offer shorter than the law's or applications due too soon after it."""
    settings = lot.project.centre.settings or {}
    calendar = calendar_for(lot.project.centre_id)
    if end <= start:
        raise ValidationError(_("资格预审文件的发售截止时间须晚于开始时间。"), field="offer_end_at")
    offer_days = clocks.prequal_offer_min_days(current_app.config, settings)
    if not clocks.prequal_offer_is_lawful(start, end, offer_days, calendar):
        earliest = clocks.earliest_prequal_offer_end_date(start, offer_days, calendar)
        raise ValidationError(
            _(
                "资格预审文件的发售期不得少于 %(n)s 日：发售截止最早可定在 %(d)s。",
                n=offer_days,
                d=_day(earliest),
            ),
            field="offer_end_at",
        )
    apply_days = clocks.prequal_application_min_days(current_app.config, settings)
    if not clocks.prequal_application_is_lawful(end, deadline, apply_days, calendar):
        earliest = clocks.earliest_prequal_application_date(end, apply_days, calendar)
        raise ValidationError(
            _(
                "提交资格预审申请文件的时间自资格预审文件停止发售之日起不得少于 %(n)s 日："
                "申请截止最早可定在 %(d)s。",
                n=apply_days,
                d=_day(earliest),
            ),
            field="application_deadline",
        )


def aware_time(value: Any, field: str) -> dt.datetime:
    """A time as given: aware, or read as China Standard Time."""
    if isinstance(value, str) and value.strip():
        return clock.parse_cst(value)
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("请填写资格预审的时间安排。"), field=field)
    return (value if value.tzinfo else value.replace(tzinfo=clock.CST)).astimezone(dt.UTC)


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise ValidationError(_("资格预审文件售价须是金额。"), field="document_price") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("资格预审文件售价须为不小于零、最多两位小数的金额。"), field="document_price"
        )
    return amount


def _review_method(data: dict[str, Any]) -> tuple[ReviewMethod, int | None]:
    try:
        method = ReviewMethod(str(data.get("review_method") or ReviewMethod.PASS_FAIL.value))
    except ValueError:
        raise ValidationError(_("请选择资格审查方法。"), field="review_method") from None
    if method == ReviewMethod.PASS_FAIL:
        return method, None
    try:
        limit = int(data.get("max_passed") or 0)
    except (TypeError, ValueError):
        limit = 0
    if limit < 3:
        raise ValidationError(
            _("有限数量制须写明通过资格预审的申请人数量，且不少于 3 家。"), field="max_passed"
        )
    return method, limit


def publish(user: Any, lot: Lot, data: dict[str, Any], document: StagedFile) -> Prequalification:
    """Publish the notice and put the documents on offer; the lot stays in preparation
    (its tender documents and invitations follow the review)."""
    policies.ensure_can_manage_lot(user, lot)
    rule = rule_for(lot.project.method)
    if not rule.is_tendering:
        raise Conflict(
            _("%(m)s不适用资格预审，资格预审只用于招标项目。", m=method_label(lot.project.method))
        )
    if lot.status != LotStatus.DRAFT:
        raise Conflict(_("资格预审须在发布招标公告或发出投标邀请书之前进行。"))
    if prequal_of(lot) is not None:
        raise Conflict(_("本标段已发布资格预审公告。"))
    now = clock.now()
    start, end, deadline = (
        aware_time(data.get(k), k)
        for k in ("offer_start_at", "offer_end_at", "application_deadline")
    )
    if deadline <= now:
        raise ValidationError(_("资格预审申请截止时间已过。"), field="application_deadline")
    # The documents cannot go out before the notice does: the clocks run from the later.
    start = max(start, now)
    check_clocks(lot, start, end, deadline)
    requirements = text_field(
        data.get("requirements"),
        _("申请人资格要求"),
        "",
        "requirements",
        required=True,
        max_len=20_000,
    )
    place = text_field(
        data.get("submission_place") or _("本平台在线递交"),
        _("申请文件递交方式"),
        "",
        "submission_place",
        required=True,
        max_len=200,
    )
    method, limit = _review_method(data)
    price = _money(data.get("document_price"))
    project = lot.project
    item = Prequalification(
        lot_id=lot.id,
        status=PrequalStatus.OPEN,
        requirements=requirements,
        consortium_allowed=bool(data.get("consortium_allowed")),
        review_method=method,
        max_passed=limit,
        document_price=price,
        offer_start_at=start,
        offer_end_at=end,
        application_deadline=deadline,
        submission_place=place,
        document_sha256=document.sha256,
        document_name=document.filename,
        published_by_id=user.id,
        published_at=now,
    )
    db.session.add(item)
    db.session.flush()
    fields: dict[str, Any] = {
        **notice_identity(item),
        "method": project.method.value,
        "budget": lot.budget,
        "requirements": requirements,
        "consortium_allowed": item.consortium_allowed,
        "review_method": review_method_text(method, limit),
        "document_price": price,
        "offer_start_at": start,
        "offer_end_at": end,
        "application_deadline": deadline,
        "submission_place": place,
        "document_sha256": document.sha256,
        **party_fields(project, data),
    }
    title = fit_title(f"{project.name} {lot.name}", _("资格预审公告"))
    body = _(
        "%(agency)s受%(purchaser)s委托，对“%(name)s”（%(lot)s）进行资格预审，"
        "邀请有意参加的潜在投标人提出资格预审申请。资格预审文件自 %(start)s 起至 %(end)s 止"
        "在本平台获取；资格预审申请文件须于 %(deadline)s 前递交（%(place)s）。"
        "通过资格预审的申请人将收到投标邀请。",
        agency=project.agency.name,
        purchaser=project.purchaser.name,
        name=project.name,
        lot=lot.name,
        start=formatting.cst(start, formatting.CHINESE_MINUTE),
        end=formatting.cst(end, formatting.CHINESE_MINUTE),
        deadline=formatting.cst(deadline, formatting.CHINESE_MINUTE),
        place=place,
    )
    ann = publish_announcement(
        user, project, AnnouncementKind.PREQUALIFICATION, title, body, lot=lot, fields=fields
    )
    item.announcement_id = ann.id
    record(
        actions.PUBLISHED,
        item,
        {
            "lot_id": lot.id,
            "announcement_id": ann.id,
            "offer_start_at": start.isoformat(),
            "offer_end_at": end.isoformat(),
            "application_deadline": deadline.isoformat(),
            "document_sha256": document.sha256,
        },
        actor=user,
    )
    return item


def review_method_text(method: ReviewMethod, limit: int | None) -> str:
    # Stored as the notice's words (a notice never changes once published).
    if method == ReviewMethod.LIMITED:
        return f"有限数量制（通过资格预审的申请人不超过 {limit} 家）"
    return "合格制"
