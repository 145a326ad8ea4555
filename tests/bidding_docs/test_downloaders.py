"""Who downloaded the documents is secret from everyone until the bid deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.extensions import db
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import login, token_headers


def test_downloaders_list_is_secret_before_the_deadline_for_staff_admin_and_supervisor(
    client: Any,
) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier(name="保密测试建设有限公司")
    download(w, supplier)
    db.session.commit()
    clock.set_now(w.lot.bid_deadline - dt.timedelta(seconds=1))
    for user in (w.staff, w.admin, w.supervisor, w.other_staff, supplier):
        resp = client.get(f"/api/v1/lots/{w.lot.id}/downloaders", headers=token_headers(user))
        assert resp.status_code == 403, user.role
        assert "保密测试" not in resp.get_data(as_text=True)
        assert "不得查看" in resp.json["message"]


def test_staff_document_page_hides_downloaders_before_the_deadline(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier(name="保密测试建设有限公司")
    download(w, supplier)
    db.session.commit()
    login(client, w.staff)
    page = client.get(f"/staff/lots/{w.lot.id}/documents").get_data(as_text=True)
    assert 'data-testid="downloaders-secret"' in page
    assert "保密测试" not in page
    assert client.get(f"/staff/lots/{w.lot.id}/downloaders").status_code == 403


def test_after_the_deadline_agency_staff_and_supervisor_see_the_downloaders(client: Any) -> None:
    w = make_world()
    upload(w)
    first = w.supplier(name="甲建设有限公司")
    second = w.supplier(name="乙建设有限公司")
    download(w, first)
    download(w, second)
    db.session.commit()
    clock.set_now(w.lot.bid_deadline)
    for user in (w.staff, w.supervisor):
        resp = client.get(f"/api/v1/lots/{w.lot.id}/downloaders", headers=token_headers(user))
        assert resp.status_code == 200
        assert {r["supplier_name"] for r in resp.json} == {"甲建设有限公司", "乙建设有限公司"}
        assert resp.json[0]["ip"] == "10.0.0.8"
    for user in (w.admin, w.other_staff, first):
        resp = client.get(f"/api/v1/lots/{w.lot.id}/downloaders", headers=token_headers(user))
        assert resp.status_code == 403


def test_supervisor_sees_the_downloaders_page_after_the_deadline(client: Any) -> None:
    w = make_world()
    upload(w)
    download(w, w.supplier(name="甲建设有限公司"))
    db.session.commit()
    clock.set_now(w.lot.bid_deadline + dt.timedelta(hours=1))
    login(client, w.supervisor)
    page = client.get(f"/staff/lots/{w.lot.id}/downloaders")
    assert page.status_code == 200
    assert "甲建设有限公司" in page.get_data(as_text=True)
