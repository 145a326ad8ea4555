"""The announcement list body is cached, but never hides a new publication or a visitor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Role
from app.core.extensions import db
from app.portal.listcache import ListCache, cache_for
from bidding.announcements import publish_announcement
from bidding.models import AnnouncementKind
from tests.factories import login, make_user
from tests.portal.factories import T0, make_announcement, make_project


def ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="announcement" data-id="(\d+)"', html)]


def get(client: Any, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_data(as_text=True)


@pytest.fixture(autouse=True)
def list_cache_on(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "PORTAL_LIST_CACHE_SECONDS", 60)
    cache_for(app).clear()
    yield
    cache_for(app).clear()


def test_announcement_published_through_the_service_is_listed_at_once(client: Any) -> None:
    clock.set_now(T0 + dt.timedelta(days=1))
    p = make_project()
    first = make_announcement(p, published_at=T0)
    db.session.commit()
    assert ids_on(get(client, "/announcements")) == [first.id]
    assert ids_on(get(client, "/announcements?kind=tender")) == [first.id]

    new = publish_announcement(
        make_user(Role.STAFF, organisation=p.agency, totp=False),
        p,
        AnnouncementKind.TENDER,
        "新发布的施工招标公告",
        "正文",
        lot=p.lots[0],
    )
    db.session.commit()

    assert ids_on(get(client, "/announcements")) == [new.id, first.id]
    assert ids_on(get(client, "/announcements?kind=tender")) == [new.id, first.id]
    assert ids_on(get(client, "/announcements?q=施工")) == [new.id]


def test_backdated_or_late_published_announcements_are_listed_at_once(client: Any) -> None:
    p = make_project()
    shown = make_announcement(p, published_at=T0)
    draft = make_announcement(p, published_at=None)
    db.session.commit()
    assert ids_on(get(client, "/announcements")) == [shown.id]

    # Older than everything listed, so the newest publication time does not move.
    older = make_announcement(p, published_at=T0 - dt.timedelta(days=3))
    db.session.commit()
    assert ids_on(get(client, "/announcements")) == [shown.id, older.id]

    # A draft published later keeps its id, so the largest id does not move either.
    draft.published_at = T0 - dt.timedelta(days=1)
    db.session.commit()
    html = get(client, "/announcements")
    assert ids_on(html) == [shown.id, draft.id, older.id]
    assert "共 3 条公告" in html


def test_list_body_is_reused_until_it_expires(client: Any) -> None:
    clock.set_now(T0)
    a = make_announcement(make_project(), title="原来的标题公告")
    db.session.commit()
    assert "原来的标题公告" in get(client, "/announcements")

    # Not a publication, so the cached body stands until its time is up.
    a.title = "改过的标题公告"
    db.session.commit()
    assert "原来的标题公告" in get(client, "/announcements")
    assert "改过的标题公告" in get(client, "/announcements?page=1")

    clock.set_now(T0 + dt.timedelta(seconds=61))
    assert "改过的标题公告" in get(client, "/announcements")


def test_cached_body_keeps_the_page_around_it_per_visitor(client: Any) -> None:
    p = make_project()
    make_announcement(p)
    user = make_user()
    db.session.commit()

    anonymous = get(client, "/announcements")
    assert 'data-testid="login-link"' in anonymous
    login(client, user)
    signed_in = get(client, "/announcements")
    assert user.display_name in signed_in
    assert 'data-testid="login-link"' not in signed_in
    assert ids_on(signed_in) == ids_on(anonymous)


def test_expired_body_is_rendered_by_one_caller_while_others_get_the_old_copy() -> None:
    cache = ListCache()
    clock.set_now(T0)
    cache.put("k", (1,), "old", ttl_seconds=10)
    clock.set_now(T0 + dt.timedelta(seconds=11))

    assert cache.get("k", (1,)) is None  # this caller renders
    assert cache.get("k", (1,)) == "old"  # the others meanwhile
    assert cache.get("k", (2,)) is None  # but never across a new publication

    cache.put("k", (2,), "new", ttl_seconds=10)
    cache.release("k")
    assert cache.get("k", (2,)) == "new"


def test_visitor_without_a_session_gets_a_shared_page_with_no_token_and_an_etag(
    app: Any, client: Any
) -> None:
    p = make_project()
    first = make_announcement(p, published_at=T0)
    user = make_user()
    db.session.commit()

    resp = client.get("/announcements")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and ids_on(html) == [first.id]
    # Shared by everybody without a session: nothing that ties it to one.
    assert 'name="csrf-token"' not in html
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "no-cache"
    etag = resp.headers["ETag"]
    again = client.get("/announcements", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data

    # A new publication changes the page at once, and its ETag.
    clock.set_now(T0 + dt.timedelta(days=1))
    new = publish_announcement(
        make_user(Role.STAFF, organisation=p.agency, totp=False),
        p,
        AnnouncementKind.TENDER,
        "又一条施工招标公告",
        "正文",
        lot=p.lots[0],
    )
    db.session.commit()
    fresh = client.get("/announcements", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert ids_on(fresh.get_data(as_text=True)) == [new.id, first.id]
    assert fresh.headers["ETag"] != etag

    # A signed-in visitor never gets the shared page, nor the shared page their menu.
    login(client, user)
    mine = get(client, "/announcements")
    assert user.display_name in mine and 'name="csrf-token"' in mine
    for name in ("session", "remember_token"):
        client.delete_cookie(name)
    shared = get(client, "/announcements")
    assert user.display_name not in shared and 'data-testid="login-link"' in shared
    token = client.get("/announcements", headers={"Authorization": "Bearer nothing-valid"})
    assert 'name="csrf-token"' in token.get_data(as_text=True)


def test_publication_counter_moves_only_when_something_is_published(app: Any) -> None:
    from app.portal.queries import list_fingerprint

    p = make_project()
    a = make_announcement(p, published_at=T0)
    draft = make_announcement(p, published_at=None)
    db.session.commit()
    before = list_fingerprint()
    a.title = "改了标题"
    db.session.commit()
    assert list_fingerprint() == before
    draft.published_at = T0 - dt.timedelta(days=1)  # backdated: no maximum moves
    db.session.commit()
    assert list_fingerprint()[0] == before[0] + 1
