"""Factories that build the world a test needs, through the real services where it matters."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import pyotp

from app.core import clock
from app.core.auth import credit_code
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.auth.passwords import hash_password
from app.core.extensions import db

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def credit(n: int | None = None) -> str:
    """A valid unified social credit code, distinct per call."""
    n = next(_seq) if n is None else n
    return credit_code.complete(f"91110000{n:09d}")


@functools.cache
def _password_hash() -> str:
    # argon2 is slow on purpose; one hash of the shared test password serves every user.
    return hash_password(PASSWORD)


def make_centre(code: str | None = None, name: str = "测试市公共资源交易中心", **kw: Any) -> Centre:
    centre = Centre(
        code=code or f"1{next(_seq):05d}",
        name=name,
        name_en=kw.pop("name_en", "Test Centre"),
        region=kw.pop("region", "测试市"),
        settings=kw.pop("settings", {}),
        created_at=clock.now(),
        **kw,
    )
    db.session.add(centre)
    db.session.flush()
    return centre


def make_org(
    kind: OrgKind | str = OrgKind.SUPPLIER,
    name: str | None = None,
    centre: Centre | None = None,
    **kw: Any,
) -> Organisation:
    kind = OrgKind(kind)
    org = Organisation(
        kind=kind,
        name=name or f"测试{kind.value}单位{next(_seq)}有限公司",
        credit_code=kw.pop("credit_code", credit()),
        centre_id=centre.id if centre else None,
        created_at=clock.now(),
        **kw,
    )
    db.session.add(org)
    db.session.flush()
    return org


def make_user(
    role: Role | str = Role.SUPPLIER,
    *,
    username: str | None = None,
    organisation: Organisation | None = None,
    centre: Centre | None = None,
    totp: bool | None = None,
    email: str | None = None,
    **kw: Any,
) -> User:
    role = Role(role)
    n = next(_seq)
    if totp is None:
        totp = role in (Role.STAFF, Role.EXPERT, Role.SUPERVISOR, Role.ADMIN)
    user = User(
        username=username or f"{role.value}{n}",
        display_name=kw.pop("display_name", f"{role.value}-{n}"),
        email=email if email is not None else f"{role.value}{n}@example.cn",
        password_hash=_password_hash(),
        role=role,
        organisation_id=organisation.id if organisation else None,
        centre_id=centre.id if centre else (organisation.centre_id if organisation else None),
        totp_secret=pyotp.random_base32() if totp else None,
        totp_enabled=bool(totp),
        created_at=clock.now(),
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    return user


def totp_now(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).at(clock.now())


def login(client: Any, user: User, password: str = PASSWORD) -> Any:
    """Log in through the real pages (password, then TOTP when enrolled)."""
    client.get("/login")
    token = csrf_from(client, "/login")
    resp = client.post(
        "/login", data={"username": user.username, "password": password, "csrf_token": token}
    )
    if resp.status_code == 302 and "/login/2fa" in resp.headers.get("Location", ""):
        token = csrf_from(client, "/login/2fa")
        resp = client.post("/login/2fa", data={"code": totp_now(user), "csrf_token": token})
    assert resp.status_code == 302, resp.data[:500]
    return resp


def csrf_from(client: Any, path: str) -> str:
    import re

    from flask import g, has_app_context

    # The test's app context is shared with the client's requests, so Flask-WTF's per-request
    # token cache in `g` would outlive a login that cleared the session: drop it.
    if has_app_context():
        g.pop("csrf_token", None)
    html = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, f"no csrf token on {path}"
    return m.group(1)


def token_headers(user: User) -> dict[str, str]:
    from app.core.auth.services import issue_token

    _t, raw = issue_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}
