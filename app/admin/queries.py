"""Read-only lists for the admin pages and API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, extract, func, or_, select

from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.extensions import db

PAGE_SIZE = 50


def page_of(stmt: Select[Any], page: int, size: int = PAGE_SIZE) -> tuple[list[Any], int]:
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(size).offset((max(page, 1) - 1) * size)).scalars().all()
    return list(rows), total


def centres() -> list[Centre]:
    return list(db.session.execute(select(Centre).order_by(Centre.code)).scalars())


def holidays(centre: Centre, year: int | None = None) -> list[Holiday]:
    stmt = select(Holiday).where(Holiday.centre_id == centre.id).order_by(Holiday.day)
    if year:
        stmt = stmt.where(extract("year", Holiday.day) == year)
    return list(db.session.execute(stmt).scalars())


def organisations(
    kind: str | None = None, q: str = "", page: int = 1
) -> tuple[list[Organisation], int]:
    stmt = select(Organisation).order_by(Organisation.id.desc())
    if kind:
        stmt = stmt.where(Organisation.kind == OrgKind(kind))
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Organisation.name.like(like), Organisation.credit_code.like(like)))
    return page_of(stmt, page)


def users(role: str | None = None, q: str = "", page: int = 1) -> tuple[list[User], int]:
    stmt = select(User).order_by(User.id.desc())
    if role:
        stmt = stmt.where(User.role == Role(role))
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.username.like(like), User.display_name.like(like)))
    return page_of(stmt, page)
