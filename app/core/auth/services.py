"""Authentication use cases: password login with lockout, TOTP, API tokens, registration."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import ApiToken, Centre, Organisation, OrgKind, Role, User
from app.core.auth.passwords import hash_password, needs_rehash, verify_password
from app.core.errors import Conflict, DomainError, ValidationError
from app.core.extensions import db


class LoginRefused(DomainError):
    status = 401
    code = "login_refused"


class AccountLocked(DomainError):
    status = 423
    code = "locked"


@functools.cache
def _dummy_hash() -> str:
    return hash_password("no such user")


def find_user(username: str) -> User | None:
    return db.session.execute(
        select(User).where(User.username == username.strip())
    ).scalar_one_or_none()


def check_password(username: str, password: str) -> User:
    """Verify a password. Counts failures and locks the account after too many."""
    user = find_user(username)
    now = clock.now()
    if user is None:
        # Same work and the same answer as a wrong password: no user enumeration.
        verify_password(_dummy_hash(), password)
        record("auth.login_failed", data={"username": username[:60], "reason": "unknown user"})
        raise LoginRefused(_l("用户名或密码错误。"))
    if user.locked_until and user.locked_until > now:
        record("auth.login_locked", user, actor=user)
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise AccountLocked(_l("账户已临时锁定，请 %(m)s 分钟后再试。", m=minutes))
    if not user.is_active or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        data: dict[str, Any] = {"failures": user.failed_logins}
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + dt.timedelta(
                minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
            )
            user.failed_logins = 0
            data["locked_until"] = user.locked_until.isoformat()
        record("auth.login_failed", user, data, actor=user)
        raise LoginRefused(_l("用户名或密码错误。"))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def two_factor_required(user: User) -> bool:
    roles = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    if user.centre is not None and "two_factor_roles" in (user.centre.settings or {}):
        roles = user.centre.settings["two_factor_roles"]
    return user.role.value in roles


def verify_totp(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify(
        (code or "").strip(), for_time=clock.now(), valid_window=1
    )


def complete_login(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = clock.now()
    record("auth.login", user, {"two_factor": user.totp_enabled}, actor=user)


def start_totp_enrolment(user: User) -> str:
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    return user.totp_secret


def confirm_totp_enrolment(user: User, code: str) -> None:
    if not verify_totp(user, code):
        raise ValidationError(_l("动态验证码不正确，请核对手机验证器上的 6 位数字。"), field="code")
    user.totp_enabled = True
    record("auth.totp_enabled", user, actor=user)


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(
        name=user.username, issuer_name="Tender Hall"
    )


TOKEN_PREFIX = "th_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:80] or "api",
        token_hash=_token_hash(raw),
        prefix=raw[:10],
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record("auth.token_issued", token, {"name": token.name, "user": user.username}, actor=user)
    return token, raw


def revoke_token(user: User, token: ApiToken) -> None:
    token.revoked_at = clock.now()
    record("auth.token_revoked", token, {"name": token.name}, actor=user)


@functools.cache
def _token_and_user() -> Any:
    """Token, user and the user's organisation in one query, the statement built once:
    every API request of a bearer client comes through here."""
    return (
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
        .options(joinedload(User.organisation))
    )


def user_for_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = db.session.execute(_token_and_user(), {"token_hash": _token_hash(raw)}).one_or_none()
    if row is None:
        return None
    token, user = row
    now = clock.now()
    if token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not user.is_active:
        return None
    return user


def create_user(
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    email: str = "",
    phone: str = "",
    organisation: Organisation | None = None,
    centre: Centre | None = None,
    actor: User | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) < 3:
        raise ValidationError(_l("用户名至少 3 个字符。"), field="username")
    if len(password) < 10:
        raise ValidationError(_l("密码至少 10 个字符。"), field="password")
    if find_user(username) is not None:
        raise Conflict(_l("用户名 %(u)s 已被使用。", u=username), field="username")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=email.strip(),
        phone=phone.strip(),
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation.id if organisation else None,
        centre_id=centre.id if centre else (organisation.centre_id if organisation else None),
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    record(
        "auth.user_created", user, {"username": username, "role": role.value}, actor=actor or user
    )
    return user


def register_supplier(
    *,
    company_name: str,
    credit: str,
    username: str,
    password: str,
    contact_name: str,
    email: str,
    phone: str = "",
    region: str = "",
    centre: Centre | None = None,
) -> User:
    """A supplier registers its company and its first user account in one transaction."""
    if not company_name.strip():
        raise ValidationError(_l("请填写企业名称。"), field="company_name")
    credit = credit_code.require_valid(credit)
    exists = db.session.execute(
        select(Organisation).where(Organisation.credit_code == credit)
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict(_l("该统一社会信用代码已注册。"), field="credit_code")
    org = Organisation(
        kind=OrgKind.SUPPLIER,
        name=company_name.strip(),
        credit_code=credit,
        centre_id=centre.id if centre else None,
        region=region,
        contact_name=contact_name.strip(),
        contact_phone=phone.strip(),
        created_at=clock.now(),
    )
    db.session.add(org)
    db.session.flush()
    user = create_user(
        username=username,
        password=password,
        display_name=contact_name or username,
        role=Role.SUPPLIER,
        email=email,
        phone=phone,
        organisation=org,
    )
    record(
        "org.registered",
        org,
        {"name": org.name, "credit_code": credit, "kind": "supplier"},
        actor=user,
    )
    return user
