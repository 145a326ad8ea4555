"""Read-only queries behind the portal pages, the JSON API and the OCDS feed.

Only published announcements (published_at set) ever leave this module: a draft is
invisible to the public, whatever filter is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, load_only

from app.core import clock
from app.core.auth.models import Centre, Organisation
from app.core.extensions import db
from app.core.search import matching_ids
from bidding.models import (
    Announcement,
    AnnouncementKind,
    Lot,
    LotStatus,
    Method,
    Project,
    PublicationCounter,
)

SEARCH_KIND = "announcement"
PAGE_SIZE = 20

KIND_BADGES = {
    "intent": "badge",
    "tender": "badge-blue",
    "clarification": "badge-amber",
    "candidates": "badge-green",
    "result": "badge-green",
    "contract": "badge-blue",
    "termination": "badge-red",
    "prequal": "badge-amber",
    "prequal_result": "badge-green",
}
CATEGORY_LABELS: dict[str, Any] = {"A": _l("工程"), "B": _l("货物"), "C": _l("服务")}

# Public status filter → the lot states it covers. "open" is the everyday word for a
# lot still taking bids; the others follow the lot's own lifecycle.
STATUS_GROUPS: dict[str, tuple[LotStatus, ...]] = {
    "open": (LotStatus.PUBLISHED,),
    "suspended": (LotStatus.SUSPENDED,),
    "closed": (LotStatus.CLOSED, LotStatus.OPENED, LotStatus.EVALUATING, LotStatus.EVALUATED),
    "publicity": (LotStatus.PUBLICITY,),
    "failed": (LotStatus.FAILED,),
    "awarded": (LotStatus.AWARDED, LotStatus.CONTRACTED),
    "terminated": (LotStatus.TERMINATED,),
}
STATUS_ALIASES = {"bidding": "open", "published": "open"}
STATUS_LABELS: dict[str, Any] = {
    "open": _l("投标中"),
    "suspended": _l("暂停"),
    "closed": _l("已截止/评审中"),
    "failed": _l("流标"),
    "publicity": _l("候选人公示中"),
    "awarded": _l("已定标"),
    "terminated": _l("已终止"),
}
LOT_STATUS_LABELS: dict[str, Any] = {
    LotStatus.DRAFT.value: _l("登记中"),
    LotStatus.PUBLISHED.value: _l("投标中"),
    LotStatus.SUSPENDED.value: _l("暂停"),
    LotStatus.CLOSED.value: _l("投标截止"),
    LotStatus.OPENED.value: _l("已开标"),
    LotStatus.FAILED.value: _l("流标"),
    LotStatus.EVALUATING.value: _l("评标中"),
    LotStatus.EVALUATED.value: _l("评标结束"),
    LotStatus.PUBLICITY.value: _l("候选人公示中"),
    LotStatus.AWARDED.value: _l("已定标"),
    LotStatus.CONTRACTED.value: _l("合同已备案"),
    LotStatus.TERMINATED.value: _l("已终止"),
}
LOT_STATUS_BADGES = {
    "published": "badge-green",
    "suspended": "badge-amber",
    "closed": "badge-amber",
    "opened": "badge-amber",
    "evaluating": "badge-amber",
    "evaluated": "badge-amber",
    "publicity": "badge-blue",
    "failed": "badge-red",
    "awarded": "badge-blue",
    "contracted": "badge-blue",
    "terminated": "badge-red",
}


def normalise_status(value: str | None) -> str | None:
    if not value:
        return None
    value = STATUS_ALIASES.get(value, value)
    return value if value in STATUS_GROUPS else None


@dataclass
class Filters:
    """What the public asked for; empty values mean "no restriction"."""

    centre: int | None = None
    region: str | None = None
    kind: str | None = None
    category: str | None = None
    method: str | None = None
    status: str | None = None
    q: str | None = None
    sort: str | None = None  # one of SORTS; None is newest first
    problems: list[Any] = field(default_factory=list)

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, for building page links that keep them."""
        keys = ("centre", "region", "kind", "category", "method", "status", "q", "sort")
        return {k: getattr(self, k) for k in keys if getattr(self, k) not in (None, "")}


def published() -> Select[tuple[Announcement]]:
    return select(Announcement).where(Announcement.published_at.is_not(None))


