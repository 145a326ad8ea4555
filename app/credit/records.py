"""Use cases of credit records: enter one (supplier or expert), lift a ban, and the bar that
keeps a blacklisted supplier from tender documents and bids.

The 失信 rule lives here once (`check_period`): a blacklist entry needs a basis and an end
1–3 years after its start. Experts' records are written through `experts.records`, whose
ban the draw's pool filter already honours; suppliers' are `CreditRecord`s, which
`blacklist_bar` turns into a participation bar for the bidding floor.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Organisation, OrgKind, User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.credit import actions, policies
from app.credit.models import CreditKind, CreditRecord
from bidding.hooks import Bar
from experts import records as expert_records
from experts.models import CreditEntry, Expert
from experts.models import CreditKind as ExpertCreditKind

MIN_BAN_YEARS, MAX_BAN_YEARS = 1, 3
EXPERT_KIND = {
    CreditKind.GOOD: ExpertCreditKind.REWARD,
    CreditKind.BAD: ExpertCreditKind.PENALTY,
    CreditKind.BLACKLIST: ExpertCreditKind.BAN,
}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 China time of `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.CST).astimezone(dt.UTC)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return clock.cst_date(value)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(_l("日期格式无效，应为 YYYY-MM-DD。"), field=field) from exc


def _kind(value: Any) -> CreditKind:
    try:
        return CreditKind(value)
    except ValueError as exc:
        raise ValidationError(
            _l("信用记录类型须为：良好行为、不良行为或失信。"), field="kind"
        ) from exc


def check_period(
    kind: CreditKind, basis: str, start: dt.date, end: dt.date | None
) -> tuple[dt.datetime, dt.datetime | None]:
    """The record's period as instants: from 00:00 of `start` to 24:00 of `end` (China time).

    A blacklist entry needs a basis and an end 1–3 years after the start."""
    if end is not None and end < start:
        raise ValidationError(_l("截止日期不能早于开始日期。"), field="end_date")
    if kind == CreditKind.BLACKLIST:
        if not basis:
            raise ValidationError(
                _l("列入失信名单须填写依据（法律条款、处罚决定书文号）。"), field="basis"
            )
        earliest = add_years(start, MIN_BAN_YEARS) - dt.timedelta(days=1)
        latest = add_years(start, MAX_BAN_YEARS) - dt.timedelta(days=1)
        if end is None:
            raise ValidationError(
                _l(
                    "列入失信名单须填写截止日期：限制期 1–3 年，即 %(a)s 至 %(b)s 之间。",
                    a=earliest.isoformat(),
                    b=latest.isoformat(),
                ),
                field="end_date",
            )
        if not earliest <= end <= latest:
            raise ValidationError(
                _l(
                    "失信限制期须为 1–3 年：截止日期应在 %(a)s 至 %(b)s 之间。",
                    a=earliest.isoformat(),
                    b=latest.isoformat(),
                ),
                field="end_date",
            )
    return day_start(start), day_start(end + dt.timedelta(days=1)) if end else None


def _fields(
    data: dict[str, Any],
) -> tuple[CreditKind, str, str, str, dt.datetime, dt.datetime | None]:
    kind = _kind(data.get("kind"))
    authority = str(data.get("authority") or "").strip()
    basis = str(data.get("basis") or "").strip()
    result = str(data.get("result") or "").strip()
    if not authority:
        raise ValidationError(_l("请填写认定机关（作出决定的机关）。"), field="authority")
    if not result:
        raise ValidationError(_l("请填写处理结果。"), field="result")
    start = _date(data.get("start_date"), "start_date") or clock.cst_date(clock.now())
    end = _date(data.get("end_date"), "end_date")
    start_at, end_at = check_period(kind, basis, start, end)
    return kind, authority[:200], basis, result, start_at, end_at


def add_supplier_record(actor: User, org: Organisation, data: dict[str, Any]) -> CreditRecord:
    policies.ensure_can_record_credit(actor)
    if org.kind != OrgKind.SUPPLIER:
        raise ValidationError(_l("只能为供应商单位登记信用记录。"), field="organisation_id")
    kind, authority, basis, result, start_at, end_at = _fields(data)
    item = CreditRecord(
        organisation_id=org.id,
        kind=kind,
        authority=authority,
        basis=basis,
        result=result,
        start_at=start_at,
        end_at=end_at,
        centre_id=actor.centre_id,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.CREDIT_RECORDED,
        item,
        {
            "organisation_id": org.id,
            "credit_code": org.credit_code,
            "kind": kind.value,
            "authority": authority,
            "start": start_at.isoformat(),
            "end": end_at.isoformat() if end_at else None,
        },
        actor=actor,
    )
    return item


def add_expert_record(actor: User, expert: Expert, data: dict[str, Any]) -> CreditEntry:
    """An expert's record goes into the expert's own credit record, which the draw reads."""
    policies.ensure_can_record_credit(actor)
    kind, authority, basis, result, start_at, end_at = _fields(data)
    return expert_records.add_credit_entry(
        expert,
        EXPERT_KIND[kind],
        result,
        actor,
        start=start_at,
        end=end_at,
        authority=authority,
        basis=basis,
    )


def lift(actor: User, item: CreditRecord, reason: str) -> CreditRecord:
    """信用修复: the authority ended a ban early; the record stays published as lifted."""
    policies.ensure_can_record_credit(actor)
    if not (reason or "").strip():
        raise ValidationError(_l("请填写解除理由（如 信用修复决定书文号）。"), field="reason")
    if item.lifted_at is not None:
        raise Conflict(_l("该信用记录已于此前解除，不能重复解除。"))
    now = clock.now()
    if item.kind != CreditKind.BLACKLIST or not item.in_force(now):
        raise Conflict(_l("只有正在执行的失信记录可以解除。"))
    item.lifted_at = now
    item.lifted_by_id = actor.id
    item.lift_reason = reason.strip()
    db.session.flush()
    record(actions.CREDIT_LIFTED, item, {"reason": item.lift_reason}, actor=actor)
    return item


@functools.cache
def _bans_in_force() -> Any:
    # Built once: every step of every bid and download asks it.
    at = bindparam("at")
    return (
        select(CreditRecord)
        .where(
            CreditRecord.organisation_id == bindparam("org_id"),
            CreditRecord.kind == CreditKind.BLACKLIST,
            CreditRecord.lifted_at.is_(None),
            CreditRecord.start_at <= at,
            or_(CreditRecord.end_at.is_(None), CreditRecord.end_at > at),
        )
        .order_by(CreditRecord.end_at.desc())
    )


def active_bans(org_id: int, at: dt.datetime) -> list[CreditRecord]:
    return list(db.session.execute(_bans_in_force(), {"org_id": org_id, "at": at}).scalars())


def blacklist_bar(org: Organisation, at: dt.datetime) -> Bar | None:
    """The participation bar the bidding floor consults: the longest ban in force."""
    bans = active_bans(org.id, at)
    if not bans:
        return None
    ban = bans[0]
    return Bar(
        reason=_(
            "贵单位被%(a)s列入失信名单（依据：%(b)s）",
            a=ban.authority,
            b=ban.basis,
        ),
        until=ban.end_at,
        source=f"credit_record:{ban.id}",
    )
