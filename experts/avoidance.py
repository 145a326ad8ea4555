"""Who may be drawn: pool matching, avoidance (回避) and exclusions, with counts per reason.

Everything is computed with a handful of set-returning queries (no per-expert queries),
so a pool of 100,000 experts and hundreds of avoided enterprises stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, Text, any_, cast, func, or_, select

from app.core import clock
from app.core.extensions import db
from bidding.models import Lot
from experts import settings, sharing
from experts.models import (
    AvoidReason,
    CreditEntry,
    CreditKind,
    Draw,
    Employment,
    Expert,
    ExpertSpecialty,
    ExpertStatus,
    Leave,
    Relation,
    Sitting,
    Specialty,
)

# Order matters: an expert excluded for several reasons is counted under the first.
EXCLUSIONS = (
    "suspended",
    "retired",
    "employer",
    "past_employer",
    "relation",
    "banned",
    "leave",
    "frequency",
    "already_drawn",
)


def exclusion_label(key: str) -> str:
    labels = {
        "suspended": _("暂停"),
        "retired": _("已出库"),
        "employer": _("在职单位回避"),
        "past_employer": _("近三年曾任职单位回避"),
        "relation": _("申报利害关系回避"),
        "banned": _("信用禁评期内"),
        "leave": _("请假"),
        "frequency": _("超过同一采购人评审频次上限"),
        "already_drawn": _("已被本项目抽取过"),
    }
    return labels[key]


@dataclass
class GroupPool:
    specialty: str
    needed: int
    matched: int = 0
    eligible: list[int] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    # The eligible ids as a set, kept from the computation so the overlap check between
    # groups does not build it again (tens of thousands of ids in a large pool).
    members: set[int] = field(default_factory=set, repr=False)

    def shortfall_message(self) -> str:
        parts = [f"{exclusion_label(k)} {n} 人" for k in EXCLUSIONS if (n := self.excluded[k])]
        detail = "、".join(parts) if parts else _("无排除")
        return _(
            "专业 %(code)s 需要 %(need)s 人（含候补），符合专业与专家库条件的 %(matched)s 人，"
            "回避与排除后仅剩 %(left)s 人：%(detail)s。",
            code=self.specialty,
            need=self.needed,
            matched=self.matched,
            left=len(self.eligible),
            detail=detail,
        )


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def auto_avoided(lot: Lot) -> list[dict[str, Any]]:
    """The lot's bidders, its purchaser and its agency, as avoided enterprises."""
    from app.core.auth.models import Organisation
    from bidding.bids.models import bidder_org_ids

    out: list[dict[str, Any]] = []
    project = lot.project
    pairs = [(oid, AvoidReason.BIDDER) for oid in sorted(bidder_org_ids(lot.id))]
    pairs += [
        (project.purchaser_id, AvoidReason.PURCHASER),
        (project.agency_id, AvoidReason.AGENCY),
    ]
    for org_id, reason in pairs:
        org = db.session.get(Organisation, org_id)
        if org is not None and org.credit_code:
            out.append({"credit_code": org.credit_code, "reason": int(reason), "source": "auto"})
    return out