def _in_region(region: str) -> Any:
    """A region code (150900, or a prefix such as 15) or a region's name (乌兰察布, 集宁).

    Centres know their city; a district (集宁区) shows in the purchaser's name or region,
    so a name matches the centre's region or name, or the purchaser's name or region.
    """
    if region.isdigit():
        centre_ids = select(Centre.id).where(Centre.code.startswith(region, autoescape=True))
        return Announcement.centre_id.in_(centre_ids)
    centre_ids = select(Centre.id).where(
        or_(
            Centre.region.contains(region, autoescape=True),
            Centre.name.contains(region, autoescape=True),
        )
    )
    purchasers = select(Organisation.id).where(
        or_(
            Organisation.name.contains(region, autoescape=True),
            Organisation.region.contains(region, autoescape=True),
        )
    )
    projects = select(Project.id).where(Project.purchaser_id.in_(purchasers))
    return or_(Announcement.centre_id.in_(centre_ids), Announcement.project_id.in_(projects))


def apply_filters(stmt: Select[Any], f: Filters) -> Select[Any]:
    if f.centre is not None:
        stmt = stmt.where(Announcement.centre_id == f.centre)
    if f.region:
        stmt = stmt.where(_in_region(f.region))
    if f.kind:
        stmt = stmt.where(Announcement.kind == AnnouncementKind(f.kind))
    if f.category:
        # The range lets the (category_code, published_at) index serve a prefix match.
        upper = f.category[:-1] + chr(ord(f.category[-1]) + 1)
        stmt = stmt.where(
            Announcement.category_code >= f.category,
            Announcement.category_code < upper,
            Announcement.category_code.startswith(f.category, autoescape=True),
        )
    if f.method:
        stmt = stmt.where(Announcement.method == Method(f.method))
    if f.status:
        states = STATUS_GROUPS[f.status]
        # Uncorrelated IN lists: evaluated once through the lot status index.
        lots_in_state = select(Lot.id).where(Lot.status.in_(states))
        # A whole-project notice matches when any of its lots is in that state.
        projects_in_state = select(Lot.project_id).where(Lot.status.in_(states))
        stmt = stmt.where(
            or_(
                Announcement.lot_id.in_(lots_in_state),
                Announcement.lot_id.is_(None) & Announcement.project_id.in_(projects_in_state),
            )
        )
    if f.q:
        ids = matching_ids(SEARCH_KIND, f.q)
        if ids is not None:
            stmt = stmt.where(Announcement.id.in_(ids))
    return stmt


