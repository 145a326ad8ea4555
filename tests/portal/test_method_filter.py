"""The portal's method filter offers the methods of the registry (bidding.methods), in its
order and by their names, and accepts no other."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core.extensions import db
from bidding import methods
from bidding.models import Method
from tests.portal.factories import make_announcement, make_project
from tests.portal.test_portal_pages import get, ids_on


def _options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="method".*?</select>', html, re.S)
    assert select is not None
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


def test_the_filter_lists_the_registered_methods(client: Any) -> None:
    html = get(client, "/announcements")
    assert _options(html) == methods.codes() == [m.value for m in Method]
    assert ">询价</option>" in html and ">单一来源</option>" in html


def test_a_method_out_of_the_registry_is_neither_offered_nor_filtered(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    single = make_announcement(make_project(method=Method.SINGLE_SOURCE))
    other = make_announcement(make_project(method=Method.OPEN))
    db.session.commit()
    monkeypatch.delitem(methods._RULES, Method.SINGLE_SOURCE)
    html = get(client, "/announcements?method=single_source")
    assert "single_source" not in _options(html)
    assert "无效，已忽略" in html
    assert sorted(ids_on(html)) == sorted([single.id, other.id])
