"""The shared part of a centre's pool (共享专家库) and its fee standard (劳务费标准).

A centre that has published no share keeps what cross-centre draws did before sharing
existed: its whole pool serves other centres' groups. Once it publishes one, only experts
of the shared specialties serve other centres; its own lots still draw from all of it.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.db import to_money
from app.core.errors import ValidationError
from app.core.extensions import db
from experts import actions, policies
from experts.models import PoolShare, Specialty

HALF_DAY = dt.timedelta(hours=4)


def share_of(centre_id: int) -> PoolShare | None:
    return db.session.get(PoolShare, centre_id)


def covers(shared: list[str], specialty: str) -> bool:
    """Whether a group's specialty lies at or below one of the shared codes."""
    return any(specialty == s or specialty.startswith(s + ".") for s in shared)


def serves(centre_id: int, home_centre_id: int, specialty: str) -> bool:
    """Whether the centre's pool may serve a group of a lot run by `home_centre_id`."""
    if centre_id == home_centre_id:
        return True
    row = share_of(centre_id)
    return row is None or covers(list(row.specialties), specialty)


def set_share(actor: User, centre_id: int, data: dict[str, Any]) -> PoolShare:
    """The centre's pool staff publish what they share and the fee standard."""
    policies.ensure_can_manage_pool(actor, centre_id)
    codes = sorted({str(c).strip() for c in data.get("specialties") or [] if str(c).strip()})
    for code in codes:
        if db.session.get(Specialty, code) is None:
            raise ValidationError(_l("评标专业代码“%(c)s”不存在。", c=code), field="specialties")
    try:
        fee = to_money(data.get("fee_half_day"))
    except (TypeError, ArithmeticError, ValueError) as exc:
        raise ValidationError(_l("请填写正确的劳务费标准（元）。"), field="fee_half_day") from exc
    if fee < 0 or fee > Decimal("100000"):
        raise ValidationError(_l("劳务费标准须在 0 至 100000 元之间。"), field="fee_half_day")
    row = share_of(centre_id)
    if row is None:
        row = PoolShare(centre_id=centre_id)
        db.session.add(row)
    row.specialties = codes
    row.fee_half_day = fee
    row.pay_higher = bool(data.get("pay_higher"))
    row.updated_by_id = actor.id
    row.updated_at = clock.now()
    db.session.flush()
    record(
        actions.POOL_SHARED,
        row,
        {"specialties": codes, "fee_half_day": str(fee), "pay_higher": row.pay_higher},
        actor=actor,
        object_id=centre_id,
    )
    return row


def standard(centre_id: int) -> Decimal:
    """The centre's fee per half day; the platform default when it published none."""
    row = share_of(centre_id)
    if row is not None:
        return row.fee_half_day
    return to_money(str(current_app.config["EXPERT_FEE_HALF_DAY"]))


def fee_rule(home_centre_id: int, main_centre_id: int) -> tuple[Decimal, bool]:
    """(standard per half day, whether the higher of the two applied) for an expert of
    `home_centre_id` sitting for a lot of `main_centre_id`."""
    home = standard(home_centre_id)
    main_row = share_of(main_centre_id)
    if home_centre_id != main_centre_id and main_row is not None and main_row.pay_higher:
        main = standard(main_centre_id)
        if main > home:
            return main, True
    return home, False


def half_days(duration: dt.timedelta) -> int:
    """Started half days of 4 hours, at least one."""
    return max(1, math.ceil(duration / HALF_DAY))
