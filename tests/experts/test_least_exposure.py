"""Least exposure: an expert's phone number is whole only for the staff of the centre whose
pool holds them (and the expert themself); every other person of the seeded world, the
administrator included, crawls every page, export and pool API they can reach and finds
no whole number, and no identity card number at all."""

from __future__ import annotations

import re
import zlib
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import lxml.html
import pytest
from sqlalchemy import select

from app.core.auth.models import User
from app.core.extensions import db
from app.core.masking import mask_id_card, mask_phone
from bidding.models import Lot
from experts.models import Expert
from tests.portal.seeded_world import client_for, seed

SKIP = re.compile(r"^/(logout|lang/|static/)|/ws\b")
# An identity card number's shape: region, birth date, sequence and check character.
ID_SHAPE = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]"
    r"(?![0-9A-Za-z])"
)
STARTS = ["/", "/experts/pool", "/experts/draws", "/venues", "/supervision/", "/admin/"]


def test_the_masking_rule() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_card("110101199003071234") == "1101**********1234"
    assert mask_id_card(tail="1234") == "**************1234"
    assert mask_phone("") == "" and mask_phone("12345") == "*****"


def _texts(body: bytes, mimetype: str) -> str:
    """What a response says: text as it stands; a PDF's page streams inflated."""
    if mimetype == "application/pdf":
        parts = [body.decode("latin-1")]
        for raw in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
            try:
                parts.append(zlib.decompress(raw).decode("latin-1"))
            except zlib.error:
                continue
        return "\n".join(parts)
    return body.decode("utf-8", errors="replace")


def _links(html: str) -> list[str]:
    out = []
    for href in lxml.html.fromstring(html).xpath("//a/@href"):
        parts = urlsplit(urldefrag(str(href))[0])
        if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "localhost"):
            continue
        if parts.path.startswith("/") and not SKIP.search(parts.path):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _crawl(client: Any, starts: list[str], limit: int = 150, per_shape: int = 3) -> Any:
    """(path, text) of every page, export and file reached by links, a few per shape."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if path in seen or shapes.get(shape, 0) >= per_shape:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        resp = client.get(path)
        if resp.status_code != 200:
            continue
        text = _texts(resp.get_data(), resp.mimetype)
        yield path, text
        if resp.mimetype == "text/html":
            queue.extend(p for p in _links(text) if p not in seen)


@pytest.fixture
def seeded(app: Any) -> dict[str, Any]:
    seed(app)
    experts = db.session.execute(select(Expert).order_by(Expert.id)).scalars().all()
    # Distinctive numbers, on the pool record and on the expert's own account alike.
    for e in experts:
        e.phone = f"199{70000000 + e.id:08d}"
        if e.user_id is not None:
            db.session.get(User, e.user_id).phone = e.phone
    db.session.commit()
    return {"experts": experts}


def _user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


@pytest.mark.parametrize(
    "who",
    ["admin", "wlcb_centre", "my_centre", "wlcb_staff", "my_staff", "wlcb_super", "my_super"],
)
def test_no_whole_expert_number_outside_the_pools_own_staff(app: Any, seeded: Any, who: str):
    experts: list[Expert] = seeded["experts"]
    user = _user(who)
    own_pool = user.role.value == "staff" and user.organisation.kind.value == "centre"
    allowed = {e.phone for e in experts if own_pool and e.centre_id == user.centre_id}
    hidden = {e.phone for e in experts} - allowed
    client = client_for(app, who)
    lot_ids = db.session.execute(select(Lot.id)).scalars().all()
    starts = STARTS + [f"/lots/{i}/venues" for i in lot_ids]
    apis = [f"/api/v1/experts/pool?centre_id={c}" for c in {e.centre_id for e in experts}]
    apis += [f"/api/v1/experts/pool/{e.id}" for e in experts[:6]]
    leaks, pages, whole_seen = [], 0, set()
    for path, text in [*_crawl(client, starts), *((a, client.get(a).get_data(True)) for a in apis)]:
        pages += 1
        leaks += [f"{path}: {p}" for p in hidden if p in text]
        leaks += [f"{path}: id {m.group(0)}" for m in ID_SHAPE.finditer(text)]
        whole_seen |= {p for p in allowed if p in text}
    assert pages > 20, pages
    assert not leaks, leaks[:10]
    if own_pool:
        # The pool's own staff do read their experts' numbers whole (the rule can fail).
        assert whole_seen, f"{who} saw none of their pool's phone numbers"
        shown = client.get(f"/experts/pool/{next(e.id for e in experts if e.phone in allowed)}")
        assert any(p in shown.get_data(True) for p in allowed)
    elif who == "admin":
        page = client.get(f"/experts/pool/{experts[0].id}").get_data(True)
        assert mask_phone(experts[0].phone) in page and experts[0].phone not in page
        api = client.get(f"/api/v1/experts/pool/{experts[0].id}").get_json()
        assert api["phone"] == mask_phone(experts[0].phone)
        assert api["id_card"] == mask_id_card(tail=experts[0].id_card_tail)


def test_the_expert_reads_their_own_number(app: Any, seeded: Any) -> None:
    me = next(e for e in seeded["experts"] if e.user_id is not None)
    client = client_for(app, db.session.get(User, me.user_id).username)
    answer = client.get(f"/api/v1/experts/pool/{me.id}")
    assert answer.status_code == 200 and answer.get_json()["phone"] == me.phone
