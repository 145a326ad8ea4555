"""Registering projects and lots through the JSON API, and every validation rule."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind
from app.core.extensions import db
from bidding.models import Lot, LotStatus, Project
from tests.bidding.helpers import World, cst_iso, lot_payload, project_payload
from tests.factories import make_org, make_user, token_headers


def count(model: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def post_project(
    client: Any, world: World, headers: dict[str, str] | None = None, **overrides: Any
) -> Any:
    return client.post(
        "/api/v1/projects",
        json=project_payload(world, **overrides),
        headers=headers or token_headers(world.staff),
    )


def test_staff_registers_project_with_generated_codes(client: Any, world: World) -> None:
    resp = post_project(
        client,
        world,
        lots=[lot_payload(), lot_payload(name="网络交换机采购", category_code="B0202")],
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["trade_id"] == "150900-2026-0001"
    assert body["code"] == "15090020260001"
    assert [lot["code"] for lot in body["lots"]] == ["15090020260001-01", "15090020260001-02"]
    assert body["lots"][0]["budget"] == "1200000.00"
    assert body["lots"][0]["status"] == "draft"
    assert body["agency_id"] == world.agency.id
    assert body["centre_id"] == world.centre.id

    second = post_project(client, world).get_json()
    assert second["trade_id"] == "150900-2026-0002"


def test_project_registration_is_audited(client: Any, world: World) -> None:
    resp = post_project(client, world)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "project.created").order_by(AuditEntry.seq)
    ).scalar_one()
    assert entry.object_id == str(resp.get_json()["id"])
    assert entry.actor_id == world.staff.id
    assert "1200000.00" in entry.data


@pytest.mark.parametrize(
    ("overrides", "lot_overrides", "message"),
    [
        ({}, {"budget": "0"}, "预算金额必须大于 0 元"),
        ({}, {"budget": "-5"}, "预算金额必须大于 0 元"),
        ({}, {"ceiling_price": "-1"}, "最高限价不能为负数"),
        (
            {},
            {"ceiling_price": "1300000.00"},
            "最高限价（1,300,000.00 元）不得超过预算金额（1,200,000.00 元）",
        ),
        ({}, {"floor_price": "-1"}, "最低限价不能为负数"),
        (
            {},
            {"floor_price": "1150000.00"},
            "最低限价（1,150,000.00 元）须低于最高限价（1,150,000.00 元）",
        ),
        (
            {},
            {"ceiling_price": None, "floor_price": "1200000.01"},
            "最低限价（1,200,000.01 元）不得超过预算金额（1,200,000.00 元）",
        ),
        ({}, {"bid_bond": "24000.01"}, "不得超过预算金额的 2%，本标段最多 24,000.00 元"),
        ({}, {"category_code": "Z99"}, "品目分类代码“Z99”不存在"),
        ({"category_code": "X1"}, {}, "品目分类代码“X1”不存在"),
        ({}, {"committee_size": 6}, "评标委员会人数须为 5 至 49 之间的奇数"),
        ({}, {"committee_size": 3}, "评标委员会人数须为 5 至 49 之间的奇数"),
        ({}, {"committee_size": 10**12 + 1}, "评标委员会人数须为 5 至 49 之间的奇数"),
        (
            {},
            {"budget": "10000000.00", "ceiling_price": None, "bid_bond": "0", "committee_size": 5},
            "评标委员会须不少于 7 人",
        ),
        ({}, {"validity_days": 0}, "投标有效期须为 1–365 天"),
        (
            {},
            {"doc_end_at": cst_iso(2026, 3, 3, 8, 0)},
            "文件发售截止时间（2026年03月03日 08:00）须晚于开始时间（2026年03月03日 09:00）",
        ),
        (
            {},
            {"bid_deadline": cst_iso(2026, 3, 9, 16, 0)},
            "投标截止时间（2026年03月09日 16:00）不得早于文件发售截止时间",
        ),
        (
            {},
            {
                "doc_start_at": cst_iso(2026, 2, 1, 9, 0),
                "doc_end_at": cst_iso(2026, 2, 10, 9, 0),
                "bid_deadline": cst_iso(2026, 3, 1, 9, 0),
            },
            "投标截止时间（2026年03月01日 09:00）已过",
        ),
        (
            {},
            {"doc_end_at": None},
            "请完整填写文件发售开始时间、文件发售截止时间和投标截止（开标）时间",
        ),
        ({"lots": []}, None, "项目至少需要一个标段"),
        ({"name": "  "}, {}, "请填写项目名称"),
    ],
)
def test_bad_project_input_is_refused_and_nothing_is_written(
    client: Any,
    world: World,
    overrides: dict[str, Any],
    lot_overrides: dict[str, Any] | None,
    message: str,
) -> None:
    if lot_overrides is not None:
        overrides = {**overrides, "lots": [lot_payload(**lot_overrides)]}
    headers = token_headers(world.staff)
    audit_before = count(AuditEntry)
    resp = post_project(client, world, headers, **overrides)
    assert resp.status_code == 422, resp.get_json()
    assert message in resp.get_json()["message"]
    assert count(Project) == 0
    assert count(Lot) == 0
    assert count(AuditEntry) == audit_before


def test_bond_of_exactly_two_percent_is_allowed(client: Any, world: World) -> None:
    resp = post_project(client, world, lots=[lot_payload(bid_bond="24000.00")])
    assert resp.status_code == 201, resp.get_json()


def test_seven_member_committee_is_accepted_for_ten_million(client: Any, world: World) -> None:
    lot = lot_payload(budget="10000000.00", ceiling_price=None, bid_bond="0", committee_size=7)
    assert post_project(client, world, lots=[lot]).status_code == 201


def test_fault_in_second_lot_names_the_lot_and_writes_nothing(client: Any, world: World) -> None:
    resp = post_project(client, world, lots=[lot_payload(), lot_payload(committee_size=4)])
    assert resp.status_code == 422
    assert resp.get_json()["message"].startswith("标段 2：")
    assert resp.get_json()["field"] == "lots[1].committee_size"
    assert count(Project) == 0


def test_purchaser_must_be_a_purchaser(client: Any, world: World) -> None:
    other_supplier = make_org(OrgKind.SUPPLIER, "某某贸易有限公司", world.centre)
    db.session.commit()
    resp = post_project(client, world, purchaser_id=other_supplier.id)
    assert resp.status_code == 422
    assert "不是采购人单位" in resp.get_json()["message"]
    assert count(Project) == 0


def test_unknown_purchaser_is_refused(client: Any, world: World) -> None:
    resp = post_project(client, world, purchaser_id=999999)
    assert resp.status_code == 422
    assert "采购人不存在" in resp.get_json()["message"]


def test_unknown_method_is_refused_with_the_allowed_values(client: Any, world: World) -> None:
    resp = post_project(client, world, method="auction")
    assert resp.status_code == 422
    assert "open" in resp.get_json()["message"]
    assert count(Project) == 0


def test_supplier_may_not_register_projects(client: Any, world: World) -> None:
    resp = client.post(
        "/api/v1/projects", json=project_payload(world), headers=token_headers(world.supplier)
    )
    assert resp.status_code == 403
    assert resp.get_json()["message"]
    assert count(Project) == 0


def test_staff_without_an_agency_may_not_register_projects(client: Any, world: World) -> None:
    centre_staff = make_user("staff", centre=world.centre)
    db.session.commit()
    resp = client.post(
        "/api/v1/projects", json=project_payload(world), headers=token_headers(centre_staff)
    )
    assert resp.status_code == 403


def test_anonymous_caller_gets_401(client: Any, world: World) -> None:
    assert client.post("/api/v1/projects", json=project_payload(world)).status_code == 401


def test_projects_list_shows_only_the_callers_agency(client: Any, world: World) -> None:
    post_project(client, world)
    other_agency = make_org(OrgKind.AGENCY, "另一家代理公司", world.centre)
    other_staff = make_user("staff", organisation=other_agency)
    db.session.commit()
    mine = client.get("/api/v1/projects", headers=token_headers(world.staff)).get_json()
    theirs = client.get("/api/v1/projects", headers=token_headers(other_staff)).get_json()
    assert mine["total"] == 1
    assert theirs["total"] == 0


def test_supervisor_sees_the_centres_projects_but_cannot_edit(client: Any, world: World) -> None:
    project = post_project(client, world).get_json()
    headers = token_headers(world.supervisor)
    listing = client.get("/api/v1/projects", headers=headers).get_json()
    assert [p["id"] for p in listing["items"]] == [project["id"]]
    assert client.get(f"/api/v1/projects/{project['id']}", headers=headers).status_code == 200
    lot = project["lots"][0]
    resp = client.patch(
        f"/api/v1/lots/{lot['id']}", json={"version": lot["version"], "name": "x"}, headers=headers
    )
    assert resp.status_code == 403


def test_supplier_cannot_see_a_project(client: Any, world: World) -> None:
    project = post_project(client, world).get_json()
    resp = client.get(f"/api/v1/projects/{project['id']}", headers=token_headers(world.supplier))
    assert resp.status_code == 403


def test_draft_lot_can_be_edited_with_the_current_version(client: Any, world: World) -> None:
    lot = post_project(client, world).get_json()["lots"][0]
    headers = token_headers(world.staff)
    resp = client.patch(
        f"/api/v1/lots/{lot['id']}",
        json={"version": lot["version"], "budget": "1300000.00", "ceiling_price": "1250000.00"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["budget"] == "1300000.00"
    assert resp.get_json()["version"] == lot["version"] + 1
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.updated").order_by(AuditEntry.seq)
    ).scalar_one()
    assert "1300000.00" in entry.data


def test_stale_version_is_refused(client: Any, world: World) -> None:
    lot = post_project(client, world).get_json()["lots"][0]
    headers = token_headers(world.staff)
    first = client.patch(
        f"/api/v1/lots/{lot['id']}", json={"version": lot["version"], "name": "A"}, headers=headers
    )
    assert first.status_code == 200
    stale = client.patch(
        f"/api/v1/lots/{lot['id']}", json={"version": lot["version"], "name": "B"}, headers=headers
    )
    assert stale.status_code == 409
    assert "已被他人修改" in stale.get_json()["message"]
    assert db.session.get(Lot, lot["id"]).name == "A"


def test_edit_breaking_a_rule_changes_nothing(client: Any, world: World) -> None:
    lot = post_project(client, world).get_json()["lots"][0]
    resp = client.patch(
        f"/api/v1/lots/{lot['id']}",
        json={"version": lot["version"], "budget": "1000000.00"},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 422
    assert "最高限价" in resp.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Lot, lot["id"]).budget == 1200000


def test_published_lot_cannot_be_edited(client: Any, world: World) -> None:
    lot = post_project(client, world).get_json()["lots"][0]
    db_lot = db.session.get(Lot, lot["id"])
    db_lot.status = LotStatus.PUBLISHED
    db.session.commit()
    resp = client.patch(
        f"/api/v1/lots/{lot['id']}",
        json={"version": db_lot.version, "name": "改名"},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 409
    assert "只有登记中的标段可以修改" in resp.get_json()["message"]


def test_lot_can_be_added_to_a_draft_project(client: Any, world: World) -> None:
    project = post_project(client, world).get_json()
    resp = client.post(
        f"/api/v1/projects/{project['id']}/lots",
        json=lot_payload(name="打印机采购", category_code="B03"),
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["code"] == f"{project['code']}-02"


def test_openapi_documents_the_lifecycle_operations(client: Any, world: World) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/projects" in spec["paths"]
    assert "/api/v1/lots/{lot_id}/tender-notice" in spec["paths"]
    assert spec["paths"]["/api/v1/projects"]["post"]["summary"]


def test_agency_staff_find_a_purchasers_id_as_the_form_offers_it(client: Any, world: World) -> None:
    from tests.factories import make_centre

    unattached = make_org(OrgKind.PURCHASER, "自治区直属采购单位", None)
    elsewhere = make_org(OrgKind.PURCHASER, "别的盟市采购人", make_centre(code="150100"))
    make_org(OrgKind.SUPPLIER, "某供应商", world.centre)
    headers = token_headers(world.staff)
    resp = client.get("/api/v1/purchasers", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    names = {p["name"]: p["id"] for p in resp.get_json()}
    assert names == {world.purchaser.name: world.purchaser.id, unattached.name: unattached.id}
    assert elsewhere.name not in names
    # The same list as the page's select.
    from tests.factories import login

    login(client, world.staff)
    page = client.get("/projects/new").get_data(as_text=True)
    for pid in names.values():
        assert f'<option value="{pid}"' in page
    # Narrowed by name, and the id is what a project takes.
    found = client.get("/api/v1/purchasers?q=第一中学", headers=headers).get_json()
    assert [p["id"] for p in found] == [world.purchaser.id]
    assert post_project(client, world, purchaser_id=found[0]["id"]).status_code == 201


def test_purchaser_lookup_is_for_agency_staff_only(client: Any, world: World) -> None:
    for user in (world.supplier, world.supervisor):
        resp = client.get("/api/v1/purchasers", headers=token_headers(user))
        assert resp.status_code == 403
    assert client.get("/api/v1/purchasers").status_code == 401


def test_project_choices_are_the_forms_lists_with_labels(client: Any, world: World) -> None:
    resp = client.get("/api/v1/project-choices", headers=token_headers(world.staff))
    assert resp.status_code == 200
    body = resp.get_json()
    assert {"value": "open", "label": "公开招标"} in body["methods"]
    assert any(c["value"] == "B0201" for c in body["categories"])
    assert {c["value"] for c in body["evaluation_methods"]} >= {"comprehensive"}
    en = client.get("/api/v1/project-choices?lang=en", headers=token_headers(world.staff))
    assert {"value": "open", "label": "Open tender"} in en.get_json()["methods"]
    assert (
        client.get("/api/v1/project-choices", headers=token_headers(world.supplier)).status_code
        == 403
    )
