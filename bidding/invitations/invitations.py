"""Choose the invited suppliers of a lot, send their letters, and answer "may this supplier
obtain the documents and respond?" for every method (`may_respond`).

Staff choose while the lot is a draft, before anything is published: by written
recommendation (a reason for each supplier) or by a random draw from the centre's
supplier library. A draw commits to a fresh seed in the audit log, mixes in the log's
Merkle root as the public value, and picks by the same partial Fisher–Yates the expert
draws use (`app.core.crypto.draw.shuffle_head`); its audit entry holds everything needed
to re-run it. Fewer than the method's minimum is refused unless a reason is recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core import clock
from app.core.audit import record
from app.core.audit.service import current_root
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.crypto import draw
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding import policies
from bidding.forms import text_field
from bidding.invitations import actions
from bidding.invitations.models import InviteBasis, LotInvitee
from bidding.labels import method_label
from bidding.methods import Audience, rule_for
from bidding.models import Lot, LotStatus
from bidding.prequal import actions as prequal_actions
from bidding.prequal.models import Outcome, PrequalApplication
from bidding.prequal.notice import has_prequalification, prequal_of

DRAW_LABEL = "invite"


def invites_only(lot: Lot) -> bool:
    """Only invited suppliers respond: the method says so, or a prequalification chose them."""
    return rule_for(lot.project.method).audience == Audience.INVITEES or has_prequalification(lot)


def may_respond(lot: Lot, org: Organisation) -> bool:
    """The one rule: who may obtain a lot's documents and respond, as its method says."""
    if not invites_only(lot):
        return True
    return is_invitee(lot, org)


def refusal(lot: Lot) -> str:
    return _(
        "本标段采用%(m)s，只有受邀的供应商可以获取采购文件和投标。",
        m=method_label(lot.project.method),
    )


def is_invitee(lot: Lot, org: Organisation) -> bool:
    return (
        db.session.execute(
            select(LotInvitee.id).where(
                LotInvitee.lot_id == lot.id, LotInvitee.supplier_id == org.id
            )
        ).first()
        is not None
    )


def invitees(lot: Lot) -> list[LotInvitee]:
    return list(
        db.session.execute(
            select(LotInvitee).where(LotInvitee.lot_id == lot.id).order_by(LotInvitee.id)
        ).scalars()
    )


def _ensure_can_invite(user: User, lot: Lot) -> None:
    policies.ensure_can_manage_lot(user, lot)
    if not invites_only(lot):
        raise Conflict(
            _("%(m)s不邀请供应商，任何登记的供应商均可参加。", m=method_label(lot.project.method))
        )
    if lot.status != LotStatus.DRAFT:
        raise Conflict(_("邀请名单须在发出投标邀请书、标段进入招标之前确定。"))


def _library(lot: Lot) -> list[Organisation]:
    """The centre's supplier library: its suppliers and those registered with no centre
    (as the project form's purchasers), not barred from bidding now."""
    now = clock.now()
    rows = db.session.execute(
        select(Organisation)
        .where(
            Organisation.kind == OrgKind.SUPPLIER,
            or_(
                Organisation.centre_id == lot.project.centre_id,
                Organisation.centre_id.is_(None),
            ),
        )
        .order_by(Organisation.id)
    ).scalars()
    return [o for o in rows if o.blacklisted_until is None or o.blacklisted_until <= now]


def library_choices(lot: Lot) -> list[Organisation]:
    """The suppliers the recommendation form offers: the library, less those invited."""
    already = {i.supplier_id for i in invitees(lot)}
    return [o for o in _library(lot) if o.id not in already]


def _check_count(lot: Lot, adding: int, short_reason: str) -> str:
    minimum = rule_for(lot.project.method).min_suppliers
    total = len(invitees(lot)) + adding
    short_reason = text_field(
        short_reason, _("不足邀请数量的理由"), "", "short_reason", required=False, max_len=2000
    )
    if total < minimum and not short_reason:
        raise ValidationError(
            _(
                "%(m)s应邀请不少于 %(n)s 家供应商（当前共 %(t)s 家）；确需少于该数量的，请填写理由。",
                m=method_label(lot.project.method),
                n=minimum,
                t=total,
            ),
            field="short_reason",
        )
    return short_reason


def _invite(
    user: User, lot: Lot, org: Organisation, basis: InviteBasis, reason: str, commitment: str = ""
) -> LotInvitee:
    row = LotInvitee(
        lot_id=lot.id,
        supplier_id=org.id,
        basis=basis,
        reason=reason,
        draw_commitment=commitment,
        invited_by_id=user.id,
        invited_at=clock.now(),
    )
    db.session.add(row)
    # The invitation letter (投标邀请书) goes to each of the supplier's accounts.
    for account in db.session.execute(
        select(User).where(User.organisation_id == org.id, User.role == Role.SUPPLIER)
    ).scalars():
        notify(
            account,
            "invitation",
            _("投标邀请书：%(lot)s", lot=f"{lot.code} {lot.name}"),
            _(
                "%(agency)s受%(purchaser)s委托，邀请贵单位参加“%(name)s”（%(m)s）。"
                "采购文件的获取时间和方式以发布的投标邀请书为准。",
                agency=lot.project.agency.name,
                purchaser=lot.project.purchaser.name,
                name=lot.project.name,
                m=method_label(lot.project.method),
            ),
            url_for("bidding_docs.supplier_lots"),
        )
    return row


