from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.auth.passwords import verify_password
from app.core.extensions import db
from tests.factories import PASSWORD, csrf_from, login, make_centre, make_org, make_user, totp_now


def test_passwords_are_stored_as_argon2id() -> None:
    user = make_user(Role.SUPPLIER)
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)


def test_supplier_logs_in_with_password_and_gets_a_fresh_session(client) -> None:
    user = make_user(Role.SUPPLIER, totp=False)
    db.session.commit()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    login(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:0"


def test_staff_needs_the_totp_code(client) -> None:
    user = make_user(Role.STAFF)
    db.session.commit()
    token = csrf_from(client, "/login")
    resp = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/2fa")
    token = csrf_from(client, "/login/2fa")
    bad = client.post("/login/2fa", data={"code": "000000", "csrf_token": token})
    assert bad.status_code == 401
    good = client.post("/login/2fa", data={"code": totp_now(user), "csrf_token": token})
    assert good.status_code == 302
    assert client.get("/profile").status_code == 200


def test_staff_without_totp_must_enrol_before_entering(client) -> None:
    user = make_user(Role.STAFF, totp=False)
    db.session.commit()
    token = csrf_from(client, "/login")
    resp = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.headers["Location"].endswith("/login/enrol")
    assert client.get("/profile").status_code == 302  # not logged in yet


def test_login_form_without_csrf_token_is_refused(client) -> None:
    user = make_user(Role.SUPPLIER, totp=False)
    db.session.commit()
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account(client) -> None:
    user = make_user(Role.SUPPLIER, totp=False)
    db.session.commit()
    token = csrf_from(client, "/login")
    for _ in range(5):
        resp = client.post(
            "/login",
            data={"username": user.username, "password": "wrong-password", "csrf_token": token},
        )
        assert resp.status_code == 401
    resp = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 423
    assert "锁定" in resp.get_data(as_text=True)
    clock.set_now(clock.now() + dt.timedelta(minutes=16))
    login(client, user)
    failures = db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    ).scalar_one()
    assert failures == 5


def test_login_attempts_are_rate_limited(client) -> None:
    token = csrf_from(client, "/login")
    codes = [
        client.post(
            "/login", data={"username": "nobody", "password": "x", "csrf_token": token}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_security_headers_are_set(client) -> None:
    resp = client.get("/login")
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_api_token_from_password_and_totp(client) -> None:
    centre = make_centre()
    user = make_user(Role.STAFF, organisation=make_org(OrgKind.AGENCY, centre=centre))
    db.session.commit()
    resp = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 401 and resp.json["field"] == "totp"
    resp = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": PASSWORD, "totp": totp_now(user)},
    )
    assert resp.status_code == 201
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {resp.json['token']}"})
    assert me.status_code == 200 and me.json["username"] == user.username
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": "Bearer th_forged"}).status_code
        == 401
    )


def test_supplier_registration_checks_the_credit_code_and_writes_nothing_when_bad(client) -> None:
    bad = client.post(
        "/api/v1/auth/register",
        json={
            "company_name": "内蒙古测试建设有限公司",
            "credit_code": "91150900MA0N000001",
            "username": "supplier-x",
            "password": "long-enough-password",
            "contact_name": "张三",
            "email": "zs@example.cn",
        },
    )
    assert bad.status_code == 422
    assert "统一社会信用代码" in bad.json["message"]
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0
    from app.core.auth.credit_code import complete

    good = client.post(
        "/api/v1/auth/register",
        json={
            "company_name": "内蒙古测试建设有限公司",
            "credit_code": complete("91150900MA0N00000"),
            "username": "supplier-x",
            "password": "long-enough-password",
            "contact_name": "张三",
            "email": "zs@example.cn",
        },
    )
    assert good.status_code == 201
    org = db.session.execute(select(Organisation)).scalar_one()
    assert org.kind == OrgKind.SUPPLIER


def test_credit_code_check_digit() -> None:
    from app.core.auth.credit_code import complete, is_valid

    assert is_valid("91350100M000100Y43")  # a published example
    code = complete("91110108MA01ABCD1")
    assert is_valid(code)
    assert not is_valid(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert not is_valid("123")


def test_bearer_token_works_after_the_client_fetched_a_page(client) -> None:
    # Fetching any page leaves a session (its CSRF token) without a login in it; "strong"
    # session protection used to reject that session before the token was read (401).
    from tests.factories import token_headers

    user = make_user(Role.SUPPLIER, totp=False)
    headers = token_headers(user)
    client.get("/login")
    with client.session_transaction() as sess:
        assert sess  # the page left a session cookie behind
    resp = client.get("/api/v1/auth/me", headers={**headers, "User-Agent": "th-client/1.0"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["username"] == user.username


def test_bearer_request_is_the_tokens_user_whatever_session_it_carries(client) -> None:
    from tests.factories import token_headers

    browser_user = make_user(Role.SUPPLIER, totp=False)
    token_user = make_user(Role.SUPPLIER, totp=False)
    headers = token_headers(token_user)
    login(client, browser_user)
    resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["username"] == token_user.username
    # A wrong token is a wrong token: the session does not stand in for it …
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    # … and the browser's own session is left as it was.
    assert client.get("/api/v1/auth/me").get_json()["username"] == browser_user.username
