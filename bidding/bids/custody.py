"""Opening key custody: the key ceremony, the lot's public key and who holds its shares.

Before the deadline the server holds only ciphertext; nothing here can decrypt it, because
the opening private key exists only wrapped under a key split among custodians, and
`present_share` refuses every share until the deadline has passed (see opening.py).
"""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.bids import actions, sealing
from bidding.bids.eligibility import deadline_passed
from bidding.bids.models import LotCustodian, LotOpeningKey
from bidding.models import Lot, LotStatus
from bidding.policies import ensure_can_manage_lot


def create_opening_key(
    lot: Lot, custodians: list[tuple[User, str]], k: int | None, actor: User
) -> LotOpeningKey:
    """Make the lot's opening key pair; seal one share to each custodian's passphrase.

    The passphrases are typed by the custodians themselves at the key ceremony and never
    stored: only their scrypt-sealed shares are. k ≥ 2, so no single custodian can open.
    """
    ensure_can_manage_lot(actor, lot)
    if db.session.execute(select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)).first():
        raise Conflict(_("本标段的开标密钥已生成，不能重复生成。"))
    if lot.status not in (LotStatus.DRAFT, LotStatus.PUBLISHED) or deadline_passed(lot):
        raise Conflict(_("只能在投标截止前为登记中或公告中的标段生成开标密钥。"))
    k = int(k or current_app.config["OPENING_KEY_THRESHOLD"])
    n = len(custodians)
    if n < 2:
        raise ValidationError(_("至少需要 2 名密钥保管人。"), field="custodians")
    if not 2 <= k <= n:
        raise ValidationError(
            _("开启门限 k 须在 2 到保管人数 %(n)s 之间，任何单独一人都不能开启。", n=n), field="k"
        )
    ids = [u.id for u, _p in custodians]
    if len(set(ids)) != n:
        raise ValidationError(_("同一人不能担任两份密钥的保管人。"), field="custodians")
    min_len = int(current_app.config["CUSTODIAN_PASSPHRASE_MIN_LENGTH"])
    for user, passphrase in custodians:
        if user.role not in (Role.STAFF, Role.SUPERVISOR, Role.ADMIN) or not user.is_active:
            raise ValidationError(
                _(
                    "%(u)s 不能担任密钥保管人（须为在职的工作人员或监督人员）。",
                    u=user.display_name,
                ),
                field="custodians",
            )
        if len(passphrase or "") < min_len:
            raise ValidationError(
                _("%(u)s 的口令过短：至少 %(n)s 个字符。", u=user.display_name, n=min_len),
                field="passphrase",
            )
    made = sealing.make_opening_key([p for _u, p in custodians], k)
    key = LotOpeningKey(
        lot_id=lot.id,
        public_pem=made.public_pem,
        fingerprint=made.key_sha256,
        wrapped_private=made.encrypted_private,
        k=k,
        n=n,
        created_at=clock.now(),
    )
    db.session.add(key)
    for i, ((user, _p), sealed) in enumerate(zip(custodians, made.sealed_shares, strict=True)):
        db.session.add(
            LotCustodian(lot_id=lot.id, user_id=user.id, share_index=i + 1, sealed_share=sealed)
        )
    db.session.flush()
    record(
        actions.OPENING_KEY_CREATED,
        lot,
        {"fingerprint": key.fingerprint, "k": k, "n": n, "custodians": ids},
        actor=actor,
    )
    for user, _p in custodians:
        notify(
            user,
            "custody",
            _("您已被指定为 %(c)s 的开标密钥保管人", c=lot.code),
            _("请牢记您设置的口令；开标时需要 %(k)s/%(n)s 名保管人出示分片。", k=k, n=n),
        )
    return key


@functools.cache
def _key_of_lot() -> Any:
    # Built once: every first chunk and finish of an upload reads the lot's key.
    return select(LotOpeningKey).where(LotOpeningKey.lot_id == bindparam("lot_id"))


def opening_key(lot: Lot) -> LotOpeningKey:
    key = db.session.execute(_key_of_lot(), {"lot_id": lot.id}).scalar_one_or_none()
    if key is None:
        raise NotFound(_("本标段尚未生成开标密钥。"))
    return key


def custodians(lot: Lot) -> list[LotCustodian]:
    return list(
        db.session.execute(
            select(LotCustodian)
            .where(LotCustodian.lot_id == lot.id)
            .order_by(LotCustodian.share_index)
        ).scalars()
    )


def custodian_row(user: Any, lot: Lot) -> LotCustodian | None:
    """The share this user holds for the lot, if any (None for anonymous callers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(LotCustodian).where(LotCustodian.lot_id == lot.id, LotCustodian.user_id == user.id)
    ).scalar_one_or_none()


def custodian_candidates(lot: Lot) -> list[User]:
    """Who may hold a share: active staff of the lot's agency, supervisors and officers of
    its centre (the ceremony service checks the role again)."""
    project = lot.project
    rows = db.session.execute(
        select(User)
        .where(
            User.role.in_((Role.STAFF, Role.SUPERVISOR, Role.ADMIN)),
            User.is_active_flag.is_(True),
            or_(User.organisation_id == project.agency_id, User.centre_id == project.centre_id),
        )
        .order_by(User.role, User.display_name)
    ).scalars()
    return list(rows)
