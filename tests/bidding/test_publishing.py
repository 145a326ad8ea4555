"""Procurement intent and tender notice: the clocks, the fields, the lot's new state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.core import search
from app.core.audit.models import AuditEntry
from app.core.auth.models import Holiday
from app.core.extensions import db
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from tests.bidding.helpers import TENDER_FIELDS, World, cst_iso, lot_payload, project_payload
from tests.factories import token_headers


def create(client: Any, world: World, **lot_overrides: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(world, lots=[lot_payload(**lot_overrides)]),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def publish(client: Any, world: World, lot_id: int, **fields: Any) -> Any:
    return client.post(
        f"/api/v1/lots/{lot_id}/tender-notice",
        json={**TENDER_FIELDS, **fields},
        headers=token_headers(world.staff),
    )


def announcements() -> int:
    return db.session.execute(select(func.count()).select_from(Announcement)).scalar_one()


def test_tender_notice_publishes_the_lot_with_structured_fields(client: Any, world: World) -> None:
    project = create(client, world)
    lot_id = project["lots"][0]["id"]
    resp = publish(client, world, lot_id)
    assert resp.status_code == 201, resp.get_json()
    ann = resp.get_json()
    assert ann["kind"] == "tender"
    assert ann["title"] == "乌兰察布市第一中学智慧教室设备采购项目招标公告"
    assert ann["lot_id"] == lot_id
    assert ann["centre_id"] == world.centre.id
    assert ann["method"] == "open"
    assert ann["category_code"] == "B0201"
    assert ann["published_at"]
    fields = ann["fields"]
    assert fields["purchaser_name"] == "乌兰察布市第一中学"
    assert fields["purchaser_contact"] == "李老师"
    assert fields["agency_name"] == "内蒙古正信招标代理有限公司"
    assert fields["agency_phone"] == "0474-8888888"
    assert fields["project_code"] == project["code"]
    assert fields["budget"] == "1200000.00"
    assert fields["ceiling_price"] == "1150000.00"
    assert fields["qualifications"] == TENDER_FIELDS["qualifications"]
    assert fields["opening_place"] == "乌兰察布市公共资源交易中心第一开标室"
    body = ann["body"]
    for text in (
        "预算金额：1,200,000.00 元",
        "最高限价：1,150,000.00 元",
        "2026年03月03日 09:00 至 2026年03月10日 17:00",
        "投标截止时间及开标时间 2026年03月24日 09:30（北京时间）",
        "二、投标人的资格要求",
        "联系人：李老师",
    ):
        assert text in body

    lot = db.session.get(Lot, lot_id)
    assert lot.status == LotStatus.PUBLISHED


def test_published_notice_is_searchable(client: Any, world: World) -> None:
    project = create(client, world)
    ann_id = publish(client, world, project["lots"][0]["id"]).get_json()["id"]
    for query in ("智慧教室", "第一中学", "计算机"):
        ids = db.session.execute(search.matching_ids("announcement", query)).scalars().all()
        assert ann_id in ids, query


def test_publishing_is_audited(client: Any, world: World) -> None:
    project = create(client, world)
    lot_id = project["lots"][0]["id"]
    publish(client, world, lot_id)
    actions = db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert "announcement.published" in actions
    assert "lot.published" in actions


def test_tender_notice_under_twenty_days_is_refused_with_the_earliest_lawful_deadline(
    client: Any, world: World
) -> None:
    project = create(client, world, bid_deadline=cst_iso(2026, 3, 20, 9, 30))
    lot_id = project["lots"][0]["id"]
    resp = publish(client, world, lot_id)
    assert resp.status_code == 422
    message = resp.get_json()["message"]
    assert "公开招标自招标文件开始发出之日起至投标截止之日止不得少于 20 日" in message
    # Out on 3 March at 09:00 (not counted): the twentieth day is 23 March, at any hour.
    assert "投标截止日期最早为 2026年03月23日（当日任何时刻均可）" in message
    assert announcements() == 0
    assert db.session.get(Lot, lot_id).status == LotStatus.DRAFT


def test_bid_period_counts_from_publication_when_documents_were_due_earlier(
    client: Any, world: World
) -> None:
    from app.core import clock

    project = create(client, world)
    # A week later the planned document start has passed: the 20 days run from today, and
    # their last day, Sunday 29 March, moves on to Monday 30 March.
    clock.set_now(dt.datetime(2026, 3, 9, 10, 0, tzinfo=clock.CST))
    resp = publish(client, world, project["lots"][0]["id"])
    assert resp.status_code == 422
    assert "投标截止日期最早为 2026年03月30日" in resp.get_json()["message"]


def test_centre_may_lengthen_the_bid_period(client: Any, world: World) -> None:
    world.centre.settings = {"bid_period_min_days_by_method": {"open": 25}}
    db.session.commit()
    project = create(client, world)
    resp = publish(client, world, project["lots"][0]["id"])
    assert resp.status_code == 422
    assert "不得少于 25 日" in resp.get_json()["message"]
    # 3 March + 25 days = Saturday 28 March → Monday 30 March.
    assert "投标截止日期最早为 2026年03月30日" in resp.get_json()["message"]


def test_negotiation_needs_only_three_days(client: Any, world: World) -> None:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(
            world,
            method="negotiation",
            lots=[
                lot_payload(
                    doc_end_at=cst_iso(2026, 3, 10, 9, 0), bid_deadline=cst_iso(2026, 3, 10, 9, 0)
                )
            ],
        ),
        headers=token_headers(world.staff),
    )
    lot_id = resp.get_json()["lots"][0]["id"]
    published = publish(client, world, lot_id)
    assert published.status_code == 201, published.get_json()
    # Its notice carries the name real notices of the method carry.
    assert published.get_json()["title"].endswith("竞争性谈判公告")


def test_document_window_under_five_working_days_is_refused(client: Any, world: World) -> None:
    # Out on Tuesday 3 March (not counted), closing on Monday 9 March: Wed, Thu, Fri, Mon.
    project = create(client, world, doc_end_at=cst_iso(2026, 3, 9, 17, 0))
    resp = publish(client, world, project["lots"][0]["id"])
    assert resp.status_code == 422
    message = resp.get_json()["message"]
    assert "招标文件发售期不得少于 5 个工作日" in message
    assert "当前安排仅 4 个工作日" in message
    assert "文件发售截止日期最早为 2026年03月10日" in message
    assert announcements() == 0


def test_holiday_in_the_centre_calendar_shortens_the_document_window(
    client: Any, world: World
) -> None:
    project = create(client, world)
    db.session.add(Holiday(centre_id=world.centre.id, day=dt.date(2026, 3, 5), name="地方假日"))
    db.session.commit()
    resp = publish(client, world, project["lots"][0]["id"])
    assert resp.status_code == 422
    assert "当前安排仅 4 个工作日" in resp.get_json()["message"]
    assert "最早为 2026年03月11日" in resp.get_json()["message"]


def test_make_up_workday_restores_the_document_window(client: Any, world: World) -> None:
    project = create(client, world)
    db.session.add(Holiday(centre_id=world.centre.id, day=dt.date(2026, 3, 5), name="地方假日"))
    db.session.add(
        Holiday(centre_id=world.centre.id, day=dt.date(2026, 3, 7), is_workday=True, name="调休")
    )
    db.session.commit()
    assert publish(client, world, project["lots"][0]["id"]).status_code == 201


def test_another_centres_holiday_does_not_count(client: Any, world: World) -> None:
    from tests.factories import make_centre

    other = make_centre(code="150100")
    db.session.add(Holiday(centre_id=other.id, day=dt.date(2026, 3, 5), name="别处假日"))
    db.session.commit()
    project = create(client, world)
    assert publish(client, world, project["lots"][0]["id"]).status_code == 201


def test_tender_notice_requires_qualifications(client: Any, world: World) -> None:
    project = create(client, world)
    resp = publish(client, world, project["lots"][0]["id"], qualifications="   ")
    assert resp.status_code == 422
    assert "请填写投标人资格要求" in resp.get_json()["message"]
    assert announcements() == 0


def test_tender_notice_left_without_qualifications_takes_the_forms_default(
    client: Any, world: World
) -> None:
    project = create(client, world)
    lot_id = project["lots"][0]["id"]
    given = {k: v for k, v in TENDER_FIELDS.items() if k not in ("qualifications", "requirements")}
    resp = client.post(
        f"/api/v1/lots/{lot_id}/tender-notice", json=given, headers=token_headers(world.staff)
    )
    assert resp.status_code == 201, resp.get_json()
    fields = resp.get_json()["fields"]
    assert fields["qualifications"].startswith("1. 满足《中华人民共和国政府采购法》第二十二条规定")
    assert fields["requirements"] == project["description"]
    # The OpenAPI document says so too.
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["TenderNoticeIn"]
    assert "qualifications" not in schema.get("required", [])


def test_lot_without_timetable_cannot_be_announced(client: Any, world: World) -> None:
    project = create(client, world, doc_start_at=None, doc_end_at=None, bid_deadline=None)
    resp = publish(client, world, project["lots"][0]["id"])
    assert resp.status_code == 422
    assert "时间安排不完整" in resp.get_json()["message"]


def test_a_lot_is_announced_only_once(client: Any, world: World) -> None:
    project = create(client, world)
    lot_id = project["lots"][0]["id"]
    assert publish(client, world, lot_id).status_code == 201
    again = publish(client, world, lot_id)
    assert again.status_code == 409
    assert "只有登记中的标段可以发布招标公告" in again.get_json()["message"]
    assert announcements() == 1


def test_project_notice_covers_every_draft_lot(client: Any, world: World) -> None:
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(
            world, lots=[lot_payload(), lot_payload(name="交换机采购", category_code="B0202")]
        ),
        headers=token_headers(world.staff),
    )
    project = resp.get_json()
    published = client.post(
        f"/api/v1/projects/{project['id']}/tender-notice",
        json=TENDER_FIELDS,
        headers=token_headers(world.staff),
    )
    assert published.status_code == 201, published.get_json()
    ann = published.get_json()
    assert ann["lot_id"] is None
    assert len(ann["fields"]["lots"]) == 2
    assert ann["fields"]["budget"] == "2400000.00"
    assert "交换机采购" in ann["body"]
    statuses = db.session.execute(select(Lot.status)).scalars().all()
    assert statuses == [LotStatus.PUBLISHED, LotStatus.PUBLISHED]


def test_supplier_cannot_publish(client: Any, world: World) -> None:
    project = create(client, world)
    resp = client.post(
        f"/api/v1/lots/{project['lots'][0]['id']}/tender-notice",
        json=TENDER_FIELDS,
        headers=token_headers(world.supplier),
    )
    assert resp.status_code == 403
    assert announcements() == 0


def test_intent_is_published_for_the_project(client: Any, world: World) -> None:
    project = create(client, world)
    resp = client.post(
        f"/api/v1/projects/{project['id']}/intent",
        json={"requirements": "采购教学用计算机 200 台。", "expected_month": "2026-04"},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    ann = resp.get_json()
    assert ann["kind"] == "intent"
    assert ann["title"] == "乌兰察布市第一中学智慧教室设备采购项目采购意向公告"
    assert ann["fields"]["expected_month"] == "2026-04"
    assert "预计采购时间：2026年04月" in ann["body"]
    assert "预算金额：1,200,000.00 元" in ann["body"]
    # The intent leaves the lot in draft: the tender notice is what opens it.
    assert db.session.get(Lot, project["lots"][0]["id"]).status == LotStatus.DRAFT


def test_second_intent_supersedes_the_first_and_keeps_it(client: Any, world: World) -> None:
    project = create(client, world)
    url = f"/api/v1/projects/{project['id']}/intent"
    headers = token_headers(world.staff)
    first = client.post(
        url, json={"requirements": "初稿", "expected_month": "2026-04"}, headers=headers
    ).get_json()
    second = client.post(
        url, json={"requirements": "更正后的需求", "expected_month": "2026-05"}, headers=headers
    ).get_json()
    assert second["supersedes_id"] == first["id"]
    kept = db.session.get(Announcement, first["id"])
    assert kept.fields["requirements"] == "初稿"


def test_intent_with_a_bad_month_is_refused(client: Any, world: World) -> None:
    project = create(client, world)
    resp = client.post(
        f"/api/v1/projects/{project['id']}/intent",
        json={"requirements": "x", "expected_month": "2026-13"},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 422
    assert "YYYY-MM" in resp.get_json()["message"]
    assert announcements() == 0


def test_intent_after_the_tender_notice_is_refused(client: Any, world: World) -> None:
    project = create(client, world)
    publish(client, world, project["lots"][0]["id"])
    resp = client.post(
        f"/api/v1/projects/{project['id']}/intent",
        json={"requirements": "x", "expected_month": "2026-04"},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 409


def test_published_announcement_is_public_in_the_api(client: Any, world: World) -> None:
    project = create(client, world)
    ann_id = publish(client, world, project["lots"][0]["id"]).get_json()["id"]
    resp = client.get(f"/api/v1/announcements/{ann_id}")
    assert resp.status_code == 200
    assert resp.get_json()["kind"] == AnnouncementKind.TENDER.value


def test_inquiry_counts_three_working_days_and_names_the_earliest_date(
    client: Any, world: World
) -> None:
    # Documents out on Tuesday 3 March (not counted): Wed 4, Thu 5, Fri 6 March.
    def inquiry(deadline: str) -> Any:
        resp = client.post(
            "/api/v1/projects",
            json=project_payload(
                world,
                method="inquiry",
                lots=[lot_payload(doc_end_at=deadline, bid_deadline=deadline)],
            ),
            headers=token_headers(world.staff),
        )
        return publish(client, world, resp.get_json()["lots"][0]["id"])

    early = inquiry(cst_iso(2026, 3, 5, 17, 0))
    assert early.status_code == 422
    message = early.get_json()["message"]
    assert "不得少于 3 个工作日" in message
    assert "截止日期最早为 2026年03月06日" in message
    on_time = inquiry(cst_iso(2026, 3, 6, 9, 0))
    assert on_time.status_code == 201, on_time.get_json()
    assert on_time.get_json()["title"].endswith("询价公告")


def test_single_source_publicity_needs_the_reason_the_supplier_and_five_working_days(
    client: Any, world: World
) -> None:
    def single_source(deadline: str) -> int:
        resp = client.post(
            "/api/v1/projects",
            json=project_payload(
                world,
                method="single_source",
                lots=[lot_payload(doc_end_at=deadline, bid_deadline=deadline)],
            ),
            headers=token_headers(world.staff),
        )
        return resp.get_json()["lots"][0]["id"]

    reasons = {
        "single_source_reason": "只能从唯一供应商处采购：专利产品",
        "supplier_name": "集宁电脑科技有限公司",
        "supplier_address": "乌兰察布市集宁区新华街 18 号",
    }
    # Out on Tuesday 3 March (not counted): 4, 5, 6, 9, 10 March.
    short = publish(client, world, single_source(cst_iso(2026, 3, 9, 17, 0)), **reasons)
    assert short.status_code == 422
    assert "不得少于 5 个工作日" in short.get_json()["message"]
    assert "截止日期最早为 2026年03月10日" in short.get_json()["message"]
    lot_id = single_source(cst_iso(2026, 3, 10, 9, 0))
    before = announcements()
    bare = publish(client, world, lot_id)
    assert bare.status_code == 422 and bare.get_json()["field"] == "single_source_reason"
    assert announcements() == before
    ok = publish(client, world, lot_id, **reasons)
    assert ok.status_code == 201, ok.get_json()
    body = ok.get_json()
    assert body["title"].endswith("单一来源采购公示")
    assert body["fields"]["supplier_name"] == "集宁电脑科技有限公司"
    # the publicity states its period: the five working days objections are taken
    assert body["fields"]["publicity_end"] > body["fields"]["publicity_start"]
    no_address = publish(
        client,
        world,
        single_source(cst_iso(2026, 3, 10, 9, 0)),
        **{
            **reasons,
            "supplier_address": " ",
        },
    )
    assert no_address.status_code == 422
    assert no_address.get_json()["field"] == "supplier_address"


def test_the_single_source_publicity_reads_as_a_publicity_on_the_portal(
    client: Any, world: World
) -> None:
    """What a 单一来源公示 carries — the supplier's name and address, the reason, the experts'
    opinion, the period and how to object — and none of a tender notice's timetable."""
    deadline = cst_iso(2026, 3, 16, 9, 0)
    resp = client.post(
        "/api/v1/projects",
        json=project_payload(
            world,
            method="single_source",
            lots=[lot_payload(doc_end_at=deadline, bid_deadline=deadline)],
        ),
        headers=token_headers(world.staff),
    )
    lot_id = resp.get_json()["lots"][0]["id"]
    ok = publish(
        client,
        world,
        lot_id,
        single_source_reason="只能从唯一供应商处采购：专利产品",
        supplier_name="集宁电脑科技有限公司",
        supplier_address="乌兰察布市集宁区新华街 18 号",
        expert_opinion="经三位专家论证，该产品受专利保护，仅此一家供应。",
    )
    assert ok.status_code == 201, ok.get_json()
    html = client.get(f"/announcements/{ok.get_json()['id']}").get_data(as_text=True)
    page = html[html.index("<main") : html.index("</main>")]
    fields = page[page.index('data-testid="fields"') : page.index('data-testid="body"')]
    for label, value in (
        ("拟定的唯一供应商名称", "集宁电脑科技有限公司"),
        ("拟定的唯一供应商地址", "乌兰察布市集宁区新华街 18 号"),
        ("采用单一来源方式的理由", "专利产品"),
        ("专业人员论证意见", "仅此一家供应"),
        ("公示开始", "2026-03-0"),
        ("公示截止", "24:00"),
        ("异议方式", "公示期内"),
    ):
        assert label in fields and value in fields, label
    for tender_only in ("投标截止", "开标", "文件获取", "投标文件递交", "投标人资格要求"):
        assert tender_only not in page, tender_only
    assert "单一来源采购公示" in page[: page.index('data-testid="title"')]  # the badge
    assert "评分办法" not in page  # no scoring scheme either
    assert 'data-testid="objection-link"' in page


def test_a_price_floor_is_kept_with_the_lot_and_stated_in_its_notice(
    client: Any, world: World
) -> None:
    project = create(client, world, floor_price="900000.00")
    lot = project["lots"][0]
    assert (lot["ceiling_price"], lot["floor_price"]) == ("1150000.00", "900000.00")
    resp = publish(client, world, lot["id"])
    assert resp.status_code == 201, resp.get_json()
    ann = resp.get_json()
    assert ann["fields"]["lots"][0]["floor_price"] == "900000.00"
    assert f"标段（包）{lot['code']} 最低限价：900,000.00 元" in ann["body"]
    page = client.get(f"/announcements/{ann['id']}").get_data(as_text=True)
    assert 'data-testid="floor-price">900,000.00' in page
    # A lot without a floor says nothing about one.
    other = create(client, world)
    plain = publish(client, world, other["lots"][0]["id"]).get_json()
    assert "最低限价" not in plain["body"]