def merge_avoided(manual: list[dict[str, Any]], auto: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    out: list[dict[str, Any]] = []
    for item in [*auto, *manual]:
        key = (item["credit_code"], int(item["reason"]))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return sorted(out, key=lambda i: (i["credit_code"], int(i["reason"]), i["source"]))


def specialty_codes(code: str) -> list[str]:
    """The code and every code below it in the classification (a small table).

    Matching experts through this explicit list keeps the pool query an indexed IN on
    both the main and the secondary specialty, independent of LIKE and collation rules.
    """
    rows = db.session.execute(
        select(Specialty.code).where(or_(Specialty.code == code, Specialty.code.like(code + ".%")))
    ).scalars()
    return sorted(c for c in rows if c == code or c.startswith(code + "."))


def _ids(stmt: Any) -> set[int]:
    # Core execution on the session's connection: plain rows, no ORM result machinery.
    return set(db.session.connection().execute(stmt).scalars())


def _matching(
    centres: list[int], codes: list[str], *where: Any, columns: tuple[Any, ...] = ()
) -> list[Any]:
    """Experts of the pools whose main or a secondary specialty is in ``codes``.

    Two index lookups (main specialty on expert, secondary on its membership table)
    merged here, rather than one OR with a subquery that forces a scan of the pool.
    """
    cols = (Expert.id, *columns)
    main = select(*cols).where(
        Expert.centre_id.in_(centres), Expert.main_specialty_code.in_(codes), *where
    )
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        # The few thousand members of the specialties first, as one array, then each looked
        # up by primary key: PostgreSQL otherwise joins them by scanning the whole pool
        # (a hash join over every expert of the centre), several times slower.
        members = (
            select(func.array_agg(ExpertSpecialty.expert_id))
            .where(ExpertSpecialty.specialty_code.in_(codes))
            .scalar_subquery()
        )
        secondary = select(*cols).where(
            Expert.id == any_(cast(members, ARRAY(Integer))),  # one value, not a subquery
            Expert.centre_id.in_(centres),
            Expert.main_specialty_code.not_in(codes),
            *where,
        )
    else:
        secondary = (
            select(*cols)
            .join(ExpertSpecialty, ExpertSpecialty.expert_id == Expert.id)
            .where(
                Expert.centre_id.in_(centres),
                ExpertSpecialty.specialty_code.in_(codes),
                Expert.main_specialty_code.not_in(codes),
                *where,
            )
            .distinct()
        )
    # Core execution on the session's connection: plain rows, no ORM loading machinery,
    # which matters for the tens of thousands of ids a large pool returns.
    if not columns:
        return _id_list(conn, main) + _id_list(conn, secondary)
    return [*conn.execute(main).all(), *conn.execute(secondary).all()]


def _id_list(conn: Any, stmt: Any) -> list[int]:
    """The ids a one-column query returns, aggregated into one string by the database.

    Tens of thousands of one-integer rows cost several times more to fetch row by row
    through the result machinery than one comma-joined text parsed with split().
    """
    col = stmt.subquery().c[0]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        agg = func.group_concat(col, ",")
    elif dialect == "postgresql":
        agg = func.string_agg(cast(col, Text), ",")
    else:
        return list(conn.execute(stmt).scalars())
    joined = conn.execute(select(agg)).scalar()
    return list(map(int, joined.split(","))) if joined else []


def compute_pools(draw: Draw, lot: Lot, avoided: list[dict[str, Any]]) -> list[GroupPool]:
    """Eligible expert ids per group, after every avoidance rule and exclusion.

    The pool query returns only active experts whose employer is not avoided; every other
    rule is a small set of expert ids (from indexed lookups on employment, relations,
    credit, leave and sittings) subtracted from it. The count of experts excluded per
    reason is only worked out for a group that comes up short, to explain why.
    """
    at = draw.evaluation_at
    codes = sorted({a["credit_code"] for a in avoided})
    centre_settings = lot.project.centre.settings or {}
    cutoff = years_before(clock.cst_date(at), settings.avoid_past_years())

    past = (
        _ids(
            select(Employment.expert_id).where(
                Employment.credit_code.in_(codes),
                or_(Employment.end_date.is_(None), Employment.end_date >= cutoff),
            )
        )
        if codes
        else set()
    )
    related = (
        _ids(select(Relation.expert_id).where(Relation.credit_code.in_(codes))) if codes else set()
    )
    banned = _ids(
        select(CreditEntry.expert_id).where(
            CreditEntry.kind == CreditKind.BAN,
            CreditEntry.start_at <= at,
            or_(CreditEntry.end_at.is_(None), CreditEntry.end_at > at),
        )
    )
    on_leave = _ids(select(Leave.expert_id).where(Leave.start_at <= at, Leave.end_at > at))
    cap = settings.max_sittings_per_purchaser(centre_settings)
    frequent = _ids(
        select(Sitting.expert_id)
        .where(
            Sitting.purchaser_id == lot.project.purchaser_id,
            Sitting.at > at - dt.timedelta(days=365),
            Sitting.at <= at,
            Sitting.lot_id != lot.id,
        )
        .group_by(Sitting.expert_id)
        .having(func.count() >= cap)
    )
    already = set(draw.excluded_ids or [])
    excluded = (past, related, banned, on_leave, frequent, already)
    code_set = set(codes)
    not_avoided = [Expert.status == ExpertStatus.ACTIVE]
    if codes:
        not_avoided.append(Expert.employer_code.not_in(codes))

    home = lot.project.centre_id
    pools: list[GroupPool] = []
    for group in draw.groups:
        centres = [group["centre_id"]] if group.get("centre_id") else list(draw.pool_centre_ids)
        # Another centre's pool serves only with the part it shares (experts/sharing.py).
        centres = [c for c in centres if sharing.serves(c, home, group["specialty"])]
        specialties = specialty_codes(group["specialty"])
        pool = GroupPool(group["specialty"], int(group["count"]) + int(group["reserves"]))
        left = set(_matching(centres, specialties, *not_avoided))
        for ids in excluded:
            left.difference_update(ids)
        pool.eligible = sorted(left)
        pool.members = left
        if len(pool.eligible) < pool.needed:
            _explain(pool, centres, specialties, code_set, *excluded)
        pools.append(pool)
    return pools


def _explain(
    pool: GroupPool,
    centres: list[int],
    specialties: list[str],
    codes: set[str],
    *excluded: set[int],
) -> None:
    """Count, for a short group, how many matching experts each rule removed."""
    rows = _matching(centres, specialties, columns=(Expert.status, Expert.employer_code))
    pool.matched = len(rows)
    for expert_id, status, employer in rows:
        reason = _first_reason(expert_id, status, employer, codes, *excluded)
        if reason:
            pool.excluded[reason] += 1


def _first_reason(
    expert_id: int,
    status: ExpertStatus,
    employer: str,
    codes: set[str],
    past: set[int],
    related: set[int],
    banned: set[int],
    on_leave: set[int],
    frequent: set[int],
    already: set[int],
) -> str | None:
    if status == ExpertStatus.SUSPENDED:
        return "suspended"
    if status == ExpertStatus.RETIRED:
        return "retired"
    if employer and employer in codes:
        return "employer"
    if expert_id in past:
        return "past_employer"
    if expert_id in related:
        return "relation"
    if expert_id in banned:
        return "banned"
    if expert_id in on_leave:
        return "leave"
    if expert_id in frequent:
        return "frequency"
    if expert_id in already:
        return "already_drawn"
    return None


def shortfalls(pools: list[GroupPool]) -> list[str]:
    """Messages for every group that cannot be filled (empty when the request is possible).

    Groups are served in order and nobody holds two seats, so a group whose pool overlaps
    an earlier group's must be able to fill its seats even if every expert that earlier
    group takes comes out of it: only then can no ranking leave a seat empty.
    """
    messages = [p.shortfall_message() for p in pools if len(p.eligible) < p.needed]
    if messages:
        return messages
    sets = [p.members or set(p.eligible) for p in pools] if len(pools) > 1 else []
    for n, pool in enumerate(pools[1:], start=1):
        overlapping = [h for h in range(n) if not sets[h].isdisjoint(sets[n])]
        worst = pool.needed + sum(pools[h].needed for h in overlapping)
        if overlapping and len(pool.eligible) < worst:
            messages.append(
                _(
                    "第 %(n)s 组（专业 %(code)s）与第 %(others)s 组的可抽专家重叠：为保证各组都能"
                    "抽满，需要 %(need)s 人，但该组可抽专家仅 %(left)s 人。",
                    n=n + 1,
                    code=pool.specialty,
                    others="、".join(str(h + 1) for h in overlapping),
                    need=worst,
                    left=len(pool.eligible),
                )
            )
    return messages
