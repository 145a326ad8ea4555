"""Administration use cases. Each checks the admin role again, flushes and writes its audit entry."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.auth.passwords import hash_password
from app.core.auth.policies import ensure_role
from app.core.auth.services import create_user as _create_user
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db

REGION_CODE = re.compile(r"^\d{6}$")
ROLE_VALUES = tuple(r.value for r in Role)
METHODS = ("open", "invited", "negotiation", "consultation", "inquiry", "single_source")
# Legal clocks a centre may tune (key in centre.settings → platform config key, bounds).
CLOCK_SETTINGS: dict[str, tuple[str, int, int]] = {
    "clarification_min_days": ("CLARIFICATION_MIN_DAYS", 15, 60),
    "document_window_min_working_days": ("DOCUMENT_WINDOW_MIN_WORKING_DAYS", 5, 30),
    "objection_last_days_before_deadline": ("OBJECTION_LAST_DAYS_BEFORE_DEADLINE", 1, 30),
    "objection_answer_days": ("OBJECTION_ANSWER_DAYS", 1, 30),
}
# The statutory minimum bid period per method cannot be shortened by a centre.
BID_PERIOD_BOUNDS = (1, 120)


def _admin(actor: User) -> None:
    ensure_role(actor, Role.ADMIN)


# --- centres ---------------------------------------------------------------


def _check_centre_fields(code: str, name: str, region: str) -> None:
    if not REGION_CODE.match(code or ""):
        raise ValidationError(
            _l("行政区划代码应为 6 位数字（如 150900），而不是“%(c)s”。", c=code or "—"),
            field="code",
        )
    if not (name or "").strip():
        raise ValidationError(_l("请填写交易中心名称。"), field="name")
    if not (region or "").strip():
        raise ValidationError(_l("请填写所属地区。"), field="region")


def create_centre(actor: User, *, code: str, name: str, region: str, name_en: str = "") -> Centre:
    _admin(actor)
    code = (code or "").strip()
    _check_centre_fields(code, name, region)
    if db.session.execute(select(Centre).where(Centre.code == code)).scalar_one_or_none():
        raise Conflict(_l("行政区划代码 %(c)s 的交易中心已存在。", c=code), field="code")
    centre = Centre(
        code=code,
        name=name.strip(),
        name_en=(name_en or "").strip(),
        region=region.strip(),
        settings={},
        created_at=clock.now(),
    )
    db.session.add(centre)
    db.session.flush()
    record("admin.centre_created", centre, {"code": code, "name": centre.name}, actor=actor)
    return centre


def update_centre(
    actor: User, centre: Centre, *, name: str, region: str, name_en: str = ""
) -> Centre:
    _admin(actor)
    _check_centre_fields(centre.code, name, region)
    before = {"name": centre.name, "region": centre.region, "name_en": centre.name_en}
    centre.name, centre.region, centre.name_en = name.strip(), region.strip(), name_en.strip()
    db.session.flush()
    record(
        "admin.centre_updated",
        centre,
        {"before": before, "after": {"name": centre.name, "region": centre.region}},
        actor=actor,
    )
    return centre


def _int_in(value: Any, lo: int, hi: int, field: str, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _l("%(f)s 应为整数（%(lo)s–%(hi)s）。", f=label, lo=lo, hi=hi), field=field
        ) from None
    if not lo <= number <= hi:
        raise ValidationError(
            _l("%(f)s 须在 %(lo)s 到 %(hi)s 之间。", f=label, lo=lo, hi=hi), field=field
        )
    return number


def update_centre_settings(
    actor: User,
    centre: Centre,
    *,
    two_factor_roles: list[str] | None,
    clocks: Mapping[str, Any],
    bid_period_min_days_by_method: Mapping[str, Any],
) -> Centre:
    """Two-factor roles and legal-clock overrides; a blank value means the platform default."""
    _admin(actor)
    settings = dict(centre.settings or {})
    if two_factor_roles is None:
        settings.pop("two_factor_roles", None)
    else:
        unknown = [r for r in two_factor_roles if r not in ROLE_VALUES]
        if unknown:
            raise ValidationError(
                _l(
                    "未知角色：%(r)s；可选：%(all)s。",
                    r=", ".join(unknown),
                    all=", ".join(ROLE_VALUES),
                ),
                field="two_factor_roles",
            )
        settings["two_factor_roles"] = sorted(set(two_factor_roles))
    for key, value in clocks.items():
        if key not in CLOCK_SETTINGS:
            raise ValidationError(_l("未知的时限设置：%(k)s。", k=key), field=key)
        _cfg, lo, hi = CLOCK_SETTINGS[key]
        if value in (None, ""):
            settings.pop(key, None)
        else:
            settings[key] = _int_in(value, lo, hi, key, key)
    by_method = dict(settings.get("bid_period_min_days_by_method") or {})
    for method, value in bid_period_min_days_by_method.items():
        if method not in METHODS:
            raise ValidationError(_l("未知的采购方式：%(m)s。", m=method), field=method)
        if value in (None, ""):
            by_method.pop(method, None)
            continue
        statutory = current_app.config["BID_PERIOD_MIN_DAYS_BY_METHOD"].get(method, 1)
        by_method[method] = _int_in(
            value, max(statutory, BID_PERIOD_BOUNDS[0]), BID_PERIOD_BOUNDS[1], method, method
        )
    if by_method:
        settings["bid_period_min_days_by_method"] = by_method
    else:
        settings.pop("bid_period_min_days_by_method", None)
    before = dict(centre.settings or {})
    centre.settings = settings  # a new dict so that the JSON column is marked dirty
    db.session.flush()
    record("admin.centre_settings", centre, {"before": before, "after": settings}, actor=actor)
    return centre


# --- holiday calendar ------------------------------------------------------


def add_holiday(
    actor: User, centre: Centre, *, day: dt.date, is_workday: bool, name: str
) -> Holiday:
    _admin(actor)
    existing = db.session.execute(
        select(Holiday).where(Holiday.centre_id == centre.id, Holiday.day == day)
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(
            _l("%(d)s 已在日历中（%(n)s），请先删除再添加。", d=day.isoformat(), n=existing.name),
            field="day",
        )
    if is_workday and day.weekday() < 5:
        raise ValidationError(
            _l("调休上班日应为周六或周日，%(d)s 本来就是工作日。", d=day.isoformat()), field="day"
        )
    if not is_workday and day.weekday() >= 5:
        raise ValidationError(
            _l("%(d)s 是周末，本来就不是工作日，无需登记为节假日。", d=day.isoformat()),
            field="day",
        )
    holiday = Holiday(
        centre_id=centre.id, day=day, is_workday=is_workday, name=(name or "").strip()[:60]
    )
    db.session.add(holiday)
    db.session.flush()
    record(
        "admin.holiday_added",
        holiday,
        {"centre": centre.code, "day": day.isoformat(), "workday": is_workday, "name": name},
        actor=actor,
    )
    return holiday


def remove_holiday(actor: User, holiday: Holiday) -> None:
    _admin(actor)
    data = {"centre_id": holiday.centre_id, "day": holiday.day.isoformat(), "name": holiday.name}
    record("admin.holiday_removed", holiday, data, actor=actor)
    db.session.delete(holiday)
    db.session.flush()


# --- organisations ---------------------------------------------------------


def create_organisation(
    actor: User,
    *,
    kind: str,
    name: str,
    credit: str,
    centre: Centre | None = None,
    region: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    legal_rep: str = "",
) -> Organisation:
    _admin(actor)
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        raise ValidationError(
            _l("单位类型须为以下之一：%(k)s。", k=", ".join(k.value for k in OrgKind)),
            field="kind",
        ) from None
    if not (name or "").strip():
        raise ValidationError(_l("请填写单位名称。"), field="name")
    credit = credit_code.require_valid(credit)
    if db.session.execute(
        select(Organisation).where(Organisation.credit_code == credit)
    ).scalar_one_or_none():
        raise Conflict(_l("统一社会信用代码 %(c)s 已登记。", c=credit), field="credit_code")
    org = Organisation(
        kind=org_kind,
        name=name.strip(),
        credit_code=credit,
        centre_id=centre.id if centre else None,
        region=(region or "").strip(),
        contact_name=(contact_name or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        address=(address or "").strip(),
        legal_rep=(legal_rep or "").strip(),
        created_at=clock.now(),
    )
    db.session.add(org)
    db.session.flush()
    record(
        "admin.org_created",
        org,
        {"name": org.name, "kind": org_kind.value, "credit_code": credit},
        actor=actor,
    )
    return org


def blacklist(actor: User, org: Organisation, *, until: dt.date, reason: str) -> Organisation:
    """Bar a supplier from bidding until the end of `until` (China time)."""
    _admin(actor)
    if org.kind != OrgKind.SUPPLIER:
        raise ValidationError(_l("只有供应商可以列入失信名单。"), field="kind")
    if not (reason or "").strip():
        raise ValidationError(_l("请填写列入失信名单的原因。"), field="reason")
    today = clock.cst_date(clock.now())
    if until <= today:
        raise ValidationError(
            _l("截止日期须晚于今天（%(d)s）。", d=today.isoformat()), field="until"
        )
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=clock.CST)
    org.blacklisted_until = end.astimezone(dt.UTC)
    org.blacklist_reason = reason.strip()
    db.session.flush()
    record(
        "admin.org_blacklisted",
        org,
        {"until": until.isoformat(), "reason": org.blacklist_reason},
        actor=actor,
    )
    return org


def lift_blacklist(actor: User, org: Organisation) -> Organisation:
    _admin(actor)
    if org.blacklisted_until is None:
        raise Conflict(_l("该单位不在失信名单中。"))
    previous = org.blacklisted_until.isoformat()
    org.blacklisted_until = None
    org.blacklist_reason = ""
    db.session.flush()
    record("admin.org_blacklist_lifted", org, {"was_until": previous}, actor=actor)
    return org


def is_blacklisted(org: Organisation) -> bool:
    return org.blacklisted_until is not None and org.blacklisted_until > clock.now()


# --- users -----------------------------------------------------------------


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            _l("角色须为以下之一：%(r)s。", r=", ".join(ROLE_VALUES)), field="role"
        ) from None


def _check_role_fits(role: Role, org: Organisation | None) -> None:
    intermediary = org is not None and org.kind == OrgKind.INTERMEDIARY
    if (role == Role.INTERMEDIARY) != intermediary:
        raise ValidationError(
            _l("中介机构的用户只能是中介机构角色，中介机构角色的用户必须属于一家中介机构。"),
            field="organisation_id",
        )
    if role == Role.SUPPLIER and (org is None or org.kind != OrgKind.SUPPLIER):
        raise ValidationError(_l("供应商用户必须属于一家供应商单位。"), field="organisation_id")
    if role != Role.SUPPLIER and org is not None and org.kind == OrgKind.SUPPLIER:
        raise ValidationError(
            _l("供应商单位的用户只能是供应商角色，以免投标人参与组织或评审。"),
            field="organisation_id",
        )


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    actor: User,
    *,
    username: str,
    display_name: str,
    role: str,
    email: str = "",
    phone: str = "",
    organisation: Organisation | None = None,
    centre: Centre | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its initial password (shown to the admin once)."""
    _admin(actor)
    role_ = _role(role)
    _check_role_fits(role_, organisation)
    initial = password or temporary_password()
    user = _create_user(
        username=username,
        password=initial,
        display_name=display_name,
        role=role_,
        email=email,
        phone=phone,
        organisation=organisation,
        centre=centre,
        actor=actor,
    )
    return user, initial


