"""Build the series a page, a CSV or the API asks for, over one period and scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core import clock
from app.core.auth.models import Role
from app.core.errors import Forbidden, NotFound, ValidationError
from app.core.extensions import db

from . import svg
from .period import Period, parse_period
from .series import BY_KEY, SERIES, SeriesDef


@dataclass(frozen=True)
class Built:
    series: SeriesDef
    rows: list[dict[str, Any]]
    chart: Markup


def period_from(args: Mapping[str, Any]) -> Period:
    return parse_period(
        (args.get("start") or "")[:20] or None,
        (args.get("end") or "")[:20] or None,
        clock.cst_date(clock.now()),
    )


def centre_arg(args: Mapping[str, Any]) -> int | None:
    from app.core.auth.models import Centre

    raw = (args.get("centre") or "").strip()[:12]
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or db.session.get(Centre, int(raw)) is None:
        raise ValidationError(_l("没有这个交易中心。"), field="centre")
    return int(raw)


def supervised_centre(user: Any, args: Mapping[str, Any]) -> int | None:
    """The centre a supervisor's statistics cover: their own; an administrator without a
    centre (the province) sees every centre or the one picked."""
    if user.role == Role.SUPERVISOR:
        return user.centre_id
    if user.role == Role.ADMIN:
        return user.centre_id if user.centre_id is not None else centre_arg(args)
    raise Forbidden(_l("只有监督人员和管理员可以查看统计分析。"))


def series_def(key: str) -> SeriesDef:
    if key not in BY_KEY:
        raise NotFound(_l("没有这项统计。"))
    return BY_KEY[key]


def build(period: Period, centre_id: int | None, keys: Iterable[str] | None = None) -> list[Built]:
    chosen = [series_def(k) for k in keys] if keys is not None else list(SERIES)
    out = []
    for s in chosen:
        rows = s.fetch(period, centre_id)
        # Drawn twice: the narrow copy replaces the wide one on phones (statistics.css),
        # so the text in the chart stays legible at 390 px.
        chart = (
            Markup('<div class="chart-wide">')
            + s.chart(rows, period, svg.WIDTH)
            + Markup('</div><div class="chart-narrow">')
            + s.chart(rows, period, svg.NARROW)
            + Markup("</div>")
        )
        out.append(Built(s, rows, chart))
    return out


SERIES_KEYS = tuple(s.key for s in SERIES)
