"""Buyers post service needs; agencies sign up; direct choice, award, contract, completion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.db import to_money
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from app.market import actions, agencies, policies
from app.market.catalogue import get_type
from app.market.models import Bid, Interest, Need, NeedMethod, NeedStatus

CONTRACT_MAX_BYTES = 20 * 1024 * 1024
PUBLISHED = (NeedStatus.AWARDED, NeedStatus.CONTRACTED, NeedStatus.COMPLETED)
COMPETITIVE_ONLY = _l(
    "政府部门在审批中委托的技术服务须通过竞争方式选取（网上竞价、随机抽取或综合评审），"
    "不能直接选取。"
)


def get_need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound(_l("服务需求不存在。"))
    return need


def money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationError(_l("请填写金额。"), field=field)
        return None
    try:
        amount = to_money(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_l("金额格式有误。"), field=field) from exc
    if amount <= 0 or amount >= Decimal("100000000000"):
        raise ValidationError(_l("金额须大于 0 且小于一千亿元。"), field=field)
    return amount


def _when(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else clock.parse_cst(value.isoformat())
    try:
        return clock.parse_cst(str(value or ""))
    except (ValueError, TypeError) as exc:
        raise ValidationError(_l("请填写时间（北京时间，年-月-日 时:分）。"), field=field) from exc


def _int(value: Any, field: str, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = low - 1
    if not low <= n <= high:
        raise ValidationError(_l("应为 %(a)s 到 %(b)s 之间的整数。", a=low, b=high), field=field)
    return n


def post_need(actor: Any, data: dict[str, Any]) -> Need:
    """A buyer publishes a need with its selection method; the rules of the method apply here."""
    policies.ensure_buyer_user(actor)
    title = str(data.get("title", "") or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_l("请填写需求名称（不超过 200 字）。"), field="title")
    t = get_type(str(data.get("type_code", "") or ""))
    try:
        method = NeedMethod(str(data.get("method", "")))
    except ValueError as exc:
        raise ValidationError(_l("请选择选取方式。"), field="method") from exc
    gov = bool(data.get("gov_commissioned"))
    if gov and method == NeedMethod.DIRECT:
        raise ValidationError(COMPETITIVE_ONLY, field="method")
    budget = money(data.get("budget"), "budget")
    ceiling = money(data.get("ceiling"), "ceiling", required=False)
    assert budget is not None
    if ceiling is not None and ceiling < budget:
        raise ValidationError(_l("最高限价不得低于预算金额。"), field="ceiling")
    deadline = data.get("service_deadline")
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError:
            deadline = None
    if not isinstance(deadline, dt.date) or deadline < agencies.today():
        raise ValidationError(_l("请填写今天或以后的服务完成期限。"), field="service_deadline")
    now = clock.now()
    need = Need(
        buyer_org_id=actor.organisation_id,
        created_by=actor.id,
        title=title,
        type_code=t.code,
        scope=str(data.get("scope", "") or "").strip()[:4000],
        budget=budget,
        ceiling=ceiling,
        required_level=_int(data.get("required_level", 3), "required_level", 1, 3),
        service_deadline=deadline,
        method=method,
        gov_commissioned=gov,
        status=NeedStatus.OPEN,
        created_at=now,
    )
    if method == NeedMethod.AUCTION:
        starts = _when(data.get("starts_at"), "starts_at")
        closes = _when(data.get("closes_at"), "closes_at")
        if starts < now - dt.timedelta(minutes=1):
            raise ValidationError(_l("竞价开始时间不能早于现在。"), field="starts_at")
        if closes <= starts:
            raise ValidationError(_l("竞价结束时间须晚于开始时间。"), field="closes_at")
        need.starts_at, need.closes_at, need.planned_close_at = starts, closes, closes
        need.step = money(data.get("step"), "step")
        need.extend_window_minutes = _int(
            data.get("extend_window_minutes", 5), "extend_window_minutes", 1, 60
        )
        need.extend_minutes = _int(data.get("extend_minutes", 5), "extend_minutes", 1, 60)
        if need.ceiling is None:
            need.ceiling = budget
    if method == NeedMethod.SEALED:
        from app.market.sealed_scoring import clean

        # The page names the field apart from the auction's end; the API uses closes_at.
        closes = _when(data.get("quote_deadline") or data.get("closes_at"), "closes_at")
        if closes <= now:
            raise ValidationError(_l("报价截止时间须晚于现在。"), field="closes_at")
        need.closes_at = need.planned_close_at = closes
        need.scoring = clean(data.get("scoring"))
    db.session.add(need)
    db.session.flush()
    if method == NeedMethod.SEALED:
        from app.market.sealed import create_key

        create_key(need)
    record(
        actions.NEED_POSTED,
        need,
        {
            "title": title,
            "type": t.code,
            "method": method.value,
            "gov_commissioned": gov,
            "budget": str(budget),
            "starts_at": need.starts_at.isoformat() if need.starts_at else None,
            "closes_at": need.closes_at.isoformat() if need.closes_at else None,
        },
        actor=actor,
    )
    return need


def sign_up(actor: Any, need: Need) -> Interest:
    """An agency signs up for an open need; refused when it may not serve it."""
    policies.ensure_agency_user(actor)
    if need.status != NeedStatus.OPEN:
        raise Conflict(_l("该需求已不再征集。"))
    agencies.ensure_may_serve(actor.organisation_id, need.type_code, need.required_level)
    existing = db.session.execute(
        select(Interest).where(
            Interest.need_id == need.id, Interest.org_id == actor.organisation_id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = Interest(need_id=need.id, org_id=actor.organisation_id, at=clock.now())
    db.session.add(row)
    db.session.flush()
    record(actions.INTEREST, need, {"org_id": actor.organisation_id}, actor=actor)
    return row


def interested_ids(need: Need) -> list[int]:
    return sorted(
        db.session.execute(select(Interest.org_id).where(Interest.need_id == need.id)).scalars()
    )


def award(
    actor: Any,
    need: Need,
    org_id: int,
    price: Decimal,
    reason: str,
) -> Need:
    """The one place a need gets its agency: published on the portal from here on."""
    need.winner_org_id = org_id
    need.price = price
    need.award_reason = reason
    need.awarded_at = clock.now()
    need.status = NeedStatus.AWARDED
    db.session.flush()
    record(
        actions.AWARDED,
        need,
        {"org_id": org_id, "price": str(price), "method": need.method.value, "reason": reason},
        actor=actor,
    )
    return need


def choose_directly(actor: Any, need: Need, org_id: int, price: Any, reason: str) -> Need:
    """Direct choice (直接选取) with its reason; never for a government-commissioned service."""
    policies.ensure_buyer_of(actor, need)
    if need.gov_commissioned or need.method != NeedMethod.DIRECT:
        # Refused attempts at skipping competition are kept in the log.
        record(actions.DIRECT_REFUSED, need, {"org_id": org_id}, actor=actor)
        db.session.commit()
        raise ValidationError(
            COMPETITIVE_ONLY if need.gov_commissioned else _l("该需求的选取方式不是直接选取。"),
            field="org_id",
        )
    if need.status != NeedStatus.OPEN:
        raise Conflict(_l("该需求已选定机构或已终止。"))
    if not reason.strip():
        raise ValidationError(_l("直接选取须填写理由。"), field="reason")
    agencies.ensure_may_serve(org_id, need.type_code, need.required_level)
    amount = money(price, "price")
    assert amount is not None
    if need.ceiling is not None and amount > need.ceiling:
        raise ValidationError(_l("成交金额不得高于最高限价。"), field="price")
    return award(actor, need, org_id, amount, reason.strip()[:1000])


def confirm_auction(actor: Any, need: Need) -> Need:
    """After the close the buyer confirms the lowest qualified price."""
    from app.market.auction import close_if_due, lowest_qualified

    policies.ensure_buyer_of(actor, need)
    close_if_due(need)
    if need.method != NeedMethod.AUCTION or need.status != NeedStatus.CLOSED:
        raise Conflict(_l("只有已结束的网上竞价可以确认成交。"))
    best = lowest_qualified(need)
    if best is None:
        raise Conflict(_l("没有合格的报价，不能成交。"))
    return award(actor, need, best.org_id, best.price, "")


def upload_contract(actor: Any, need: Need, stream: IO[bytes] | None, filename: str) -> Need:
    policies.ensure_buyer_of(actor, need)
    if need.status != NeedStatus.AWARDED:
        raise Conflict(_l("成交后、完成前方可上传合同。"))
    if stream is None or not filename:
        raise ValidationError(_l("请选择合同文件。"), field="file")
    try:
        sha, size = get_store().put_stream(stream, max_bytes=CONTRACT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError(_l("合同文件不得超过 20 MB。"), field="file") from exc
    if size == 0:
        raise ValidationError(_l("合同文件是空文件。"), field="file")
    need.contract_sha256, need.contract_name = sha, filename[-200:]
    need.contracted_at = clock.now()
    need.status = NeedStatus.CONTRACTED
    db.session.flush()
    record(actions.CONTRACT_UPLOADED, need, {"sha256": sha, "size": size}, actor=actor)
    return need


def record_completion(actor: Any, need: Need, note: str) -> Need:
    from app.market.ratings import refresh_credit

    policies.ensure_buyer_of(actor, need)
    if need.status != NeedStatus.CONTRACTED:
        raise Conflict(_l("合同上传后方可确认服务完成。"))
    need.completed_at = clock.now()
    need.completion_note = note.strip()[:2000]
    need.status = NeedStatus.COMPLETED
    db.session.flush()
    assert need.winner_org_id is not None
    refresh_credit(need.winner_org_id)
    record(actions.COMPLETED, need, {"note": need.completion_note}, actor=actor)
    return need


def open_needs(limit: int = 100) -> list[Need]:
    return list(
        db.session.execute(
            select(Need)
            .where(Need.status == NeedStatus.OPEN)
            .order_by(Need.created_at.desc())
            .limit(limit)
        ).scalars()
    )


def results(limit: int = 100) -> list[Need]:
    return list(
        db.session.execute(
            select(Need)
            .where(Need.status.in_(PUBLISHED))
            .order_by(Need.awarded_at.desc())
            .limit(limit)
        ).scalars()
    )


def needs_of_buyer(org_id: int) -> list[Need]:
    return list(
        db.session.execute(
            select(Need).where(Need.buyer_org_id == org_id).order_by(Need.created_at.desc())
        ).scalars()
    )


def needs_for_agency(org_id: int) -> list[Need]:
    """Open needs of the types this agency is listed for, soonest auction first."""
    profile = db.session.get(agencies.AgencyProfile, org_id)
    if profile is None:
        return []
    codes = [s.type_code for s in profile.services if s.listed]
    if not codes:
        return []
    return list(
        db.session.execute(
            select(Need)
            .where(Need.status.in_((NeedStatus.OPEN, NeedStatus.CLOSED)), Need.type_code.in_(codes))
            .order_by(Need.created_at.desc())
        ).scalars()
    )


def won_by(org_id: int) -> list[Need]:
    return list(
        db.session.execute(
            select(Need).where(Need.winner_org_id == org_id).order_by(Need.awarded_at.desc())
        ).scalars()
    )


def bids_count(need: Need) -> int:
    return len(db.session.execute(select(Bid.id).where(Bid.need_id == need.id)).scalars().all())
