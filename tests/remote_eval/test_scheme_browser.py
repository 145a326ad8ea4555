"""The scheme editor in chromium: rows added and removed by its script, the running total,
errors next to the form; screenshots at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bidding.helpers import World, make_world
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.remote_eval.schemes_world import create_lot

pytestmark = pytest.mark.browser


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.mark.parametrize("width", [1366, 390])
def test_editor_rows_total_and_errors(
    client: Any,
    world: World,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
    width: int,
) -> None:
    lot = create_lot(client, world)
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    _login(page, live_server, world.staff)
    page.goto(f"{live_server}/staff/lots/{lot.id}/scoring-scheme")
    total = page.locator("[data-scheme-total]")
    assert "= 100 分" in total.inner_text()
    shot(page, f"scheme-editor-{width}")

    technical = page.locator("[data-scheme-section='technical']")
    technical.locator("[data-add-row]").click()
    new_row = technical.locator("[data-rows] > [data-scheme-row]").last
    new_row.locator("[data-field='name']").fill("节能环保")
    new_row.locator("[data-field='maximum']").fill("5")
    new_row.locator("[data-field='type']").select_option("fixed")
    assert new_row.locator("[data-field='choices']").is_visible()
    assert not new_row.locator("[data-field='step']").is_visible()
    new_row.locator("[data-field='choices']").fill("0/3/6")
    assert new_row.locator("[data-field='name']").get_attribute("name") == "technical-2-name"
    assert "= 105 分" in total.inner_text()
    page.click("[data-testid=save-scheme]")
    page.wait_for_load_state()
    errors = page.locator("[data-testid=scheme-errors]")
    assert "固定分值 6 超过该项满分 5 分" in errors.inner_text()
    assert page.locator("input[value='节能环保']").count() == 1
    shot(page, f"scheme-editor-errors-{width}")

    row = page.locator("[data-scheme-section='technical'] [data-rows] > [data-scheme-row]").last
    row.locator("[data-remove-row]").click()
    assert "= 100 分" in total.inner_text()
    page.click("[data-testid=save-scheme]")
    page.wait_for_load_state()
    assert "评分办法已保存" in page.content()
    page.close()