def recommend(
    user: User, lot: Lot, picks: Sequence[dict[str, Any]], short_reason: str = ""
) -> list[LotInvitee]:
    """Invite suppliers by written recommendation: each pick names a supplier and why."""
    _ensure_can_invite(user, lot)
    if not picks:
        raise ValidationError(_("请至少推荐一家供应商。"), field="picks")
    library = {o.id: o for o in _library(lot)}
    already = {i.supplier_id for i in invitees(lot)}
    chosen: list[tuple[Organisation, str]] = []
    for pick in picks:
        org = library.get(int(pick.get("supplier_id") or 0))
        if org is None:
            raise ValidationError(
                _("所选供应商不在本交易中心的供应商库中，或正被限制投标。"), field="picks"
            )
        if org.id in already or any(org.id == o.id for o, _r in chosen):
            raise ValidationError(_("“%(name)s”已在邀请名单中。", name=org.name), field="picks")
        reason = text_field(
            pick.get("reason"), _("推荐理由"), f"{org.name}：", "picks", required=True, max_len=2000
        )
        chosen.append((org, reason))
    short_reason = _check_count(lot, len(chosen), short_reason)
    rows = [_invite(user, lot, org, InviteBasis.RECOMMENDED, reason) for org, reason in chosen]
    db.session.flush()
    record(
        actions.INVITEES_RECOMMENDED,
        lot,
        {
            "invitees": [{"supplier": o.id, "reason": r} for o, r in chosen],
            "short_reason": short_reason,
        },
        actor=user,
    )
    return rows


def draw_invitees(user: User, lot: Lot, count: int, short_reason: str = "") -> list[LotInvitee]:
    """Invite `count` suppliers drawn at random from the centre's supplier library."""
    _ensure_can_invite(user, lot)
    if count < 1 or count > 50:
        raise ValidationError(_("抽取数量应为 1 至 50 家。"), field="count")
    short_reason = _check_count(lot, count, short_reason)
    already = {i.supplier_id for i in invitees(lot)}
    pool = [o for o in _library(lot) if o.id not in already]
    if len(pool) < count:
        raise Conflict(
            _("供应商库中可抽取的供应商只有 %(n)s 家，不足 %(c)s 家。", n=len(pool), c=count),
            field="count",
        )
    seed = secrets.token_bytes(32)
    commitment = draw.commit(seed)
    # The public value is the audit log's root as it stands: fixed by entries nobody
    # drawing controls; the seed is committed in the same entry that reveals it.
    size, public_value = current_root()
    ids = [o.id for o in pool]
    picked = draw.shuffle_head(draw.mixed_seed(seed, public_value), DRAW_LABEL, ids, count)
    by_id = {o.id: o for o in pool}
    rows = [_invite(user, lot, by_id[i], InviteBasis.DRAWN, "", commitment) for i in picked]
    db.session.flush()
    record(
        actions.INVITEES_DRAWN,
        lot,
        {
            "commitment": commitment,
            "seed": seed.hex(),
            "public_value": public_value,
            "tree_size": size,
            "pool": ids,
            "label": DRAW_LABEL,
            "count": count,
            "picked": picked,
            "short_reason": short_reason,
        },
        actor=user,
    )
    return rows


def verify_draw(data: dict[str, Any]) -> bool:
    """Re-run a recorded draw from its audit data: the same suppliers, the same seed."""
    seed = bytes.fromhex(data["seed"])
    if draw.commit(seed) != data["commitment"]:
        return False
    again = draw.shuffle_head(
        draw.mixed_seed(seed, data["public_value"]), data["label"], data["pool"], data["count"]
    )
    return again == data["picked"]


def invite_prequalified(
    user: User, lot: Lot, supplier_ids: Sequence[int] | None = None, short_reason: str = ""
) -> list[LotInvitee]:
    """Invite the applicants who passed the lot's prequalification (all of them unless
    some are named). Naming one who failed or never applied is refused and audited."""
    _ensure_can_invite(user, lot)
    prequal = prequal_of(lot)
    if prequal is None or prequal.concluded_at is None:
        raise Conflict(_("本标段没有已出结果的资格预审，不能按资格预审结果邀请。"))
    rows = {
        a.supplier_id: a
        for a in db.session.execute(
            select(PrequalApplication).where(PrequalApplication.prequal_id == prequal.id)
        ).scalars()
    }
    passed = [sid for sid, a in rows.items() if a.outcome == Outcome.PASSED]
    wanted = list(dict.fromkeys(int(i) for i in supplier_ids)) if supplier_ids else passed
    refused = [i for i in wanted if i not in passed]
    if refused:
        names = "、".join(rows[i].supplier.name if i in rows else str(i) for i in refused)
        raise Conflict(
            _("只能邀请通过资格预审的申请人：%(names)s 未通过或未提出申请。", names=names),
            field="supplier_ids",
        ).audited(
            prequal_actions.INVITE_REFUSED,
            lot,
            {"prequal_id": prequal.id, "supplier_ids": refused},
        )
    already = {i.supplier_id for i in invitees(lot)}
    wanted = [i for i in wanted if i not in already]
    if not wanted:
        raise Conflict(_("通过资格预审的申请人都已在邀请名单中。"))
    short_reason = _check_count(lot, len(wanted), short_reason)
    invited = [_invite(user, lot, rows[i].supplier, InviteBasis.PREQUALIFIED, "") for i in wanted]
    db.session.flush()
    record(
        prequal_actions.INVITED,
        lot,
        {"prequal_id": prequal.id, "invitees": wanted, "short_reason": short_reason},
        actor=user,
    )
    return invited
