"""The opening hall (开标大厅): sign-in, custodians' shares, the reading of prices,
bidders' confirmations and objections. Every command emits a hall event after commit.

Decryption lives in decryption.py, the signed opening record in opening_record.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, Forbidden, NotFound, TooEarly, ValidationError
from app.core.extensions import db
from app.core.http import client_info
from app.core.realtime import emit
from bidding.bids import actions, sealing
from bidding.bids.custody import custodian_row, opening_key
from bidding.bids.freeze import close_lot
from bidding.bids.hold import ensure_not_held
from bidding.bids.models import (
    Bid,
    BidStatus,
    LotCustodian,
    LotOpeningKey,
    Opening,
    OpeningObjection,
    OpeningSignin,
    OpeningStatus,
    get_freeze,
)
from bidding.bids.policies import HALL, is_bidder
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot


def room(lot: Lot) -> str:
    return HALL.name(lot.id)


def hall_event(lot: Lot, kind: str, payload: dict[str, Any]) -> None:
    """A live event to everyone in the lot's hall (logged now, published after commit)."""
    emit(room(lot), kind, payload)


def get_opening(lot: Lot) -> Opening | None:
    return db.session.execute(select(Opening).where(Opening.lot_id == lot.id)).scalar_one_or_none()


def ensure_opening(lot: Lot) -> Opening:
    """The opening exists from the deadline on; the freeze is caught up if the sweep lagged."""
    if lot.bid_deadline is None or clock.now() < lot.bid_deadline:
        raise TooEarly(
            _(
                "开标时间（投标截止时间 %(t)s 北京时间）未到。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    freeze = close_lot(lot) if lot.status == LotStatus.PUBLISHED else get_freeze(lot)
    if freeze is None:
        raise Conflict(_("该标段未进入开标阶段。"))
    if freeze.failed:
        raise Conflict(_("本标段投标人不足，已流标，不予开标。"))
    opening = get_opening(lot)
    if opening is None:
        opening = Opening(lot_id=lot.id, status=OpeningStatus.SIGNIN, started_at=clock.now())
        db.session.add(opening)
        db.session.flush()
        record(actions.OPENING_STARTED, opening, {"lot": lot.id}, actor=None)
    return opening


def _signin_window(lot: Lot) -> tuple[dt.datetime, dt.datetime]:
    assert lot.bid_deadline is not None
    return (
        lot.bid_deadline
        - dt.timedelta(minutes=int(current_app.config["OPENING_SIGNIN_BEFORE_MINUTES"])),
        lot.bid_deadline
        + dt.timedelta(minutes=int(current_app.config["OPENING_SIGNIN_AFTER_MINUTES"])),
    )


def sign_in(lot: Lot, user: User) -> OpeningSignin:
    """A bidder signs in (签到) during the window around the deadline."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        raise Forbidden(_("只有投标人可以签到。"))
    if lot.bid_deadline is None:
        raise Conflict(_("该标段没有开标时间。"))
    start, end = _signin_window(lot)
    now = clock.now()
    if now < start or now > end:
        raise Conflict(
            _(
                "签到时间为 %(a)s 至 %(b)s（北京时间）。",
                a=formatting.cst(start, formatting.SECOND),
                b=formatting.cst(end, formatting.SECOND),
            )
        )
    if now < lot.bid_deadline:
        # Before the deadline the bidder list is secret: sign-in checks the caller's own bid.
        has_bid = db.session.execute(
            select(Bid.id).where(
                Bid.lot_id == lot.id,
                Bid.supplier_id == user.organisation_id,
                Bid.status == BidStatus.SUBMITTED,
            )
        ).first()
        if has_bid is None:
            raise Forbidden(_("贵单位在本标段没有有效的投标文件，无需签到。"))
        raise TooEarly(_("签到将在投标截止后开放；届时请进入开标大厅签到。"))
    opening = ensure_opening(lot)
    if not is_bidder(user, lot):
        raise Forbidden(_("贵单位不在本标段截止时的投标文件清单中，不能签到。"))
    existing = db.session.execute(
        select(OpeningSignin).where(
            OpeningSignin.opening_id == opening.id,
            OpeningSignin.supplier_id == user.organisation_id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    signin = OpeningSignin(
        opening_id=opening.id,
        supplier_id=user.organisation_id,
        user_id=user.id,
        signed_in_at=now,
        ip=client_info().ip,
    )
    db.session.add(signin)
    db.session.flush()
    record(actions.BIDDER_SIGNED_IN, opening, {"supplier": user.organisation_id}, actor=user)
    hall_event(lot, "signed_in", {"supplier": signin.supplier.name, "at": now.isoformat()})
    return signin


def present_share(lot: Lot, user: User, passphrase: str) -> LotCustodian:
    """A custodian unseals their share with their passphrase — refused before the deadline."""
    custodian = custodian_row(user, lot)
    if custodian is None:
        raise Forbidden(_("您不是本标段的密钥保管人。"))
    if lot.bid_deadline is None or clock.now() < lot.bid_deadline:
        raise TooEarly(
            _(
                "投标截止时间（%(t)s 北京时间）之前，服务器拒绝接收或合成任何密钥分片。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    ensure_not_held(lot)
    opening = ensure_opening(lot)
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        raise Conflict(_("本标段已完成解密，无需再出示分片。"))
    if custodian.presented_share is not None:
        raise Conflict(_("您已出示过分片。"))
    try:
        share = sealing.unseal_share(custodian.sealed_share, passphrase or "")
    except sealing.CustodyError as exc:
        raise ValidationError(
            _("口令不正确，分片无法解封（认证校验未通过），请重新输入。"), field="passphrase"
        ) from exc
    custodian.presented_share = sealing.wrap_presented(share, share_context(custodian))
    custodian.presented_at = clock.now()
    db.session.flush()
    key = opening_key(lot)
    count = _presented_count(lot)
    record(
        actions.SHARE_PRESENTED,
        opening,
        {"custodian": user.id, "index": custodian.share_index, "present": count, "k": key.k},
        actor=user,
    )
    hall_event(lot, "share_presented", {"who": user.display_name, "present": count, "k": key.k})
    return custodian


def share_context(c: LotCustodian) -> str:
    """The context a presented share is re-sealed under until decryption: one per lot and slot."""
    return f"lot:{c.lot_id}:share:{c.share_index}"


def presented_custodians(lot: Lot) -> list[LotCustodian]:
    return list(
        db.session.execute(
            select(LotCustodian)
            .where(LotCustodian.lot_id == lot.id, LotCustodian.presented_share.is_not(None))
            .order_by(LotCustodian.share_index)
        ).scalars()
    )


def _presented_count(lot: Lot) -> int:
    return len(presented_custodians(lot))


def reading_lines(opening: Opening) -> list[dict[str, Any]]:
    """The price lines (唱标) in the reading order, as everyone in the hall sees them."""
    out = []
    for n, bid_id in enumerate(opening.reading_order or [], start=1):
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        form = bid.price_form or {}
        out.append(
            {
                "no": n,
                "bid_id": bid.id,
                "supplier": bid.supplier.name,
                "status": bid.status.value,
                "total_price": form.get("total_price", ""),
                "duration_days": form.get("duration_days", ""),
                "quality": form.get("quality", ""),
                "extra": {
                    k: v
                    for k, v in form.items()
                    if k not in ("total_price", "duration_days", "quality")
                },
                "reason": bid.failure_reason,
                "confirmed": bid.confirmed_at is not None,
            }
        )
    return out


def confirm_line(lot: Lot, user: User) -> Bid:
    opening = opening_or_404(lot)
    if opening.status != OpeningStatus.READING:
        raise Conflict(_("唱标完成后、开标记录签署前才能确认报价。"))
    bid = _bidders_bid(lot, user, opening)
    if bid.confirmed_at is None:
        bid.confirmed_at, bid.confirmed_by_id = clock.now(), user.id
        db.session.flush()
        record(actions.LINE_CONFIRMED, bid, {"supplier": bid.supplier_id}, actor=user)
        hall_event(lot, "confirmed", {"supplier": bid.supplier.name})
    return bid


def _bidders_bid(lot: Lot, user: User, opening: Opening) -> Bid:
    if user.role != Role.SUPPLIER or not is_bidder(user, lot):
        raise Forbidden(_("只有本标段的投标人可以执行此操作。"))
    for bid_id in opening.reading_order:
        bid = db.session.get(Bid, bid_id)
        if bid is not None and bid.supplier_id == user.organisation_id:
            return bid
    raise NotFound(_("未找到贵单位的投标文件。"))


def opening_or_404(lot: Lot) -> Opening:
    opening = get_opening(lot)
    if opening is None:
        raise NotFound(_("本标段尚未开标。"))
    return opening


def raise_objection(lot: Lot, user: User, text: str) -> OpeningObjection:
    opening = opening_or_404(lot)
    if opening.status in (OpeningStatus.SIGNED, OpeningStatus.PUBLISHED):
        raise Conflict(_("开标记录已签署，现场异议已结束。"))
    if user.role != Role.SUPPLIER or not is_bidder(user, lot):
        raise Forbidden(_("只有本标段的投标人可以提出现场异议。"))
    text = (text or "").strip()
    if not 2 <= len(text) <= 2000:
        raise ValidationError(_("异议内容须为 2 到 2000 个字符。"), field="text")
    objection = OpeningObjection(
        opening_id=opening.id,
        supplier_id=user.organisation_id,
        user_id=user.id,
        text=text,
        raised_at=clock.now(),
    )
    db.session.add(objection)
    db.session.flush()
    record(actions.OBJECTION_RAISED, objection, {"text": text}, actor=user)
    hall_event(
        lot, "objection", {"id": objection.id, "supplier": objection.supplier.name, "text": text}
    )
    return objection


def answer_objection(objection: OpeningObjection, user: User, answer: str) -> OpeningObjection:
    opening = db.session.get(Opening, objection.opening_id)
    assert opening is not None
    ensure_can_manage_lot(user, opening.lot)
    if objection.answer is not None:
        raise Conflict(_("该异议已答复。"))
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 2000:
        raise ValidationError(_("答复内容须为 2 到 2000 个字符。"), field="answer")
    objection.answer, objection.answered_by_id, objection.answered_at = answer, user.id, clock.now()
    db.session.flush()
    record(actions.OBJECTION_ANSWERED, objection, {"answer": answer}, actor=user)
    hall_event(opening.lot, "answer", {"id": objection.id, "answer": answer})
    return objection


def objections(opening: Opening) -> list[OpeningObjection]:
    return list(
        db.session.execute(
            select(OpeningObjection)
            .where(OpeningObjection.opening_id == opening.id)
            .order_by(OpeningObjection.id)
        ).scalars()
    )


def signins(opening: Opening) -> list[OpeningSignin]:
    return list(
        db.session.execute(
            select(OpeningSignin)
            .where(OpeningSignin.opening_id == opening.id)
            .order_by(OpeningSignin.signed_in_at)
        ).scalars()
    )


def hall_state(lot: Lot) -> dict[str, Any]:
    """What everyone in the hall sees: no price before every bid has been decrypted."""
    opening = get_opening(lot)
    key = db.session.execute(
        select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
    ).scalar_one_or_none()
    state: dict[str, Any] = {
        "lot_id": lot.id,
        "status": opening.status.value if opening else None,
        "deadline": lot.bid_deadline,
        "shares_present": _presented_count(lot) if opening else 0,
        "k": key.k if key else None,
        "signins": [],
        "lines": [],
        "objections": [],
        "order_seed": None,
        "record_sha256": None,
    }
    if opening is None:
        return state
    state["signins"] = [s.supplier.name for s in signins(opening)]
    state["objections"] = [
        {"id": o.id, "supplier": o.supplier.name, "text": o.text, "answer": o.answer}
        for o in objections(opening)
    ]
    if opening.status not in (OpeningStatus.SIGNIN, OpeningStatus.DECRYPTING):
        state["lines"] = reading_lines(opening)
        state["order_seed"] = opening.order_seed
        state["record_sha256"] = opening.record_sha256
    return state
