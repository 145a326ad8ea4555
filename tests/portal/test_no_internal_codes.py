"""No internal code reaches a reader: every page each person of a seeded world can reach by
links is scanned for enum values, raw field keys, audit action names and JSON."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from bidding import notice_fields
from bidding.bids.models import BidStatus, BondKind, BondStatus, OpeningStatus, UploadStatus
from bidding.documents.models import ObjectionStatus
from bidding.models import Announcement, AnnouncementKind, EvalMethod, LotStatus, Method
from experts.models import CreditKind, DrawStatus, ExpertStatus, InvitationState, RelationKind
from tests.portal.seeded_world import client_for, crawl, seed, visible_text

ENUMS: list[type[enum.Enum]] = [
    Role,
    OrgKind,
    Method,
    EvalMethod,
    LotStatus,
    AnnouncementKind,
    ObjectionStatus,
    BidStatus,
    BondKind,
    BondStatus,
    UploadStatus,
    OpeningStatus,
    ExpertStatus,
    CreditKind,
    RelationKind,
    DrawStatus,
    InvitationState,
]
# Lower-case English words in a Chinese page's text are codes (the English interface is
# checked for the shapes of codes only, since its words are English).
ENUM_WORDS = sorted({str(m.value) for e in ENUMS for m in e} | {"active"}, key=len, reverse=True)
ENUM_RE = re.compile(
    r"(?<![A-Za-z0-9_\-])(" + "|".join(map(re.escape, ENUM_WORDS)) + r")(?![A-Za-z0-9_])"
)
SNAKE_RE = re.compile(r"(?<![A-Za-z0-9_./-])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
USERNAME_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?:admin|(?:wlcb|my)_[a-z]+\d*|supplier\d+|expert\d+)(?![A-Za-z0-9_])"
)
JSON_RE = re.compile(r"[{\[]\s*\"[A-Za-z_]+\"\s*:|\"[a-z_]+\":\s")

STARTS = {
    None: [
        "/",
        "/announcements",
        "/announcements?kind=candidates",
        "/announcements?kind=clarification",
    ],
    "supplier01": ["/", "/supplier/lots", "/bids/"],
    "wlcb_staff": ["/", "/projects"],
    "wlcb_centre": ["/"],
    "wlcb_super": ["/", "/supervision/", "/supervision/audit"],
    "expert001": ["/"],
    "admin": ["/", "/admin/"],
}


def _problems(text: str, actions: set[str], chinese: bool) -> list[str]:
    # User names (wlcb_staff, supplier01) are what people type to log in: not codes.
    text = USERNAME_RE.sub(" ", text)
    found: list[str] = []
    if chinese:
        found += [f"code {m.group(1)!r}" for m in ENUM_RE.finditer(text)]
    found += [f"key {m.group(0)!r}" for m in SNAKE_RE.finditer(text)]
    found += [f"JSON {m.group(0)!r}" for m in JSON_RE.finditer(text)]
    found += [f"action {a!r}" for a in actions if a in text]
    return found


@pytest.mark.parametrize("who", list(STARTS))
def test_pages_of_a_seeded_world_show_no_internal_code(app: Any, who: str | None) -> None:
    seed(app)
    actions = set(db.session.execute(select(AuditEntry.action).distinct()).scalars())
    client = client_for(app, who)
    bad: dict[str, list[str]] = {}
    pages = 0
    for path, html in crawl(client, STARTS[who]):
        pages += 1
        problems = _problems(visible_text(html), actions, chinese=True)
        if problems:
            bad[path] = sorted(set(problems))[:6]
    assert pages >= 5
    assert not bad, "\n".join(f"{p}: {v}" for p, v in bad.items())


def test_english_pages_show_no_internal_code(app: Any) -> None:
    seed(app)
    actions = set(db.session.execute(select(AuditEntry.action).distinct()).scalars())
    client = client_for(app, "wlcb_super")
    client.get("/lang/en")
    bad: dict[str, list[str]] = {}
    for path, html in crawl(client, ["/", "/announcements", "/supervision/audit"], limit=60):
        text = visible_text(html, skip_chinese_content=True)
        problems = _problems(text, actions, chinese=False)
        if "：" in text:
            at = text.index("：")
            problems.append(f"full-width colon in {text[max(0, at - 20) : at + 1]!r}")
        if problems:
            bad[path] = sorted(set(problems))[:6]
    assert not bad, "\n".join(f"{p}: {v}" for p, v in bad.items())


def test_every_stored_notice_field_is_declared_for_its_kind(app: Any) -> None:
    seed(app)
    for a in db.session.execute(select(Announcement)).scalars():
        # read as the pages read it: with the entry of the lot's method
        undeclared = notice_fields.undeclared_keys(a.kind.value, a.fields or {}, a.method.value)
        assert not undeclared, (a.kind.value, undeclared)