def set_active(actor: User, user: User, active: bool) -> User:
    _admin(actor)
    if user.id == actor.id and not active:
        raise Conflict(_l("不能停用自己的账户。"))
    user.is_active_flag = active
    if not active:
        user.session_epoch += 1  # live sessions die with the account
    db.session.flush()
    record("admin.user_activated" if active else "admin.user_deactivated", user, actor=actor)
    return user


def reset_password(actor: User, user: User) -> str:
    """A fresh temporary password; every session and failed-login lock of the user ends."""
    _admin(actor)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    record("admin.user_password_reset", user, actor=actor)
    return password


def force_logout(actor: User, user: User) -> User:
    _admin(actor)
    user.session_epoch += 1
    db.session.flush()
    record("admin.user_logged_out", user, {"epoch": user.session_epoch}, actor=actor)
    return user


def change_role(actor: User, user: User, role: str) -> User:
    _admin(actor)
    new = _role(role)
    if user.id == actor.id and new != Role.ADMIN:
        raise Conflict(_l("不能取消自己的管理员角色。"))
    if new == user.role:
        raise Conflict(_l("该用户已经是此角色。"), field="role")
    _check_role_fits(new, user.organisation)
    old = user.role
    user.role = new
    user.session_epoch += 1  # permissions of open sessions must not outlive the change
    db.session.flush()
    record("admin.user_role_changed", user, {"from": old.value, "to": new.value}, actor=actor)
    return user


# --- loaders ---------------------------------------------------------------


def get_or_404(model: type[Any], ident: Any, label: Any) -> Any:
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound(_l("%(what)s不存在。", what=label))
    return obj
