"""合同备案: the signed contract is checked against the award, filed and published;
a change is filed as an amendment with its reason (the earlier filing stays)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.db import to_money
from app.core.errors import Conflict, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding import clocks, hooks
from bidding.announcements import publish_announcement
from bidding.documents.files import stage_file
from bidding.documents.forms import clean_text
from bidding.labels import status_label
from bidding.models import AnnouncementKind, Lot, LotStatus
from bidding.notice_text import fit_title
from bidding.projects import lock_lot
from bidding.results import actions, filings, policies, rules
from bidding.results.models import Contract, FilingKind, LotResult
from bidding.results.publicity import loaded_result
from bidding.results.texts import lot_fields, render_contract_body

# A government-procurement contract may grow by at most a tenth of its amount (政府采购法 art. 49).
MAX_AMENDMENT_RATIO = Decimal("1.10")


def _price(value: Any) -> Decimal:
    try:
        return to_money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_l("合同金额应为数字（元，最多两位小数）。"), field="price") from None


def _signed_on(value: Any, result: LotResult) -> dt.date:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_l("签订日期格式应为 YYYY-MM-DD。"), field="signed_on") from None
    today = clock.cst_date(clock.now())
    assert result.awarded_at is not None
    if day > today or day < clock.cst_date(result.awarded_at):
        raise ValidationError(
            _l("签订日期应在定标之日（%(d)s）与今天之间。", d=clock.cst_date(result.awarded_at)),
            field="signed_on",
        )
    return day


def latest_contract(lot: Lot) -> Contract | None:
    return (
        db.session.execute(
            select(Contract).where(Contract.lot_id == lot.id).order_by(Contract.id.desc())
        )
        .scalars()
        .first()
    )


def contracts_of(lot: Lot) -> list[Contract]:
    return list(
        db.session.execute(
            select(Contract).where(Contract.lot_id == lot.id).order_by(Contract.id)
        ).scalars()
    )


def _publish(lot: Lot, user: User, contract: Contract, previous: Contract | None) -> None:
    fields = {
        **lot_fields(lot),
        "contract_number": contract.number,
        "supplier": contract.supplier.name,
        "supplier_id": contract.supplier_id,
        "amount": contract.price,
        "signed_on": contract.signed_on.isoformat(),
        "contract_sha256": contract.sha256,
        "amendment_reason": contract.reason,
    }
    with force_locale("zh_CN"):
        word = _("合同变更公告") if previous is not None else _("合同公告")
        title = fit_title(f"{lot.project.name}（{lot.name}）", word)
        body = render_contract_body(fields)
    supersedes = None
    if previous is not None and previous.announcement_id is not None:
        from bidding.models import Announcement

        supersedes = db.session.get(Announcement, previous.announcement_id)
    ann = publish_announcement(
        user,
        lot.project,
        AnnouncementKind.CONTRACT,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=supersedes,
        authorised=True,
    )
    contract.announcement_id = ann.id


def notice_due(lot: Lot, contract: Contract) -> dt.datetime | None:
    """When the contract's announcement was due, for a government-procurement lot (the
    tendering law sets no such period): filing is what publishes it, so a contract filed
    after this instant was announced late."""
    if not rules.is_procurement(lot):
        return None
    days = rules.period(
        lot, "contract_notice_working_days", clocks.DEFAULT_CONTRACT_NOTICE_WORKING_DAYS
    )
    return clocks.contract_notice_due(contract.signed_on, days, rules.calendar(lot))


def _flag_late_notice(lot: Lot, contract: Contract, user: User, now: dt.datetime) -> None:
    """The filing goes through (a late announcement does not void the contract), and the
    supervisors learn that the announcement missed its period."""
    due = notice_due(lot, contract)
    if due is None or now < due:
        return
    record(
        actions.CONTRACT_NOTICE_LATE,
        contract,
        {"lot_id": lot.id, "signed_on": contract.signed_on.isoformat(), "due": due.isoformat()},
        actor=user,
    )
    for supervisor in rules.supervisors(lot):
        notify(
            supervisor,
            "result_late",
            str(_l("合同公告逾期：%(lot)s", lot=lot.name)),
            str(
                _l(
                    "合同于 %(d)s 签订，应于 %(t)s（北京时间）前公告，实际于备案时公告。",
                    d=contract.signed_on.isoformat(),
                    t=formatting.cst(due),
                )
            ),
            rules.staff_link(lot),
        )


def file_contract(
    lot: Lot,
    user: User,
    *,
    number: str,
    lot_code: str,
    supplier_id: int,
    price: Any,
    signed_on: Any,
    filename: str,
    stream: IO[bytes] | None,
) -> Contract:
    """File the signed contract; refused when its lot, party or price differ from the award."""
    policies.ensure_can_file_contract(user, lot)
    lock_lot(lot)
    result = loaded_result(lot)
    if lot.status != LotStatus.AWARDED or result.contract_due is None:
        raise Conflict(
            _l("标段当前状态为“%(s)s”，定标后才能备案合同。", s=status_label(lot.status))
        )
    now = clock.now()
    if now > result.contract_due:
        raise TooLate(
            _l(
                "合同备案期限已于 %(t)s（北京时间）届满，请联系监督部门说明逾期原因。",
                t=formatting.cst(result.contract_due),
            ),
            closed_at=result.contract_due.isoformat(),
        )
    pending = filings.pending_count(lot, FilingKind.CHALLENGE, FilingKind.COMPLAINT)
    if pending:
        raise Conflict(_l("有 %(n)s 件质疑或投诉尚未答复，答复前不能备案合同。", n=pending))
    number = clean_text(number, "number", _l("合同编号"), max_len=60)
    if (lot_code or "").strip() != lot.code:
        raise ValidationError(
            _l("合同所属标段“%(g)s”与本标段编号“%(c)s”不符。", g=lot_code, c=lot.code),
            field="lot_code",
        )
    winner = result.winner
    assert winner is not None and result.award_price is not None
    if supplier_id != winner.id:
        raise ValidationError(
            _l("合同供应商须为中标人“%(w)s”。", w=winner.name), field="supplier_id"
        )
    amount = _price(price)
    if amount != result.award_price:
        raise ValidationError(
            _l(
                "合同金额 %(p)s 与中标金额 %(a)s 不一致；如有变更请在备案后以合同变更办理。",
                p=formatting.yuan(amount),
                a=formatting.yuan(result.award_price),
            ),
            field="price",
        )
    day = _signed_on(signed_on, result)
    staged = stage_file(stream, filename)
    contract = Contract(
        lot_id=lot.id,
        number=number,
        supplier_id=winner.id,
        price=amount,
        signed_on=day,
        filename=staged.filename,
        sha256=staged.sha256,
        size=staged.size,
        filed_by_id=user.id,
        filed_at=now,
    )
    db.session.add(contract)
    db.session.flush()
    _publish(lot, user, contract, None)
    lot.status = LotStatus.CONTRACTED
    db.session.flush()
    _flag_late_notice(lot, contract, user, now)
    record(
        actions.CONTRACT_FILED,
        contract,
        {
            "lot_id": lot.id,
            "number": number,
            "price": str(amount),
            "sha256": staged.sha256,
            "announcement_id": contract.announcement_id,
        },
        actor=user,
    )
    hooks.contract_signed(lot, user, now)
    return contract


def amend_contract(
    lot: Lot,
    user: User,
    *,
    reason: str,
    price: Any,
    signed_on: Any,
    filename: str,
    stream: IO[bytes] | None,
) -> Contract:
    """File a change to the contract, with its reason; the earlier filing stays on record."""
    policies.ensure_can_file_contract(user, lot)
    lock_lot(lot)
    result = loaded_result(lot)
    previous = latest_contract(lot)
    if lot.status != LotStatus.CONTRACTED or previous is None:
        raise Conflict(_l("合同备案后才能办理合同变更。"))
    reason = clean_text(reason, "reason", _l("变更理由"), max_len=2000)
    amount = _price(price)
    assert result.award_price is not None
    if amount > (result.award_price * MAX_AMENDMENT_RATIO).quantize(Decimal("0.01")):
        raise ValidationError(
            _l(
                "变更后的合同金额不得超过中标金额 %(a)s 的百分之一百一十。",
                a=formatting.yuan(result.award_price),
            ),
            field="price",
        )
    day = _signed_on(signed_on, result)
    staged = stage_file(stream, filename)
    contract = Contract(
        lot_id=lot.id,
        amends_id=previous.id,
        number=previous.number,
        supplier_id=previous.supplier_id,
        price=amount,
        signed_on=day,
        reason=reason,
        filename=staged.filename,
        sha256=staged.sha256,
        size=staged.size,
        filed_by_id=user.id,
        filed_at=clock.now(),
    )
    db.session.add(contract)
    db.session.flush()
    _publish(lot, user, contract, previous)
    db.session.flush()
    record(
        actions.CONTRACT_AMENDED,
        contract,
        {
            "lot_id": lot.id,
            "amends_id": previous.id,
            "price": str(amount),
            "reason": reason,
            "sha256": staged.sha256,
        },
        actor=user,
    )
    return contract
