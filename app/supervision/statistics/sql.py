"""The two expressions that differ between SQLite and PostgreSQL: a CST month, a duration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, func, literal
from sqlalchemy.sql.elements import ColumnElement

from app.core.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def month_of(col: Any) -> ColumnElement[Any]:
    """'YYYY-MM' of a stored UTC time, read in China Standard Time."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", col), "YYYY-MM")
    return func.strftime("%Y-%m", col, "+8 hours")


def days_between(start: Any, end: Any) -> ColumnElement[Any]:
    """(end − start) in days, fractional; NULL when either is NULL."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / literal(86400.0, Float)
    return func.julianday(end) - func.julianday(start)
