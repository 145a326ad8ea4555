"""Public JSON API: same filters and pagination as the pages, 4xx with Chinese messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core.extensions import db
from bidding.models import AnnouncementKind, LotStatus, Method
from tests.factories import make_centre
from tests.portal.factories import T0, make_announcement, make_project


def api_ids(client: Any, query: str = "") -> list[int]:
    resp = client.get(f"/api/v1/announcements?{query}")
    assert resp.status_code == 200, resp.data[:300]
    return [item["id"] for item in resp.get_json()["items"]]


def test_api_lists_published_newest_first_with_totals(client: Any) -> None:
    p = make_project()
    a = make_announcement(p, published_at=T0)
    b = make_announcement(p, published_at=T0 + dt.timedelta(days=2))
    make_announcement(p, published_at=None)
    db.session.commit()
    body = client.get("/api/v1/announcements").get_json()
    assert [i["id"] for i in body["items"]] == [b.id, a.id]
    assert body["total"] == 2 and body["pages"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert item["kind"] == "tender" and item["kind_label"] == "招标公告"
    assert item["lot_status"] == "published"
    assert item["url"] == f"/announcements/{b.id}"


def test_api_filters_match_the_page_filters(client: Any) -> None:
    centre = make_centre(code="150900", region="乌兰察布市")
    works = make_announcement(make_project(centre, category_code="A08"), title="学校施工招标公告")
    goods = make_announcement(
        make_project(method=Method.INQUIRY, category_code="B02", lot_status=LotStatus.AWARDED),
        kind=AnnouncementKind.RESULT,
        title="医疗设备中标结果公告",
    )
    db.session.commit()
    assert api_ids(client, "q=施工") == [works.id]
    assert api_ids(client, "q=医疗") == [goods.id]
    assert api_ids(client, f"centre={centre.id}") == [works.id]
    assert api_ids(client, "region=1509") == [works.id]
    assert api_ids(client, "category=B") == [goods.id]
    assert api_ids(client, "method=inquiry") == [goods.id]
    assert api_ids(client, "kind=result") == [goods.id]
    assert api_ids(client, "status=awarded") == [goods.id]
    assert api_ids(client, "status=open&q=施工") == [works.id]
    assert api_ids(client, "status=open&q=医疗") == []


def test_api_pagination(client: Any) -> None:
    p = make_project()
    made = [make_announcement(p) for _ in range(7)]
    db.session.commit()
    body = client.get("/api/v1/announcements?per_page=3&page=3").get_json()
    assert body["total"] == 7 and body["pages"] == 3
    assert [i["id"] for i in body["items"]] == [made[0].id]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("page=-1", "页码"),
        ("page=abc", "整数"),
        ("per_page=500", "每页条数"),
        ("kind=nonsense", "公告类型无效"),
        ("method=auction", "采购方式无效"),
        ("status=weird", "项目状态无效"),
        ("category=A-1", "品目分类代码"),
        ("centre=x", "整数"),
    ],
)
def test_api_bad_parameters_get_422_with_chinese_message(
    client: Any, query: str, words: str
) -> None:
    resp = client.get(f"/api/v1/announcements?{query}")
    assert resp.status_code == 422
    assert words in resp.get_json()["message"]


def test_api_detail_has_project_lot_fields_and_links(client: Any, app: Any) -> None:
    endpoint, _args = app.url_map.bind("localhost").match("/api/v1/announcements/1")
    assert endpoint.startswith("portal_api.")
    p = make_project()
    tender = make_announcement(p, fields={"budget": "1000000.00"}, body="正文")
    fix = make_announcement(p, kind=AnnouncementKind.CLARIFICATION, supersedes=tender)
    db.session.commit()
    body = client.get(f"/api/v1/announcements/{tender.id}").get_json()
    assert body["fields"] == {"budget": "1000000.00"}
    assert body["project"]["trade_id"] == p.trade_id
    assert body["lot"]["budget"] == "1000000.00"
    assert body["lot"]["documents_url"] == f"/supplier/lots/{p.lots[0].id}"
    assert body["related_ids"] == [fix.id]
    assert body["superseded_by_ids"] == [fix.id]
    missing = client.get("/api/v1/announcements/999999")
    assert missing.status_code == 404
    assert "公告不存在" in missing.get_json()["message"]