@dataclass
class Page:
    items: list[Announcement]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, width: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a gap is shown."""
        shown = {1, self.pages, *range(self.page - width, self.page + width + 1)}
        out: list[int | None] = []
        last = 0
        for n in sorted(x for x in shown if 1 <= x <= self.pages):
            if n - last > 1:
                out.append(None)
            out.append(n)
            last = n
        return out


# A list row needs a few columns, not the notice body or its JSON fields.
LIST_LOAD = (
    load_only(
        Announcement.id,
        Announcement.title,
        Announcement.kind,
        Announcement.method,
        Announcement.category_code,
        Announcement.published_at,
        Announcement.centre_id,
        Announcement.lot_id,
        Announcement.project_id,
        Announcement.supersedes_id,
    ),
    joinedload(Announcement.centre).load_only(Centre.id, Centre.code, Centre.name, Centre.region),
    joinedload(Announcement.lot).load_only(Lot.id, Lot.status, Lot.bid_deadline),
)


SORTS: dict[str, Any] = {
    "newest": _l("最新发布"),
    "oldest": _l("最早发布"),
    "deadline": _l("投标截止时间临近"),
}


def _order(sort: str | None) -> tuple[Any, ...]:
    if sort == "oldest":
        return (Announcement.published_at.asc(), Announcement.id.asc())
    if sort == "deadline":
        deadline = select(Lot.bid_deadline).where(Lot.id == Announcement.lot_id).scalar_subquery()
        # Notices without a deadline of their own (results, whole projects) come last.
        return (
            deadline.is_(None),
            deadline.asc(),
            Announcement.published_at.desc(),
            Announcement.id.desc(),
        )
    return (Announcement.published_at.desc(), Announcement.id.desc())


def search(f: Filters, page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """Published announcements matching the filters in the asked order, one page of them.

    A page past the end shows the last page (a link kept from a longer list still lands).
    """
    base = apply_filters(published(), f)
    total = db.session.execute(
        select(func.count()).select_from(base.with_only_columns(Announcement.id).subquery())
    ).scalar_one()
    page = max(1, min(page, -(-total // per_page)))
    newest_first = _order(f.sort)
    # Pick the page's ids from the announcement indexes alone, then join centre and lot
    # for those rows only: joining first would join every match before sorting.
    page_ids = (
        base.with_only_columns(Announcement.id)
        .order_by(*newest_first)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    stmt = (
        select(Announcement)
        .where(Announcement.id.in_(page_ids.scalar_subquery()))
        .options(*LIST_LOAD)
        .order_by(*newest_first)
    )
    items = list(db.session.execute(stmt).unique().scalars())
    return Page(items=items, total=total, page=page, per_page=per_page)


# Each part is answered by a key lookup (the publication counter, bumped in every
# publishing transaction; the ends of the primary key and of the published_at index, for
# rows written without the ORM), so it costs the same on any size of table; built once
# because it is asked on every list request.
_FINGERPRINT = select(
    select(PublicationCounter.value).where(PublicationCounter.id == 1).scalar_subquery(),
    select(func.max(Announcement.id)).scalar_subquery(),
    select(func.max(Announcement.published_at)).scalar_subquery(),
)


def list_fingerprint() -> tuple[Any, ...]:
    """Changes whenever an announcement is added, published or removed.

    Asked on a connection of its own (no ORM session) as SQL compiled once per dialect: a
    cached page then costs one pooled round trip, without opening and closing the
    request's session.
    """
    if db.session().in_transaction():
        # The request has already used its session: ask inside it, so it sees itself.
        return tuple(db.session.connection().execute(_FINGERPRINT).one())
    engine = db.engine
    sql = _FINGERPRINT_SQL.get(engine.dialect.name)
    if sql is None:
        compiled = _FINGERPRINT.compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}
        )
        sql = _FINGERPRINT_SQL.setdefault(engine.dialect.name, str(compiled))
    with engine.connect() as conn:
        return tuple(conn.exec_driver_sql(sql).one())


_FINGERPRINT_SQL: dict[str, str] = {}


def get_published(announcement_id: int) -> Announcement | None:
    return db.session.execute(
        published().where(Announcement.id == announcement_id)
    ).scalar_one_or_none()


def related(a: Announcement) -> list[Announcement]:
    """Other published notices of the same lot (or project, for a whole-project notice)."""
    stmt = published().where(Announcement.id != a.id)
    if a.lot_id is not None:
        stmt = stmt.where(
            or_(
                Announcement.lot_id == a.lot_id,
                (Announcement.lot_id.is_(None)) & (Announcement.project_id == a.project_id),
            )
        )
    else:
        stmt = stmt.where(Announcement.project_id == a.project_id)
    stmt = stmt.order_by(Announcement.published_at.asc(), Announcement.id.asc())
    return list(db.session.execute(stmt).scalars())


def superseded_by(a: Announcement) -> list[Announcement]:
    stmt = (
        published()
        .where(Announcement.supersedes_id == a.id)
        .order_by(Announcement.published_at.asc(), Announcement.id.asc())
    )
    return list(db.session.execute(stmt).scalars())


def supersedes(a: Announcement) -> Announcement | None:
    if a.supersedes_id is None:
        return None
    return get_published(a.supersedes_id)


def latest_by_kind(kinds: list[str], limit: int = 8) -> dict[str, list[Announcement]]:
    out: dict[str, list[Announcement]] = {}
    for kind in kinds:
        stmt = (
            published()
            .where(Announcement.kind == AnnouncementKind(kind))
            .options(*LIST_LOAD)
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
            .limit(limit)
        )
        out[kind] = list(db.session.execute(stmt).scalars())
    return out


def month_start_utc(now: dt.datetime) -> dt.datetime:
    local = clock.to_cst(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(dt.UTC)


def stats() -> dict[str, Any]:
    now = clock.now()
    open_lots = db.session.execute(
        select(func.count(), func.sum(Lot.budget)).where(Lot.status == LotStatus.PUBLISHED)
    ).one()
    month = db.session.execute(
        select(func.count()).where(
            Announcement.published_at.is_not(None),
            Announcement.published_at >= month_start_utc(now),
        )
    ).scalar_one()
    total = db.session.execute(
        select(func.count()).where(Announcement.published_at.is_not(None))
    ).scalar_one()
    centres = db.session.execute(select(func.count()).select_from(Centre)).scalar_one()
    return {
        "open_tenders": int(open_lots[0]),
        # sum() keeps the Money type, so the fen total comes back as Decimal yuan.
        "open_budget": open_lots[1] or Decimal("0.00"),
        "month_announcements": int(month),
        "total_announcements": int(total),
        "centres": int(centres),
    }


def centres_with_counts() -> list[tuple[Centre, int]]:
    counts = (
        select(Announcement.centre_id, func.count().label("n"))
        .where(Announcement.published_at.is_not(None))
        .group_by(Announcement.centre_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Centre, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.centre_id == Centre.id)
        .order_by(Centre.code)
    ).all()
    return [(c, int(n)) for c, n in rows]


def all_centres() -> list[Centre]:
    return list(db.session.execute(select(Centre).order_by(Centre.code)).scalars())
