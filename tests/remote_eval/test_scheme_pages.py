"""The scheme editor and the read-only table: a real form, errors next to it, nothing
lost, frozen after the notice, amendments visible to suppliers only once published."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.extensions import db
from bidding.documents.clarifications import publish_clarification
from remote_eval import schemes
from tests.bidding.helpers import World, make_world
from tests.factories import csrf_from, login
from tests.remote_eval.schemes_world import (
    comprehensive,
    create_lot,
    other_agency_staff,
    publish_tender,
)


@pytest.fixture
def world() -> World:
    return make_world()


def editor_url(lot_id: int) -> str:
    return f"/staff/lots/{lot_id}/scoring-scheme"


def form(client: Any, lot_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_from(client, editor_url(lot_id)),
        "version": str(schemes.current_version(db.session.get_one(_lot_cls(), lot_id))),
        "action": "save",
        "qualification-0-name": "营业执照",
        "qualification-0-description": "有效",
        "compliance-0-name": "投标有效期",
        "technical-0-name": "实施方案",
        "technical-0-maximum": "40",
        "technical-0-type": "range",
        "technical-0-step": "1",
        "technical-0-objective": "0",
        "commercial-0-name": "类似业绩",
        "commercial-0-maximum": "30",
        "commercial-0-type": "fixed",
        "commercial-0-choices": "0/15/30",
        "commercial-0-objective": "1",
        "price_weight": "30",
        "abnormal_percent": "50",
    }
    data.update(overrides)
    return data


def _lot_cls() -> Any:
    from bidding.models import Lot

    return Lot


def test_editor_is_a_form_prefilled_with_the_template(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    html = client.get(editor_url(lot.id)).get_data(as_text=True)
    assert 'name="technical-0-name"' in html and "技术方案" in html
    assert "综合评分法" in html and "scheme-form.js" in html
    assert '"method"' not in html  # no JSON shown to users
    detail = client.get(f"/projects/{lot.project_id}").get_data(as_text=True)
    assert editor_url(lot.id) in detail


def test_save_from_the_form(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    resp = client.post(editor_url(lot.id), data=form(client, lot.id))
    assert resp.status_code == 302
    row = schemes.scheme_of(lot)
    assert row is not None
    assert row.data["commercial"][0]["choices"] == ["0", "15", "30"]
    assert row.data["commercial"][0]["objective"] is True
    assert [i["id"] for i in row.data["technical"]] == ["T1"]


def test_errors_shown_next_to_the_form_and_nothing_lost(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    data = form(
        client,
        lot.id,
        **{
            "commercial-0-choices": "0/15/35",
            "technical-1-name": "新增项",
            "technical-1-maximum": "abc",
        },
    )
    resp = client.post(editor_url(lot.id), data=data)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'data-testid="scheme-errors"' in html
    assert "技术分第 2 项满分应为数字" in html
    assert 'value="新增项"' in html and 'value="0/15/35"' in html
    resp = client.post(
        editor_url(lot.id), data=form(client, lot.id, **{"commercial-0-choices": "0/15/35"})
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "固定分值 35 超过该项满分 30 分" in html
    assert 'data-testid="row-error"' in html
    assert schemes.scheme_of(lot) is None


def test_stale_form_keeps_the_users_input(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    stale = form(client, lot.id, **{"technical-0-name": "我的修改"})
    assert client.post(editor_url(lot.id), data=form(client, lot.id)).status_code == 302
    resp = client.post(editor_url(lot.id), data=stale)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "已被他人修改" in html and 'value="我的修改"' in html


def test_other_agency_and_supplier_get_403(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    for user in (other_agency_staff(world), world.supplier):
        client.get("/logout")
        login(client, user)
        assert client.get(editor_url(lot.id)).status_code == 403


def test_frozen_editor_offers_an_amendment_shown_to_suppliers_after_clarification(
    client: Any, world: World
) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    assert publish_tender(client, world, lot).status_code == 201
    login(client, world.staff)
    html = client.get(editor_url(lot.id)).get_data(as_text=True)
    assert 'data-testid="scheme-frozen"' in html and "提出修改" in html
    data = form(client, lot.id, action="propose", **{"technical-0-name": "实施方案与进度"})
    assert client.post(editor_url(lot.id), data=data).status_code == 302
    page = client.get(f"/staff/lots/{lot.id}/clarifications").get_data(as_text=True)
    assert 'data-testid="clarification-addendum"' in page and "实施方案与进度" in page
    client.get("/logout")
    login(client, world.supplier)
    supplier_page = f"/supplier/lots/{lot.id}"
    html = client.get(supplier_page).get_data(as_text=True)
    assert 'data-testid="scoring-scheme"' in html and "实施方案与进度" not in html
    publish_clarification(lot, world.staff, title="澄清一", body="修改评分因素名称。")
    db.session.commit()
    html = client.get(supplier_page).get_data(as_text=True)
    assert "实施方案与进度" in html and 'data-testid="scheme-amended"' in html


def test_english_editor(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    login(client, world.staff)
    client.get("/lang/en")
    html = client.get(editor_url(lot.id)).get_data(as_text=True)
    assert "Scoring scheme" in html and "Qualification review" in html
    assert "Save the scoring scheme" in html
