"""A seeded demo world and a crawler over the pages each of its people can open."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import lxml.html
from sqlalchemy import select

from app.core.auth.models import User
from app.core.extensions import db
from app.demo import DEMO_PASSWORD
from tests.factories import login

# Pages that change something, leave the site's pages or are files, not pages.
SKIP = re.compile(
    r"^/(logout|lang/|api/|static/)|/download|\.(pdf|json|csv|zip|bin|thc)$|/ws\b|/export"
)


def seed(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    db.session.remove()


def client_for(app: Any, username: str | None) -> Any:
    client = app.test_client()
    if username is not None:
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        login(client, user, DEMO_PASSWORD)
    return client


def _path(href: str) -> str | None:
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "localhost"):
        return None
    if not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(
    client: Any, starts: list[str], limit: int = 160, per_route: int = 6
) -> Iterator[tuple[str, str]]:
    """(path, html) of every page reached by links from `starts`, a few per route shape
    (the 86 announcements share one template: six of each shape are enough)."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(starts)
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        shape = re.sub(r"\d+", "N", path.split("?")[0]) + ("?" if "?" in path else "")
        if shapes.get(shape, 0) >= per_route:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        resp = client.get(path)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        html = resp.get_data(as_text=True)
        pages += 1
        yield path, html
        for href in lxml.html.fromstring(html).xpath("//a/@href"):
            target = _path(str(href))
            if target is not None and target not in seen:
                queue.append(target)


def visible_text(html: str, skip_chinese_content: bool = False) -> str:
    """What a reader sees: text outside scripts and styles, and tooltips and placeholders.

    `skip_chinese_content` leaves out parts marked lang="zh-CN" (a notice's legal text is
    Chinese whatever the reader's language)."""
    doc = lxml.html.fromstring(html)
    if skip_chinese_content:
        for el in doc.xpath("//body//*[@lang='zh-CN']"):
            el.drop_tree()
    # data-literal marks text a user must type as it stands (a CSV file's column names).
    for el in doc.xpath("//script|//style|//template|//noscript|//*[@data-literal]"):
        el.drop_tree()
    words = [doc.text_content()]
    words += [str(v) for v in doc.xpath("//@title|//@placeholder|//@aria-label")]
    words += [str(v) for v in doc.xpath("//input[@type='submit']/@value|//option/text()")]
    return "\n".join(words)
