"""The market's pages and JSON API: what each role sees, and bad input answered in words."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest

from app.core import clock
from app.core.extensions import db
from app.market import auction, needs
from app.market.models import NeedStatus
from tests.factories import PASSWORD, credit, csrf_from, login, token_headers
from tests.market.world import START, build, post


@pytest.fixture
def world() -> Any:
    clock.set_now(START)
    return build()


def test_an_agency_registers_on_its_page_and_sees_only_its_market_menus(
    client: Any, world: Any
) -> None:
    token = csrf_from(client, "/market/register")
    bad = client.post(
        "/market/register",
        data={
            "csrf_token": token,
            "name": "某评估公司",
            "credit_code": "911100000000000000",
            "username": "newagency",
            "password": PASSWORD,
            "password2": PASSWORD,
            "contact_name": "王",
            "email": "w@example.cn",
        },
    )
    assert bad.status_code == 422 and "统一社会信用代码" in bad.get_data(as_text=True)
    resp = client.post(
        "/market/register",
        data={
            "csrf_token": token,
            "name": "某评估公司",
            "credit_code": credit(),
            "username": "newagency",
            "password": PASSWORD,
            "password2": PASSWORD,
            "contact_name": "王",
            "email": "w@example.cn",
        },
    )
    assert resp.status_code == 302
    resp = client.post(
        "/login",
        data={
            "username": "newagency",
            "password": PASSWORD,
            "csrf_token": csrf_from(client, "/login"),
        },
    )
    assert resp.status_code == 302
    html = client.get("/market/my/profile").get_data(as_text=True)
    menu = re.findall(r'data-testid="nav-link"[^>]*>([^<]+)<', html)
    assert "机构资料与资质" in menu and "服务需求与竞价" in menu
    assert not {"项目管理", "开标与密钥", "专家抽取", "评标室", "投标与开标"} & set(menu)
    token = csrf_from(client, "/market/my/profile")
    resp = client.post(
        "/market/my/qualifications",
        data={
            "csrf_token": token,
            "type_code": "ZX02",
            "name": "造价咨询资质",
            "level": "1",
            "number": "ZJ-1",
            "issuer": "住建厅",
            "valid_until": "2027-12-31",
            "certificate": (io.BytesIO(b"%PDF scan"), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    listing = client.get("/market/agencies?type=ZX02").get_data(as_text=True)
    assert "某评估公司" in listing
    assert (
        client.get("/workbench/").status_code in (200, 308)
        or client.get("/workbench").status_code == 200
    )


def test_buyer_pages_refuse_direct_choice_for_government_services_and_say_why(
    client: Any, world: Any
) -> None:
    login(client, world.buyer)
    html = client.get("/market/buyer/new").get_data(as_text=True)
    assert "竞争方式" in html
    token = csrf_from(client, "/market/buyer/new")
    resp = client.post(
        "/market/buyer/new",
        data={
            "csrf_token": token,
            "title": "审批环评",
            "type_code": "ZX01",
            "budget": "50000",
            "required_level": "3",
            "service_deadline": "2027-03-01",
            "method": "direct",
            "gov_commissioned": "1",
        },
    )
    assert resp.status_code == 422
    assert "不能直接选取" in resp.get_data(as_text=True)
    resp = client.post(
        "/market/buyer/new",
        data={
            "csrf_token": token,
            "title": "审批环评",
            "type_code": "ZX01",
            "budget": "50000",
            "required_level": "3",
            "service_deadline": "2027-03-01",
            "method": "auction",
            "gov_commissioned": "1",
            "starts_at": "2026-12-07 10:30",
            "closes_at": "2026-12-07 11:00",
            "step": "500",
            "extend_window_minutes": "3",
            "extend_minutes": "2",
        },
    )
    assert resp.status_code == 302
    need_url = resp.headers["Location"]
    assert "网上竞价" in client.get(need_url).get_data(as_text=True)
    # The agencies' pages are not the buyer's.
    assert client.get("/market/my/profile").status_code == 403


def test_the_api_bids_and_refuses_in_words_and_the_portal_publishes_the_result(
    client: Any, world: Any
) -> None:
    a, b, _c = world.agencies
    need = post(world)
    clock.set_now(START + dt.timedelta(minutes=12))
    ha, hb = token_headers(a), token_headers(b)
    ok = client.post(f"/api/v1/market/needs/{need.id}/bids", json={"price": "95000"}, headers=ha)
    assert ok.status_code == 201 and ok.json["my_rank"] == 1 and ok.json["best"] == "95000.00"
    assert ok.json["bid_seq"] == 1
    low = client.post(f"/api/v1/market/needs/{need.id}/bids", json={"price": "94500"}, headers=hb)
    assert low.status_code == 422 and "至少低" in low.json["message"]
    client.post(f"/api/v1/market/needs/{need.id}/bids", json={"price": "94000"}, headers=hb)
    state = client.get(f"/api/v1/market/needs/{need.id}/auction", headers=ha).json
    assert state["my_rank"] == 2 and state["bidders"] == 2
    room = client.get(f"/market/needs/{need.id}/auction", headers=ha)
    assert room.status_code == 200
    clock.set_now(START + dt.timedelta(minutes=41))
    late = client.post(f"/api/v1/market/needs/{need.id}/bids", json={"price": "90000"}, headers=ha)
    assert late.status_code == 409 or late.status_code == 410 or late.status_code >= 400
    assert "已结束" in late.json["message"]
    hbuyer = token_headers(world.buyer)
    resp = client.post(f"/api/v1/market/needs/{need.id}/award", headers=hbuyer)
    assert resp.status_code == 200 and resp.json["winner_org_id"] == b.organisation_id
    resp = client.post(
        f"/api/v1/market/needs/{need.id}/contract",
        data={"file": (io.BytesIO(b"signed contract"), "contract.pdf")},
        headers=hbuyer,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and resp.json["status"] == "contracted"
    assert (
        client.post(
            f"/api/v1/market/needs/{need.id}/completion", json={"note": "ok"}, headers=hbuyer
        ).status_code
        == 200
    )
    bad = client.post(
        f"/api/v1/market/needs/{need.id}/rating",
        json={"quality": 9, "timeliness": 5, "fee": 5, "conduct": 5},
        headers=hbuyer,
    )
    assert bad.status_code == 422
    good = client.post(
        f"/api/v1/market/needs/{need.id}/rating",
        json={"quality": 5, "timeliness": 4, "fee": 4, "conduct": 5, "comment": "专业"},
        headers=hbuyer,
    )
    assert good.status_code == 201
    again = client.post(
        f"/api/v1/market/needs/{need.id}/rating",
        json={"quality": 5, "timeliness": 4, "fee": 4, "conduct": 5},
        headers=hbuyer,
    )
    assert again.status_code == 409 and "只能评价一次" in again.json["message"]
    page = client.get(f"/market/needs/{need.id}").get_data(as_text=True)
    assert b.organisation.name in page and "94,000.00" in page
    agency = client.get(f"/market/agencies/{b.organisation_id}").get_data(as_text=True)
    assert "专业" in agency and "信用分 = 60" in agency
    assert "成交结果" in client.get("/market/").get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/market/needs/{need_id}/bids" in spec["paths"]
    assert needs.get_need(need.id).status == NeedStatus.COMPLETED
    assert auction.replay_check(needs.get_need(need.id))


DATA = (
    "测试",
    "有限公司",
    "中介机构",
    "生态环境局",
    "某项目环境影响评价",
    "编制环境影响报告书",
    "环评资质",
    "生态环境厅",
    "联系人",
)


def test_the_english_pages_show_words_not_codes(client: Any, world: Any) -> None:
    need = post(world)
    db.session.commit()
    client.get("/lang/en")
    for path in (
        "/market/",
        f"/market/needs/{need.id}",
        "/market/agencies",
        f"/market/agencies/{world.agencies[0].organisation_id}",
        "/market/register",
    ):
        html = client.get(path).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0])
        raw = re.search(r">\s*(auction|direct|random|open|closed|awarded)\s*<", html)
        assert raw is None, (path, raw)
        for word in DATA:  # the data itself is Chinese; the page's own words are not
            text = text.replace(word, "")
        left = re.findall(r"[\u4e00-\u9fff]{2,}", text)
        assert not left, (path, left[:5])


def test_the_workbench_names_what_needs_the_buyer_and_the_agency(client: Any, world: Any) -> None:
    need = post(world, "random", title="某校舍测绘")
    auction_need = post(world, title="某项目环评竞价")
    login(client, world.buyer)
    page = client.get("/workbench").get_data(as_text=True)
    assert "请选取中介机构：某校舍测绘" in page
    assert "网上竞价进行中或即将开始：某项目环评竞价" in page
    client.post("/logout", data={"csrf_token": csrf_from(client, "/workbench")})
    login(client, world.agencies[0])
    page = client.get("/workbench").get_data(as_text=True)
    assert "网上竞价：某项目环评竞价" in page
    assert "可报名的服务需求：某校舍测绘" in page
    assert f"/market/needs/{auction_need.id}/auction" in page
    assert need.id
