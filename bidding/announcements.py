"""Announcements: publish any notice, the procurement intent and the tender notice.

A published announcement is never changed afterwards; a correction supersedes it. The
tender notice refuses timetables that break the lawful clocks and opens its lots.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core import clock, formatting, search
from app.core.audit import record
from app.core.auth.models import User
from app.core.calendar import calendar_for
from app.core.db import to_money
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import actions, clocks, hooks, intents, methods, policies
from bidding.forms import text_field
from bidding.labels import method_label, status_label
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Project
from bidding.notice_text import (
    TITLE_MAX,
    fit_title,
    objection_how,
    party_fields,
    render_intent_body,
    tender_body,
    tender_defaults,
)
from bidding.projects import latest_announcement


def publish_announcement(
    user: User,
    project: Project,
    kind: AnnouncementKind | str,
    title: str,
    body: str,
    *,
    lot: Lot | None = None,
    fields: Mapping[str, Any] | None = None,
    supersedes: Announcement | None = None,
    authorised: bool = False,
) -> Announcement:
    """Publish one announcement now. Published announcements are never changed afterwards.

    Any kind may be published this way (e.g. clarifications by the documents module); the
    lifecycle effects of a tender notice or a termination live in their own services.
    `authorised`: the calling service has checked its own rule (the purchaser files the
    contract, whose announcement follows).
    """
    if not authorised:
        policies.ensure_can_manage_project(user, project)
    kind = AnnouncementKind(kind)
    title = text_field(title, _("公告标题"), "", "title", required=True, max_len=TITLE_MAX)
    body = text_field(body, _("公告正文"), "", "body", required=True, max_len=200_000)
    if lot is not None and lot.project_id != project.id:
        raise ValidationError(_("标段不属于该项目。"), field="lot_id")
    if supersedes is not None and (
        supersedes.project_id != project.id or supersedes.published_at is None
    ):
        raise ValidationError(_("被更正的公告须是本项目已发布的公告。"), field="supersedes_id")
    now = clock.now()
    ann = Announcement(
        project_id=project.id,
        lot_id=lot.id if lot is not None else None,
        kind=kind,
        title=title,
        body=body,
        fields=_jsonable(dict(fields or {})),
        centre_id=project.centre_id,
        method=project.method,
        category_code=lot.category_code if lot is not None else project.category_code,
        published_at=now,
        supersedes_id=supersedes.id if supersedes is not None else None,
        created_by_id=user.id,
        created_at=now,
    )
    db.session.add(ann)
    db.session.flush()
    search.index("announcement", ann.id, ann.title, ann.body, project.name, project.purchaser.name)
    record(
        actions.ANNOUNCEMENT_PUBLISHED,
        ann,
        {
            "kind": kind.value,
            "title": title,
            "project_id": project.id,
            "lot_id": ann.lot_id,
            "supersedes_id": ann.supersedes_id,
        },
        actor=user,
    )
    return ann


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(to_money(value))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def publish_intent(
    user: User, project: Project, given: Mapping[str, Any], *, lot: Lot | None = None
) -> Announcement:
    """Publish the procurement intent (采购意向) of a project or of one of its lots."""
    policies.ensure_can_manage_project(user, project)
    if lot is not None and lot.project_id != project.id:
        raise ValidationError(_("标段不属于该项目。"), field="lot_id")
    lots = [lot] if lot is not None else list(project.lots)
    if lot is not None and lot.status == LotStatus.TERMINATED:
        raise Conflict(_("标段已终止，不能发布采购意向。"))
    if all(x.status != LotStatus.DRAFT for x in lots):
        raise Conflict(_("采购意向须在招标公告发布之前公开；该项目（标段）已进入招标阶段。"))
    requirements = text_field(
        given.get("requirements"),
        _("采购需求概况"),
        "",
        "requirements",
        required=True,
        max_len=5000,
    )
    month = str(given.get("expected_month") or "").strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValidationError(
            _("预计采购时间应为“YYYY-MM”格式的年月，例如 2026-05。"), field="expected_month"
        )
    remarks = text_field(
        given.get("remarks"), _("备注"), "", "remarks", required=False, max_len=2000
    )
    budget = sum((x.budget for x in lots), Decimal("0"))
    fields: dict[str, Any] = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_code": lot.code if lot is not None else None,
        "lot_name": lot.name if lot is not None else None,
        "method": project.method.value,
        "category_code": lot.category_code if lot is not None else project.category_code,
        "budget": budget,
        "requirements": requirements,
        "expected_month": month,
        "remarks": remarks,
        **intents.plan_fields(project),
        **party_fields(project, given),
    }
    subject = f"{project.name}{('（' + lot.name + '）') if lot is not None else ''}"
    with force_locale("zh_CN"):
        title = fit_title(subject, _("采购意向公告"))
        body = render_intent_body(fields)
    previous = latest_announcement(project, AnnouncementKind.INTENT, lot)
    return publish_announcement(
        user,
        project,
        AnnouncementKind.INTENT,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=previous,
    )


def _lot_fields(lot: Lot) -> dict[str, Any]:
    return {
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "category_code": lot.category_code,
        "budget": lot.budget,
        "ceiling_price": lot.ceiling_price,
        "floor_price": lot.floor_price,
        "bid_bond": lot.bid_bond,
        "evaluation_method": lot.evaluation_method.value,
        "validity_days": lot.validity_days,
        "doc_start_at": lot.doc_start_at,
        "doc_end_at": lot.doc_end_at,
        "bid_deadline": lot.bid_deadline,
        "opening_time": lot.bid_deadline,
        "opening_place": lot.opening_place,
    }


def check_tender_clocks(lot: Lot, now: dt.datetime | None = None) -> None:
    """Refuse a timetable that breaks the bid-period or document-window clocks."""
    project = lot.project
    label = lot.name
    if lot.doc_start_at is None or lot.doc_end_at is None or lot.bid_deadline is None:
        raise ValidationError(
            _(
                "标段“%(n)s”的时间安排不完整：发布招标公告前须填写文件发售起止时间和投标截止（开标）时间。",
                n=label,
            ),
            field="bid_deadline",
        )
    now = now or clock.now()
    if lot.bid_deadline <= now:
        raise ValidationError(
            _(
                "标段“%(n)s”的投标截止时间（%(d)s）已过。",
                n=label,
                d=formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE),
            ),
            field="bid_deadline",
        )
    # Documents cannot go out before the notice does: the clocks run from the later of the two.
    start = max(lot.doc_start_at, now)
    settings = project.centre.settings or {}
    rule = methods.rule_for(project.method)
    period = methods.response_period(project.method, current_app.config, settings)
    min_days = period.days
    min_window = clocks.document_window_min_working_days(current_app.config, settings)
    problems = clocks.check_timetable(
        doc_start=start,
        doc_end=lot.doc_end_at,
        deadline=lot.bid_deadline,
        min_bid_days=min_days,
        min_window_days=min_window,
        calendar=calendar_for(project.centre_id),
        bid_period_working=period.working,
        check_window=rule.has_document_window,
    )
    messages: list[str] = []
    field = "bid_deadline"
    for p in problems:
        if p.code == "bid_period" and period.working:
            messages.append(
                _(
                    "标段“%(n)s”：%(m)s自采购文件开始发出之日起至响应截止之日止不得少于 %(d)s 个工作日"
                    "（按本中心工作日历，发出当日不计入），"
                    "当前截止时间为 %(cur)s，截止日期最早为 %(e)s（当日任何时刻均可）",
                    n=label,
                    m=method_label(project.method),
                    d=min_days,
                    cur=formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE),
                    e=p.bound.strftime(formatting.CHINESE_DAY),
                )
            )
        elif p.code == "bid_period":
            messages.append(
                _(
                    "标段“%(n)s”：%(m)s自招标文件开始发出之日起至投标截止之日止不得少于 %(d)s 日"
                    "（发出当日不计入，末日为法定节假日的顺延至其后第一个工作日），"
                    "当前投标截止时间为 %(cur)s，投标截止日期最早为 %(e)s（当日任何时刻均可）",
                    n=label,
                    m=method_label(project.method),
                    d=min_days,
                    cur=formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE),
                    e=p.bound.strftime(formatting.CHINESE_DAY),
                )
            )
        else:
            if not messages:
                field = "doc_end_at"
            messages.append(
                _(
                    "标段“%(n)s”：招标文件发售期不得少于 %(w)s 个工作日（按本中心工作日历，发出当日不计入，当前安排仅 %(a)s 个工作日），"
                    "文件发售截止日期最早为 %(e)s",
                    n=label,
                    w=min_window,
                    a=p.actual,
                    e=p.bound.strftime(formatting.CHINESE_DAY),
                )
            )
    if messages:
        raise ValidationError("；".join(messages) + "。", field=field)


def _given_or_default(given: Mapping[str, Any], defaults: Mapping[str, Any], key: str) -> Any:
    value = given.get(key)
    return defaults[key] if value is None else value


def publish_tender_notice(
    user: User,
    project: Project,
    given: Mapping[str, Any],
    *,
    lots: Sequence[Lot] | None = None,
) -> Announcement:
    """Publish the tender notice (招标公告) for some draft lots (all of them by default).

    Refuses timetables under the lawful clocks; on success the lots become PUBLISHED.
    """
    policies.ensure_can_manage_project(user, project)
    targets = (
        list(lots) if lots is not None else [x for x in project.lots if x.status == LotStatus.DRAFT]
    )
    if not targets:
        raise Conflict(_("没有可发布的标段：只有登记中的标段可以发布招标公告。"))
    for lot in targets:
        if lot.project_id != project.id:
            raise ValidationError(_("标段不属于该项目。"), field="lot_id")
        if lot.status != LotStatus.DRAFT:
            raise Conflict(
                _(
                    "标段“%(n)s”当前状态为“%(s)s”，只有登记中的标段可以发布招标公告。",
                    n=lot.name,
                    s=status_label(lot.status),
                )
            )
    now = clock.now()
    for lot in targets:
        check_tender_clocks(lot, now)
    intents.check_intent_lead(project, targets, now)
    # What the form starts from is also what an API call that leaves a field out gets; a
    # field sent blank is refused, since someone cleared it on purpose.
    defaults = tender_defaults(project, targets[0] if len(targets) == 1 else None)
    requirements = text_field(
        _given_or_default(given, defaults, "requirements"),
        _("采购需求"),
        "",
        "requirements",
        required=True,
        max_len=20000,
    )
    qualifications = text_field(
        _given_or_default(given, defaults, "qualifications"),
        _("投标人资格要求"),
        "",
        "qualifications",
        required=True,
        max_len=10000,
    )
    obtain = text_field(
        given.get("doc_obtain_method") or defaults["doc_obtain_method"],
        _("招标文件获取方式"),
        "",
        "doc_obtain_method",
        required=True,
        max_len=2000,
    )
    submission = text_field(
        given.get("bid_submission") or defaults["bid_submission"],
        _("投标文件递交方式"),
        "",
        "bid_submission",
        required=True,
        max_len=2000,
    )
    remarks = text_field(
        given.get("remarks"), _("其他补充事宜"), "", "remarks", required=False, max_len=5000
    )
    # The fields only this method's notice carries (单一来源: the reason and the supplier).
    method_fields = {
        name: text_field(
            given.get(name),
            _(methods.NOTICE_FIELD_LABELS[name]),
            "",
            name,
            required=name not in methods.OPTIONAL_NOTICE_FIELDS,
            max_len=2000,
        )
        for name in methods.rule_for(project.method).notice_fields
    }
    rule = methods.rule_for(project.method)
    if rule.publicity_working_days:
        # A publicity (单一来源) states its period: from the documents' first issue, as
        # the objections to it are counted (bidding.documents.objections).
        start = min(lot.doc_start_at for lot in targets)
        method_fields["publicity_start"] = start
        method_fields["publicity_end"] = clocks.publicity_objection_end(
            start, rule.publicity_working_days, calendar_for(project.centre_id)
        )
        with force_locale("zh_CN"):
            method_fields["objection_how"] = objection_how()
    lot_rows = [_lot_fields(lot) for lot in targets]
    fields: dict[str, Any] = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "method": project.method.value,
        "category_code": targets[0].category_code if len(targets) == 1 else project.category_code,
        "funding_source": project.funding_source,
        "budget": sum((lot.budget for lot in targets), Decimal("0")),
        "ceiling_price": (
            sum((lot.ceiling_price for lot in targets), Decimal("0"))
            if all(lot.ceiling_price is not None for lot in targets)
            else None
        ),
        "lots": lot_rows,
        "requirements": requirements,
        "qualifications": qualifications,
        "doc_obtain_method": obtain,
        "doc_start_at": min(lot.doc_start_at for lot in targets),
        "doc_end_at": max(lot.doc_end_at for lot in targets),
        "bid_deadline": min(lot.bid_deadline for lot in targets),
        "opening_place": targets[0].opening_place,
        "bid_submission": submission,
        "remarks": remarks,
        **method_fields,
        **party_fields(project, given),
    }
    exemption = intents.exemption_of(project)
    if exemption is not None:
        fields["intent_exemption"] = exemption.reason
    single = targets[0] if len(targets) == 1 else None
    subject = project.name + (f"（{single.name}）" if single and len(project.lots) > 1 else "")
    with force_locale("zh_CN"):
        kind_word = _(methods.rule_for(project.method).notice_word)
        title = fit_title(subject, kind_word)
        render = tender_body(
            methods.notice_field_kind(project.method, AnnouncementKind.TENDER.value)
        )
        body = render(fields, lot_rows, project.method)
    ann = publish_announcement(
        user,
        project,
        AnnouncementKind.TENDER,
        title,
        body,
        lot=single,
        fields=fields,
        supersedes=latest_announcement(project, AnnouncementKind.TENDER, single),
    )
    for lot in targets:
        # Higher floors react here (the scoring scheme is frozen) and may refuse.
        hooks.before_tender_published(lot, user, ann)
    for lot in targets:
        lot.status = LotStatus.PUBLISHED
        lot.status_reason = ""
        record(
            actions.LOT_PUBLISHED,
            lot,
            {"announcement_id": ann.id, "bid_deadline": lot.bid_deadline.isoformat()},
            actor=user,
        )
    db.session.flush()
    return ann
