"""Public pages: list ordering, filters, keyword search, pagination, detail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.core.extensions import db
from bidding.models import AnnouncementKind, LotStatus, Method
from tests.factories import make_centre
from tests.portal.factories import T0, make_announcement, make_project


def ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="announcement" data-id="(\d+)"', html)]


def get(client: Any, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_data(as_text=True)


def test_list_shows_published_newest_first(client: Any) -> None:
    p = make_project()
    old = make_announcement(p, published_at=T0)
    new = make_announcement(p, published_at=T0 + dt.timedelta(days=1))
    mid = make_announcement(p, published_at=T0 + dt.timedelta(hours=3))
    db.session.commit()
    assert ids_on(get(client, "/announcements")) == [new.id, mid.id, old.id]


def test_drafts_are_never_listed_or_shown(client: Any) -> None:
    p = make_project()
    draft = make_announcement(p, title="医疗设备草稿公告", published_at=None)
    shown = make_announcement(p, title="医疗设备正式公告")
    db.session.commit()
    assert ids_on(get(client, "/announcements?q=医疗")) == [shown.id]
    assert client.get(f"/announcements/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/announcements/{draft.id}").status_code == 404
    assert "医疗设备草稿公告" not in get(client, "/")


def test_keyword_search_finds_two_character_chinese_words(client: Any) -> None:
    p = make_project()
    works = make_announcement(p, title="市政道路改造施工招标公告")
    medical = make_announcement(p, title="人民医院医疗设备采购公告")
    make_announcement(p, title="办公家具采购公告")
    db.session.commit()
    assert ids_on(get(client, "/announcements?q=施工")) == [works.id]
    assert ids_on(get(client, "/announcements?q=医疗")) == [medical.id]
    assert ids_on(get(client, "/announcements?q=医疗设备")) == [medical.id]
    assert ids_on(get(client, "/announcements?q=不存在的词")) == []


def test_keyword_combines_with_filters(client: Any) -> None:
    a_centre, b_centre = make_centre(name="甲市交易中心"), make_centre(name="乙市交易中心")
    in_a = make_announcement(make_project(a_centre), title="甲市学校施工公告")
    make_announcement(make_project(b_centre), title="乙市学校施工公告")
    make_announcement(make_project(a_centre), title="甲市学校物业公告")
    db.session.commit()
    assert ids_on(get(client, f"/announcements?q=施工&centre={a_centre.id}")) == [in_a.id]


def test_filter_by_kind(client: Any) -> None:
    p = make_project()
    tender = make_announcement(p, kind=AnnouncementKind.TENDER)
    make_announcement(p, kind=AnnouncementKind.RESULT)
    db.session.commit()
    assert ids_on(get(client, "/announcements?kind=tender")) == [tender.id]


def test_filter_by_category_prefix(client: Any) -> None:
    works = make_announcement(make_project(category_code="A08"))
    goods = make_announcement(make_project(category_code="B02"))
    db.session.commit()
    assert ids_on(get(client, "/announcements?category=A")) == [works.id]
    assert ids_on(get(client, "/announcements?category=a08")) == [works.id]
    assert ids_on(get(client, "/announcements?category=B")) == [goods.id]


def test_filter_by_method(client: Any) -> None:
    open_ = make_announcement(make_project(method=Method.OPEN))
    inquiry = make_announcement(make_project(method=Method.INQUIRY))
    db.session.commit()
    assert ids_on(get(client, "/announcements?method=inquiry")) == [inquiry.id]
    assert ids_on(get(client, "/announcements?method=open")) == [open_.id]


def test_filter_by_region_name_or_code_prefix(client: Any) -> None:
    north = make_centre(code="150900", region="乌兰察布市")
    south = make_centre(code="440300", region="深圳市")
    a = make_announcement(make_project(north))
    b = make_announcement(make_project(south))
    db.session.commit()
    assert ids_on(get(client, "/announcements?region=15")) == [a.id]
    assert ids_on(get(client, "/announcements?region=深圳市")) == [b.id]


def test_filter_by_lot_status(client: Any) -> None:
    open_ = make_announcement(make_project(lot_status=LotStatus.PUBLISHED))
    awarded = make_announcement(make_project(lot_status=LotStatus.AWARDED))
    closed = make_announcement(make_project(lot_status=LotStatus.EVALUATING))
    whole = make_announcement(make_project(lot_status=LotStatus.TERMINATED, lots=2), lot=None)
    db.session.commit()
    assert ids_on(get(client, "/announcements?status=open")) == [open_.id]
    assert ids_on(get(client, "/announcements?status=bidding")) == [open_.id]
    assert ids_on(get(client, "/announcements?status=awarded")) == [awarded.id]
    assert ids_on(get(client, "/announcements?status=closed")) == [closed.id]
    assert ids_on(get(client, "/announcements?status=terminated")) == [whole.id]


def test_pagination_twenty_per_page_keeps_filters_in_links(client: Any) -> None:
    p = make_project()
    made = [make_announcement(p, title=f"施工公告{i}") for i in range(45)]
    make_announcement(p, kind=AnnouncementKind.RESULT, title="施工结果公告")
    db.session.commit()
    newest = [a.id for a in reversed(made)]
    html = get(client, "/announcements?kind=tender&q=施工")
    assert ids_on(html) == newest[:20]
    assert "共 45 条公告" in html
    assert 'href="/announcements?page=2&amp;kind=tender&amp;q=' in html
    assert ids_on(get(client, "/announcements?kind=tender&q=施工&page=3")) == newest[40:]


def test_bad_query_parameters_are_normalised_not_errors(client: Any) -> None:
    p = make_project()
    a = make_announcement(p)
    db.session.commit()
    for q in ("page=-1", "page=abc", "page=0", "page=99999999999", "centre=x", "category=%25%27"):
        resp = client.get(f"/announcements?{q}")
        assert resp.status_code == 200, q
    assert ids_on(get(client, "/announcements?page=abc")) == [a.id]
    html = get(client, "/announcements?kind=nonsense")
    assert "公告类型“nonsense”无效" in html
    assert ids_on(html) == [a.id]
    assert "项目状态“weird”无效" in get(client, "/announcements?status=weird")


def test_detail_page_shows_notice_project_timetable_and_documents(client: Any) -> None:
    p = make_project(name="城区供水管网改造工程")
    a = make_announcement(
        p,
        title="城区供水管网改造工程招标公告",
        body="一、项目概况\n二、投标人资格要求",
        fields={"budget": "1000000.00", "qualifications": "市政公用工程施工总承包二级"},
    )
    db.session.commit()
    html = get(client, f"/announcements/{a.id}")
    assert "城区供水管网改造工程招标公告" in html
    assert "招标公告" in html
    # 01:00 UTC + minutes is shown in CST (UTC+8).
    assert (
        a.published_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
        in html
    )
    assert "资格要求" in html and "市政公用工程施工总承包二级" in html
    assert "二、投标人资格要求" in html
    assert p.trade_id in html
    assert f'href="/supplier/lots/{p.lots[0].id}"' in html
    assert "投标截止 / 开标" in html


def test_detail_links_related_and_superseding_notices(client: Any) -> None:
    p = make_project()
    tender = make_announcement(p, title="原招标公告")
    fix = make_announcement(
        p, kind=AnnouncementKind.CLARIFICATION, title="澄清公告一", supersedes=tender
    )
    other = make_announcement(make_project(), title="别的项目公告")
    db.session.commit()
    html = get(client, f"/announcements/{tender.id}")
    assert 'data-testid="superseded"' in html
    assert f"/announcements/{fix.id}" in html
    assert f"/announcements/{other.id}" not in html
    back = get(client, f"/announcements/{fix.id}")
    assert 'data-testid="supersedes"' in back and f"/announcements/{tender.id}" in back


def test_home_page_shows_stats_latest_and_centres(client: Any) -> None:
    centre = make_centre(name="乌兰察布市公共资源交易中心")
    p = make_project(centre, lot_status=LotStatus.PUBLISHED, lots=2)
    make_announcement(p, title="集宁区学校施工招标公告")
    db.session.commit()
    html = get(client, "/")
    assert "集宁区学校施工招标公告" in html
    assert "乌兰察布市公共资源交易中心" in html
    assert re.search(r'data-testid="stat-open">2<', html)
    assert "2,000,000.00 元" in html


def test_region_name_finds_a_district_through_the_purchaser(client: Any) -> None:
    centre = make_centre(code="150900", region="内蒙古自治区乌兰察布市")
    jining = make_project(centre, name="集宁区校园安防项目")
    jining.purchaser.name = "乌兰察布市集宁区教育局"
    other = make_project(centre, name="察右前旗道路工程")
    a = make_announcement(jining)
    make_announcement(other)
    db.session.commit()
    assert ids_on(get(client, "/announcements?region=集宁")) == [a.id]
    assert len(ids_on(get(client, "/announcements?region=乌兰察布"))) == 2


def test_a_page_past_the_end_shows_the_last_page(client: Any) -> None:
    p = make_project()
    made = [make_announcement(p) for _ in range(23)]
    db.session.commit()
    html = get(client, "/announcements?page=9")
    assert ids_on(html) == [a.id for a in made][:3][::-1]
    assert 'aria-current="page">2<' in html


def test_lists_sort_and_highlight_the_search_terms(client: Any) -> None:
    soon = make_project(name="医疗设备甲")
    late = make_project(name="医疗设备乙")
    soon.lots[0].bid_deadline = T0 + dt.timedelta(days=21)
    late.lots[0].bid_deadline = T0 + dt.timedelta(days=40)
    first = make_announcement(soon, published_at=T0)
    second = make_announcement(late, published_at=T0 + dt.timedelta(hours=1))
    db.session.commit()
    assert ids_on(get(client, "/announcements")) == [second.id, first.id]
    assert ids_on(get(client, "/announcements?sort=oldest")) == [first.id, second.id]
    assert ids_on(get(client, "/announcements?sort=deadline")) == [first.id, second.id]
    html = get(client, "/announcements?q=医疗")
    assert "<mark>医疗</mark>设备甲" in html
    assert 'href="/announcements?sort=oldest&amp;q=' in html or "sort=oldest" in html
    assert "排序方式" in get(client, "/announcements?sort=bogus")
