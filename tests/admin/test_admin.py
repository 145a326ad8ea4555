"""Administration: centres, holiday calendars, organisations and users — each action audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.auth.services import two_factor_required
from app.core.calendar import calendar_for
from app.core.extensions import db
from tests.factories import PASSWORD, credit, csrf_from, login, make_centre, make_org, make_user
from tests.factories import token_headers as _token_headers

API = "/api/v1/admin"
NOW = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin() -> User:
    clock.set_now(NOW)
    user = make_user(Role.ADMIN, username="root-admin")
    db.session.commit()
    return user


@pytest.fixture
def hdr(admin: User) -> dict[str, str]:
    return _token_headers(admin)


def _actions() -> list[str]:
    db.session.rollback()
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


# --- access ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPERVISOR, Role.SUPPLIER, Role.EXPERT])
def test_only_admins_reach_admin_pages_and_api(client: Any, role: Role) -> None:
    org = make_org(OrgKind.SUPPLIER) if role == Role.SUPPLIER else None
    user = make_user(role, organisation=org)
    db.session.commit()
    assert client.get(f"{API}/centres", headers=_token_headers(user)).status_code == 403
    login(client, user)
    resp = client.get("/admin/centres")
    assert resp.status_code == 403
    assert "无权" in resp.get_data(as_text=True)


def test_anonymous_is_sent_to_login_and_api_answers_401(client: Any) -> None:
    assert client.get("/admin/users").status_code == 302
    assert client.get(f"{API}/users").status_code == 401


# --- centres -------------------------------------------------------------------


def test_admin_creates_a_centre_through_the_page(client: Any, admin: User) -> None:
    login(client, admin)
    token = csrf_from(client, "/admin/centres")
    resp = client.post(
        "/admin/centres",
        data={
            "code": "150900",
            "name": "乌兰察布市公共资源交易中心",
            "region": "乌兰察布市",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    centre = db.session.execute(select(Centre).where(Centre.code == "150900")).scalar_one()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "乌兰察布市公共资源交易中心" in page
    assert "admin.centre_created" in _actions()
    assert centre.region == "乌兰察布市"


def test_centre_with_a_bad_region_code_is_refused_with_the_rule(client: Any, admin: User) -> None:
    login(client, admin)
    token = csrf_from(client, "/admin/centres")
    resp = client.post(
        "/admin/centres",
        data={"code": "15090", "name": "某中心", "region": "某市", "csrf_token": token},
    )
    assert resp.status_code == 422
    assert "6 位数字" in resp.get_data(as_text=True)
    assert db.session.execute(select(Centre)).first() is None


def test_duplicate_centre_code_conflicts(client: Any, hdr: dict[str, str]) -> None:
    body = {"code": "510700", "name": "绵阳市公共资源交易中心", "region": "绵阳市"}
    assert client.post(f"{API}/centres", json=body, headers=hdr).status_code == 201
    resp = client.post(f"{API}/centres", json=body, headers=hdr)
    assert resp.status_code == 409
    assert "已存在" in resp.json["message"]


def test_centre_two_factor_roles_decide_who_needs_totp(client: Any, hdr: dict[str, str]) -> None:
    centre = make_centre()
    staff = make_user(Role.STAFF, centre=centre, totp=False)
    db.session.commit()
    assert two_factor_required(staff)
    resp = client.put(
        f"{API}/centres/{centre.id}/settings",
        json={"two_factor_roles": ["admin", "supervisor"]},
        headers=hdr,
    )
    assert resp.status_code == 200, resp.json
    db.session.expire_all()
    assert not two_factor_required(db.session.get(User, staff.id))
    assert "admin.centre_settings" in _actions()


def test_centre_cannot_shorten_the_statutory_bid_period(client: Any, hdr: dict[str, str]) -> None:
    centre = make_centre()
    db.session.commit()
    resp = client.put(
        f"{API}/centres/{centre.id}/settings",
        json={"bid_period_min_days_by_method": {"open": 10}},
        headers=hdr,
    )
    assert resp.status_code == 422
    assert "20" in resp.json["message"]
    ok = client.put(
        f"{API}/centres/{centre.id}/settings",
        json={
            "bid_period_min_days_by_method": {"open": 25},
            "clocks": {"clarification_min_days": 20},
        },
        headers=hdr,
    )
    assert ok.status_code == 200
    assert ok.json["settings"]["bid_period_min_days_by_method"] == {"open": 25}
    assert ok.json["settings"]["clarification_min_days"] == 20


def test_centre_settings_page_saves_overrides(client: Any, admin: User) -> None:
    centre = make_centre()
    db.session.commit()
    login(client, admin)
    token = csrf_from(client, f"/admin/centres/{centre.id}")
    resp = client.post(
        f"/admin/centres/{centre.id}/settings",
        data={
            "csrf_token": token,
            "two_factor_custom": "1",
            "two_factor_roles": ["staff", "admin"],
            "objection_answer_days": "5",
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    settings = db.session.get(Centre, centre.id).settings
    assert settings["two_factor_roles"] == ["admin", "staff"]
    assert settings["objection_answer_days"] == 5


# --- holidays ------------------------------------------------------------------


def test_holidays_and_makeup_days_change_the_working_day_calendar(
    client: Any, hdr: dict[str, str]
) -> None:
    centre = make_centre()
    db.session.commit()
    url = f"{API}/centres/{centre.id}/holidays"
    national_day = client.post(url, json={"day": "2026-10-01", "name": "国庆节"}, headers=hdr)
    assert national_day.status_code == 201, national_day.json
    makeup = client.post(
        url, json={"day": "2026-10-10", "is_workday": True, "name": "国庆调休"}, headers=hdr
    )
    assert makeup.status_code == 201, makeup.json
    cal = calendar_for(centre.id)
    assert not cal.is_working_day(dt.date(2026, 10, 1))
    assert cal.is_working_day(dt.date(2026, 10, 10))  # a Saturday
    listed = client.get(url + "?year=2026", headers=hdr).json
    assert [h["day"] for h in listed] == ["2026-10-01", "2026-10-10"]
    assert (
        client.delete(f"{API}/holidays/{national_day.json['id']}", headers=hdr).status_code == 204
    )
    assert calendar_for(centre.id).is_working_day(dt.date(2026, 10, 1))
    assert {"admin.holiday_added", "admin.holiday_removed"} <= set(_actions())


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"day": "2026-10-12", "is_workday": True}, 422, "调休上班日应为周六或周日"),
        ({"day": "2026-10-10"}, 422, "周末"),
        ({"day": "2026-13-01"}, 422, "日期格式无效"),
    ],
)
def test_nonsensical_calendar_days_are_refused(
    client: Any, hdr: dict[str, str], body: dict[str, Any], status: int, words: str
) -> None:
    centre = make_centre()
    db.session.commit()
    resp = client.post(f"{API}/centres/{centre.id}/holidays", json=body, headers=hdr)
    assert resp.status_code == status
    assert words in resp.json["message"]
    assert db.session.execute(select(Holiday)).first() is None


def test_the_same_day_cannot_be_entered_twice(client: Any, admin: User) -> None:
    centre = make_centre()
    db.session.commit()
    login(client, admin)
    page = f"/admin/centres/{centre.id}"
    for _ in range(2):
        resp = client.post(
            f"{page}/holidays",
            data={"csrf_token": csrf_from(client, page), "day": "2027-01-01", "name": "元旦"},
        )
        assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "已在日历中" in html
    assert len(db.session.execute(select(Holiday)).all()) == 1


# --- organisations -------------------------------------------------------------


def test_admin_registers_an_agency_with_a_valid_credit_code(
    client: Any, hdr: dict[str, str]
) -> None:
    code = credit()
    resp = client.post(
        f"{API}/organisations",
        json={"kind": "agency", "name": "内蒙古某某招标代理有限公司", "credit_code": code},
        headers=hdr,
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["kind"] == "agency"
    again = client.post(
        f"{API}/organisations",
        json={"kind": "purchaser", "name": "另一家", "credit_code": code},
        headers=hdr,
    )
    assert again.status_code == 409
    assert "admin.org_created" in _actions()


def test_wrong_credit_code_check_character_is_refused(client: Any, hdr: dict[str, str]) -> None:
    good = credit()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    resp = client.post(
        f"{API}/organisations",
        json={"kind": "purchaser", "name": "某某市人民医院", "credit_code": bad},
        headers=hdr,
    )
    assert resp.status_code == 422
    assert "校验码" in resp.json["message"]
    assert db.session.execute(select(Organisation)).first() is None


def test_supplier_blacklisted_until_a_date_with_a_reason(client: Any, hdr: dict[str, str]) -> None:
    supplier = make_org(OrgKind.SUPPLIER)
    db.session.commit()
    resp = client.put(
        f"{API}/organisations/{supplier.id}/blacklist",
        json={"until": "2027-08-31", "reason": "提供虚假材料谋取中标（某财罚〔2026〕12号）"},
        headers=hdr,
    )
    assert resp.status_code == 200, resp.json
    db.session.expire_all()
    org = db.session.get(Organisation, supplier.id)
    # Banned through the whole last day in China time.
    assert org.blacklisted_until == dt.datetime(2027, 8, 31, 16, 0, tzinfo=dt.UTC)
    assert "虚假材料" in org.blacklist_reason
    lifted = client.delete(f"{API}/organisations/{supplier.id}/blacklist", headers=hdr)
    assert lifted.status_code == 200
    assert lifted.json["blacklisted_until"] is None
    assert {"admin.org_blacklisted", "admin.org_blacklist_lifted"} <= set(_actions())


def test_only_suppliers_go_on_the_blacklist_and_only_for_a_future_date(
    client: Any, hdr: dict[str, str]
) -> None:
    agency = make_org(OrgKind.AGENCY)
    supplier = make_org(OrgKind.SUPPLIER)
    db.session.commit()
    r1 = client.put(
        f"{API}/organisations/{agency.id}/blacklist",
        json={"until": "2027-01-01", "reason": "测试原因"},
        headers=hdr,
    )
    assert r1.status_code == 422
    assert "只有供应商" in r1.json["message"]
    r2 = client.put(
        f"{API}/organisations/{supplier.id}/blacklist",
        json={"until": "2026-09-01", "reason": "测试原因"},
        headers=hdr,
    )
    assert r2.status_code == 422
    assert "晚于今天" in r2.json["message"]


def test_blacklist_form_shows_the_ban(client: Any, admin: User) -> None:
    supplier = make_org(OrgKind.SUPPLIER)
    db.session.commit()
    login(client, admin)
    page = f"/admin/organisations/{supplier.id}"
    resp = client.post(
        f"{page}/blacklist",
        data={"csrf_token": csrf_from(client, page), "until": "2027-03-01", "reason": "围标串标"},
    )
    assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="blacklisted"' in html
    assert "围标串标" in html


# --- users ---------------------------------------------------------------------


def test_created_user_can_log_in_with_the_initial_password(
    client: Any, hdr: dict[str, str]
) -> None:
    supplier = make_org(OrgKind.SUPPLIER)
    db.session.commit()
    resp = client.post(
        f"{API}/users",
        json={
            "username": "zhangsan",
            "display_name": "张三",
            "role": "supplier",
            "organisation_id": supplier.id,
        },
        headers=hdr,
    )
    assert resp.status_code == 201, resp.json
    password = resp.json["initial_password"]
    token = client.post("/api/v1/auth/token", json={"username": "zhangsan", "password": password})
    assert token.status_code == 201


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"role": "supplier"}, "供应商用户必须属于"),
        ({"role": "expert", "org": "supplier"}, "供应商单位的用户只能是供应商角色"),
        ({"role": "wizard"}, "取值须为以下之一"),
    ],
)
def test_user_role_must_fit_the_organisation(
    client: Any, hdr: dict[str, str], body: dict[str, Any], words: str
) -> None:
    org = make_org(OrgKind.SUPPLIER)
    db.session.commit()
    payload = {"username": "lisi01", "display_name": "李四", "role": body["role"]}
    if body.get("org"):
        payload["organisation_id"] = org.id
    resp = client.post(f"{API}/users", json=payload, headers=hdr)
    assert resp.status_code == 422
    assert words in resp.json["message"]
    assert db.session.execute(select(User).where(User.username == "lisi01")).first() is None


def test_deactivated_user_loses_api_access(client: Any, hdr: dict[str, str]) -> None:
    staff = make_user(Role.STAFF)
    db.session.commit()
    theirs = _token_headers(staff)
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 200
    assert client.post(f"{API}/users/{staff.id}/deactivate", headers=hdr).status_code == 200
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 401
    assert client.post(f"{API}/users/{staff.id}/activate", headers=hdr).status_code == 200
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 200


def test_force_logout_ends_the_users_browser_session(app: Any, hdr: dict[str, str]) -> None:
    staff = make_user(Role.STAFF)
    db.session.commit()
    browser = app.test_client()
    login(browser, staff)
    assert browser.get("/profile").status_code == 200
    assert app.test_client().post(f"{API}/users/{staff.id}/logout", headers=hdr).status_code == 200
    assert browser.get("/profile").status_code == 302
    assert "admin.user_logged_out" in _actions()


def test_password_reset_replaces_the_old_password(app: Any, client: Any, admin: User) -> None:
    staff = make_user(Role.SUPPLIER, organisation=make_org(OrgKind.SUPPLIER))
    db.session.commit()
    login(client, admin)
    page = f"/admin/users/{staff.id}"
    resp = client.post(f"{page}/reset-password", data={"csrf_token": csrf_from(client, page)})
    assert resp.status_code == 200
    import re

    new = re.search(r'data-testid="new-password">([^<]+)<', resp.get_data(as_text=True)).group(1)
    api = app.test_client()
    old = api.post("/api/v1/auth/token", json={"username": staff.username, "password": PASSWORD})
    assert old.status_code == 401
    fresh = api.post("/api/v1/auth/token", json={"username": staff.username, "password": new})
    assert fresh.status_code == 201


def test_role_change_is_audited_and_admin_cannot_demote_themselves(
    client: Any, admin: User, hdr: dict[str, str]
) -> None:
    staff = make_user(Role.STAFF)
    db.session.commit()
    resp = client.put(f"{API}/users/{staff.id}/role", json={"role": "supervisor"}, headers=hdr)
    assert resp.status_code == 200
    assert resp.json["role"] == "supervisor"
    own = client.put(f"{API}/users/{admin.id}/role", json={"role": "staff"}, headers=hdr)
    assert own.status_code == 409
    entry = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "admin.user_role_changed")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    assert entry.actor_name == "root-admin"
    assert '"to":"supervisor"' in entry.data


def test_unknown_user_is_a_404_with_a_message(client: Any, hdr: dict[str, str]) -> None:
    resp = client.post(f"{API}/users/999999/logout", headers=hdr)
    assert resp.status_code == 404
    assert "不存在" in resp.json["message"]


def test_new_user_form_picks_the_organisation_by_name(client: Any, admin: User) -> None:
    supplier = make_org(OrgKind.SUPPLIER, name="集宁区恒达办公设备经销部")
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/users").get_data(as_text=True)
    picker = html.split('data-testid="org-picker"')[1].split("</select>")[0]
    assert f'<option value="{supplier.id}" >集宁区恒达办公设备经销部</option>' in picker
    assert "供应商" in picker  # grouped by kind
    assert 'name="organisation_id" value=' not in html  # no box for a typed id
