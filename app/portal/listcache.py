"""A small per-process cache of rendered announcement-list fragments and pages.

The list body (filters, rows, pagination) depends only on the query string, the
locale and the published announcements, so the same page is rendered once and served
from memory until either a new announcement appears or a few seconds pass. The
"new announcement" check is a fingerprint query that the database answers from
indexes, so a publication shows up on the very next request, in every process. Lot
status badges and deadlines can lag by the time-to-live (plus one render).

For a visitor who carries no session, remember cookie or API token (most of the public),
the whole page is the same too, once it leaves out the CSRF token that would tie it to
one session: it is cached under its own key and served with an ETag (304 on a match).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from app.core import clock

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 10
DEFAULT_MAX_ENTRIES = 512
# Longer query strings are legal but not worth a cache slot.
MAX_KEY_CHARS = 512


@dataclass(frozen=True)
class _Entry:
    fingerprint: Hashable
    expires_at: dt.datetime
    html: Any  # a rendered fragment (str) or a SharedPage


class ListCache:
    """Least-recently-used map of key → rendered HTML, valid for one data fingerprint."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._refreshing: set[Hashable] = set()

    def get(self, key: Hashable, fingerprint: Hashable) -> Any:
        """The held HTML, or None when the caller should render (and then put) it.

        When only the time is up, one caller renders a fresh copy while the others keep
        getting the old one meanwhile, so a busy page is not rendered by every thread at
        once. A changed fingerprint is never served from the old copy.
        """
        now = clock.now()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.fingerprint != fingerprint:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            if entry.expires_at <= now and key not in self._refreshing:
                self._refreshing.add(key)
                return None
            return entry.html

    def release(self, key: Hashable) -> None:
        """Forget that `key` is being rendered (after put, or when rendering failed)."""
        with self._lock:
            self._refreshing.discard(key)

    def put(self, key: Hashable, fingerprint: Hashable, html: Any, ttl_seconds: float) -> None:
        entry = _Entry(fingerprint, clock.now() + dt.timedelta(seconds=ttl_seconds), html)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._refreshing.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cache_for(app: Flask) -> ListCache:
    cache = app.extensions.get("portal_list_cache")
    if cache is None:
        cache = app.extensions.setdefault(
            "portal_list_cache",
            ListCache(int(app.config.get("PORTAL_LIST_CACHE_ENTRIES", DEFAULT_MAX_ENTRIES))),
        )
    return cache


def ttl_seconds(app: Flask) -> float:
    """Configured time-to-live; tests run with the cache off unless they turn it on."""
    default = 0 if app.testing else DEFAULT_TTL_SECONDS
    return float(app.config.get("PORTAL_LIST_CACHE_SECONDS", default))


def cached(key: Hashable, fingerprint: Callable[[], Hashable], render: Callable[[], T]) -> T:
    """The fragment for `key`, rendered by `render` unless a fresh copy is held."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ttl = ttl_seconds(app)
    if ttl <= 0 or len(repr(key)) > MAX_KEY_CHARS:
        return render()
    cache = cache_for(app)
    fp = fingerprint()
    html = cache.get(key, fp)
    if html is None:
        try:
            html = render()
            cache.put(key, fp, html, ttl)
        finally:
            cache.release(key)
    return html


def anonymous_request() -> bool:
    """No session, remember cookie or token: the request can only be served public data."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cookies = request.cookies
    return (
        app.config.get("SESSION_COOKIE_NAME", "session") not in cookies
        and app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
        and "Authorization" not in request.headers
    )


@dataclass(frozen=True)
class SharedPage:
    """A whole page for every visitor without a session: its bytes and their ETag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, html: str) -> SharedPage:
        body = html.encode("utf-8")
        return cls(body, hashlib.sha256(body).hexdigest()[:32])


def conditional_response(page: SharedPage) -> Response:
    """A shared page with a strong ETag; revalidated on every visit (no-cache), so a new
    publication is never hidden by the browser's copy either."""
    if page.etag in request.if_none_match:
        resp = Response(status=304)
    else:
        resp = Response(page.body, mimetype="text/html")
    resp.set_etag(page.etag)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Vary"] = "Cookie, Authorization"
    return resp
