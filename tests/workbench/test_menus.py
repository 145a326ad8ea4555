"""Every role's menu: each entry opens (no 403/404), and the names say what they hold."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from tests.experts.world import build_world, make_expert
from tests.factories import login, make_org, make_user

NAV = re.compile(r'<a href="([^"]+)" data-testid="nav-link"[^>]*>([^<]+)</a>')


def _users() -> dict[str, Any]:
    w = build_world()
    expert = make_expert(w.centre, account=True)
    purchaser_user = make_user(Role.STAFF, organisation=w.purchaser)
    users = {
        "admin": make_user(Role.ADMIN),
        "admin_of_centre": make_user(Role.ADMIN, centre=w.centre),
        "agency_staff": w.agency_staff,
        "centre_staff": w.centre_staff,
        "purchaser_staff": purchaser_user,
        "supplier": make_user(Role.SUPPLIER, organisation=make_org(OrgKind.SUPPLIER)),
        "expert": expert.user,
        "supervisor": make_user(Role.SUPERVISOR, centre=w.centre),
    }
    db.session.commit()
    return users


def _menu(client: Any) -> list[tuple[str, str]]:
    html = client.get("/workbench").get_data(as_text=True)
    header = html[html.index("data-site-header") : html.index("</header>")]
    return NAV.findall(header)


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "admin_of_centre",
        "agency_staff",
        "centre_staff",
        "purchaser_staff",
        "supplier",
        "expert",
        "supervisor",
    ],
)
def test_every_menu_entry_opens_for_its_role(client: Any, who: str) -> None:
    user = _users()[who]
    login(client, user)
    menu = _menu(client)
    assert menu[0][0] == "/workbench"
    assert len(menu) >= 2
    for url, label in menu:
        resp = client.get(url)
        assert resp.status_code == 200, (
            f"{who}: menu entry {label} ({url}) answered {resp.status_code}"
        )
    # The account and the language switch are in the header too.
    html = client.get("/workbench").get_data(as_text=True)
    assert 'data-testid="account"' in html and 'data-testid="lang-en"' in html


def test_admin_without_a_centre_has_no_expert_pool_entry(client: Any) -> None:
    users = _users()
    login(client, users["admin"])
    labels = [label for _u, label in _menu(client)]
    assert "专家库" not in labels
    assert client.get("/experts/pool").status_code == 403
    client2 = client.application.test_client()
    login(client2, users["admin_of_centre"])
    assert "专家库" in [label for _u, label in _menu(client2)]


def test_supplier_menus_are_not_confused(client: Any) -> None:
    login(client, _users()["supplier"])
    labels = [label for _u, label in _menu(client)]
    assert "招标文件与答疑" in labels and "投标与开标" in labels
    assert "我的投标项目" not in labels and "我的投标" not in labels
