"""Who may bid on a lot now: the reasons against, checked at every step of an upload."""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app.core import clock, formatting
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.errors import Conflict, DomainError, Forbidden, TooLate
from app.core.extensions import db
from bidding import participation
from bidding.bids.models import Bid, BidBond, BondStatus, LotOpeningKey
from bidding.invitations.invitations import may_respond
from bidding.invitations.invitations import refusal as invitation_refusal
from bidding.labels import method_label
from bidding.methods import rule_for
from bidding.models import Lot, LotStatus


class QuoteFinal(Conflict):
    """The method allows one response per supplier and this one has given it (询价)."""


# Each statement below is built once per process: every start and finish of an upload asks
# them, and building a statement (its cache key) costs more than running it.
@functools.cache
def _any_bid() -> Any:
    return (
        select(Bid)
        .where(Bid.lot_id == bindparam("lot_id"), Bid.supplier_id == bindparam("supplier_id"))
        .limit(1)
    )


@functools.cache
def _opening_key_id() -> Any:
    return select(LotOpeningKey.id).where(LotOpeningKey.lot_id == bindparam("lot_id"))


def quote_given(lot: Lot, org: Organisation) -> Bid | None:
    """The supplier's response, where its method allows no second one (None otherwise)."""
    if rule_for(lot.project.method).responses_replaceable:
        return None
    return db.session.execute(
        _any_bid(), {"lot_id": lot.id, "supplier_id": org.id}
    ).scalar_one_or_none()


def deadline_passed(lot: Lot) -> bool:
    return lot.bid_deadline is not None and clock.now() >= lot.bid_deadline


def bid_problems(lot: Lot, org: Organisation | None) -> list[str]:
    """Every reason this organisation may not bid on the lot now (empty → it may)."""
    if org is None or org.kind != OrgKind.SUPPLIER:
        return [_("只有供应商单位的账号可以投标。")]
    return _changing_problems(lot, org) + _standing_problems(lot, org)


def _changing_problems(lot: Lot, org: Organisation) -> list[str]:
    """The conditions that can turn against a bidder at any moment, even mid-upload."""
    problems: list[str] = []
    now = clock.now()
    if lot.status != LotStatus.PUBLISHED:
        problems.append(_("该标段当前不在投标期，不接受投标文件。"))
    if lot.bid_deadline is None or now >= lot.bid_deadline:
        problems.append(
            _(
                "投标截止时间（%(t)s 北京时间）已过，服务器按自身时钟拒绝接收投标文件。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    problems += participation.bar_messages(org)
    return problems


def _standing_problems(lot: Lot, org: Organisation) -> list[str]:
    """Conditions that, once met, stay met: a download is never undone, an accepted bond is
    final and an opening key cannot be regenerated. Hence a chunk of an upload that began
    with them met need not query them again; the finish re-checks them with everything else.
    """
    problems: list[str] = []
    if not may_respond(lot, org):
        problems.append(invitation_refusal(lot))
    given = quote_given(lot, org)
    if given is not None:
        problems.append(
            _(
                "%(m)s每家供应商只能报出一次且不得更改；贵单位已于 %(t)s 递交报价，不得再次递交。",
                m=method_label(lot.project.method),
                t=formatting.cst(given.received_at, formatting.SECOND),
            )
        )
    if not _downloaded(lot, org):
        problems.append(_("贵单位尚未下载本标段的招标文件；下载招标文件后方可投标。"))
    if lot.bid_bond > 0 and _accepted_bond(lot, org) is None:
        problems.append(
            _(
                "投标保证金（%(a)s 元）尚未到账确认，或保函尚未核验通过；请在“我的投标保证金”页办理，确认后方可投标。",
                a=lot.bid_bond,
            )
        )
    if db.session.execute(_opening_key_id(), {"lot_id": lot.id}).first() is None:
        problems.append(_("本标段的开标密钥尚未生成，暂不能投标。"))
    return problems


def _downloaded(lot: Lot, org: Organisation) -> bool:
    try:
        from bidding.documents.models import DocumentDownload
    except ImportError:  # documents not installed: nothing to require
        return True
    return (
        db.session.execute(
            select(DocumentDownload.id).where(
                DocumentDownload.lot_id == lot.id, DocumentDownload.supplier_id == org.id
            )
        ).first()
        is not None
    )


def _accepted_bond(lot: Lot, org: Organisation) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(
            BidBond.lot_id == lot.id,
            BidBond.supplier_id == org.id,
            BidBond.status == BondStatus.ACCEPTED,
        )
    ).scalar_one_or_none()


def ensure_can_bid(lot: Lot, user: User, *, mid_upload: bool = False) -> Organisation:
    """`mid_upload`: a further chunk of an upload whose start passed every check; only what
    can have changed since is checked again (see `_standing_problems`)."""
    if user is None or user.role != Role.SUPPLIER:
        raise Forbidden(_("只有供应商可以提交投标文件。"))
    org = user.organisation
    if mid_upload and org is not None and org.kind == OrgKind.SUPPLIER:
        problems = _changing_problems(lot, org)
    else:
        problems = bid_problems(lot, org)
    if problems:
        exc: DomainError
        if deadline_passed(lot):
            exc = TooLate("；".join(problems))
        elif not mid_upload and org is not None and quote_given(lot, org) is not None:
            exc = QuoteFinal("；".join(problems), lot_id=lot.id, supplier_id=org.id)
        else:
            exc = Conflict("；".join(problems))
        found = participation.bars(org) if org is not None else []
        # A non-invitee's attempt on an invited lot is audited as a bar's is.
        not_invited = org is not None and org.kind == OrgKind.SUPPLIER and not may_respond(lot, org)
        if found or not_invited:
            assert org is not None
            raise participation.audit_refusal(
                exc, org, found, "bid", lot.id, not_invited=not_invited
            )
        raise exc
    assert org is not None
    return org
